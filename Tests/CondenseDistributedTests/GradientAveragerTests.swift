import CondenseCore
import CondenseDistributed
import CondenseNN
import CondenseTestSupport
import XCTest

/// The averager's bookkeeping in one process, where the sum over the group is the process's own weighted gradient.
final class GradientAveragerTests: XCTestCase {
    private let backend = TestDevices.cpu

    /// A zero parameter of `count` elements whose gradient backward sets to `gradient` (none: never reached).
    private func parameter(_ count: Int, gradient: [Float]?) throws -> Variable {
        let variable = Variable(try backend.full([count], value: 0), requiresGrad: true)
        if let gradient {
            // ∂/∂s of n/2 · mean((s − t)²) is s − t, which at s = 0 and t = −g is g, exactly.
            let target = try backend.tensor(gradient.map { -$0 }, shape: [count])
            let (loss, tape) = try Tape.record {
                try halfMeanSquaredError(variable, target: target, weight: Float(count))
            }
            try tape.backward(from: loss)
        }
        return variable
    }

    func testBucketsKeepOrderAndCloseOnceFull() throws {
        let counts = [3, 5, 1, 8, 2]
        XCTAssertEqual(GradientAverager.buckets(counts, bytes: 6 * 4), [0..<2, 2..<4, 4..<5])
        XCTAssertEqual(GradientAverager.buckets(counts, bytes: 1 << 20), [0..<5])
        XCTAssertEqual(GradientAverager.buckets(counts, bytes: 9 * 4, firstBytes: 2 * 4), [0..<1, 1..<4, 4..<5],
                       "the first bucket closes at its own, smaller size")
    }

    func testGradientsAreWeightedByTheShareAndWrittenBack() throws {
        let first = try parameter(3, gradient: [4, -8, 0.5])
        let second = try parameter(2, gradient: [2, 6])
        let unreached = try parameter(1, gradient: nil)
        let averager = GradientAverager(group: SingleProcess(), bucketBytes: 8)
        averager.share = 0.25
        try averager.average([first, second, unreached])
        XCTAssertEqual(try first.grad?.toHost(), [1, -2, 0.125])
        XCTAssertEqual(try second.grad?.toHost(), [0.5, 1.5])
        XCTAssertEqual(try unreached.grad?.toHost(), [0], "a parameter backward did not reach counts as zero")
    }
}
