import CondenseCompress
import XCTest

/// TF Model Optimization's PolynomialDecay, checked against values computed by hand.
final class PolynomialDecayTests: XCTestCase {
    func testSparsityFollowsTheCubicDecayBetweenBeginAndEnd() throws {
        let schedule = try PolynomialDecay(initialSparsity: 0.2, finalSparsity: 0.8, beginStep: 10, endStep: 110,
                                           power: 3, frequency: 25)
        // s(t) = 0.8 + (0.2 − 0.8)·(1 − (t − 10)/100)³
        let expected: [(Int, Double)] = [(0, 0.2), (10, 0.2), (35, 0.8 - 0.6 * 0.421875), (60, 0.8 - 0.6 * 0.125),
                                         (85, 0.8 - 0.6 * 0.015625), (110, 0.8), (500, 0.8)]
        for (step, sparsity) in expected {
            XCTAssertEqual(schedule.sparsity(at: step), sparsity, accuracy: 1e-12, "step \(step)")
        }
        let linear = try PolynomialDecay(finalSparsity: 0.5, endStep: 4, power: 1, frequency: 1)
        XCTAssertEqual((0...4).map(linear.sparsity(at:)), [0, 0.125, 0.25, 0.375, 0.5])
    }

    func testMasksUpdateEveryFrequencyStepsInsideTheRangeAndAtTheEnd() throws {
        let schedule = try PolynomialDecay(finalSparsity: 0.5, beginStep: 10, endStep: 100, frequency: 30)
        XCTAssertEqual((0...200).filter(schedule.updatesMasks(at:)), [10, 40, 70, 100])
        let uneven = try PolynomialDecay(finalSparsity: 0.5, beginStep: 0, endStep: 50, frequency: 20)
        XCTAssertEqual((0...200).filter(uneven.updatesMasks(at:)), [0, 20, 40, 50])
    }

    func testOutOfRangeSettingsAreRejected() {
        XCTAssertThrowsError(try PolynomialDecay(finalSparsity: 1, endStep: 10))
        XCTAssertThrowsError(try PolynomialDecay(initialSparsity: -0.1, finalSparsity: 0.5, endStep: 10))
        XCTAssertThrowsError(try PolynomialDecay(finalSparsity: 0.5, beginStep: 20, endStep: 10))
        XCTAssertThrowsError(try PolynomialDecay(finalSparsity: 0.5, endStep: 10, frequency: 0))
    }
}
