import Condense
import XCTest

/// ACC and macro one-vs-rest AUC on cases worked out by hand.
final class ClassificationMetricsTests: XCTestCase {
    func testAUCIsTheProbabilityThatAPositiveOutranksANegative() {
        // Class 1 scores 0.1, 0.4 (negatives) and 0.35, 0.8 (positives): of the 4 positive/negative pairs, 3 are
        // ordered correctly → 0.75; class 0 (scores 1 − p) mirrors it → 0.75.
        let probabilities: [Float] = [0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8]
        let labels: [Int32] = [0, 0, 1, 1]
        XCTAssertEqual(ClassificationMetrics.macroAUC(probabilities: probabilities, labels: labels, classes: 2), 0.75,
                       accuracy: 1e-12)
        // Argmax per row: 0, 0, 0, 1 against labels 0, 0, 1, 1 → 3 of 4 correct.
        XCTAssertEqual(ClassificationMetrics.accuracy(probabilities: probabilities, labels: labels, classes: 2), 0.75,
                       accuracy: 1e-12)
    }

    func testTiesCountHalfAndAbsentClassesAreSkipped() {
        // Three classes, class 2 never occurs. Class 0: positives 0.5, 0.5 vs negatives 0.5, 0.2 → pairs
        // (tie, win, tie, win) = 3/4. Class 1: positives 0.3, 0.6 vs negatives 0.3, 0.3 → (tie, tie, win, win) = 3/4.
        let probabilities: [Float] = [0.5, 0.3, 0.2,
                                      0.5, 0.3, 0.2,
                                      0.5, 0.3, 0.2,
                                      0.2, 0.6, 0.2]
        let labels: [Int32] = [0, 0, 1, 1]
        XCTAssertEqual(ClassificationMetrics.macroAUC(probabilities: probabilities, labels: labels, classes: 3), 0.75,
                       accuracy: 1e-12)
    }
}
