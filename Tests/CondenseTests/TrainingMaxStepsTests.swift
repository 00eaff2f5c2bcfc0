import Condense
import CondenseCore
import CondenseNN
import CondenseTestSupport
import XCTest

/// `TrainingOptions.maxSteps`: a run cut after that many optimizer steps, validated and kept like an epoch's end,
/// whose steps are exactly the first steps of the whole run.
final class TrainingMaxStepsTests: TrainingTestCase {
    private let backend = TestDevices.cpu

    /// The final weights, the steps taken, the epochs ended, and the weights after `snapshotAfter` steps.
    private func train(epochs: Int, maxSteps: Int?, snapshotAfter: Int = 0, seed: UInt64 = 8) throws
        -> (weights: [[Float]], steps: [Int], epochs: [Int], snapshot: [[Float]]) {
        let model = try ModelFactory.model(.resnet20, width: 0.25, for: dataset, seed: seed, on: backend)
        var options = TrainingOptions()
        options.epochs = epochs
        options.batchSize = 2
        options.maxSteps = maxSteps
        var steps: [Int] = [], epochsEnded: [Int] = [], snapshot: [[Float]] = []
        func weights() throws -> [[Float]] { try model.module.namedParameters().map { try $0.variable.value.toHost() } }
        let hooks = TrainingHooks(afterStep: { step in
            steps.append(step)
            if step + 1 == snapshotAfter { snapshot = try weights() }
        }, mayKeep: { _ in false })
        _ = try Training.train(model, on: dataset, options: options, checkpointPath: nil, hooks: hooks) {
            if case .epoch(let epoch, _, _, _, _, _) = $0 { epochsEnded.append(epoch) }
        }
        return (try weights(), steps, epochsEnded, snapshot)
    }

    func testARunStopsAfterTheStepsAndTakesTheWholeRunsFirstSteps() throws {
        // 5 images in batches of 2: 3 steps an epoch; 4 steps end in the second epoch.
        let cut = try train(epochs: 5, maxSteps: 4)
        XCTAssertEqual(cut.steps, [0, 1, 2, 3])
        XCTAssertEqual(cut.epochs, [1, 2], "the epoch the last step falls in ends (and validates) there")
        let whole = try train(epochs: 5, maxSteps: nil, snapshotAfter: 4)
        XCTAssertEqual(whole.steps.count, 15)
        XCTAssertEqual(cut.weights, whole.snapshot, "the cut run's weights are the whole run's after 4 steps")
        XCTAssertNotEqual(try train(epochs: 2, maxSteps: 4).weights, cut.weights,
                          "the schedule is the whole run's: a 2-epoch run decays sooner")
        XCTAssertEqual(try train(epochs: 1, maxSteps: 100).steps.count, 3, "fewer steps than the limit: all of them")
    }

    func testAZeroLimitIsRefusedByName() throws {
        XCTAssertThrowsError(try train(epochs: 1, maxSteps: 0)) { error in
            XCTAssertTrue("\(error)".contains("most optimizer steps must be ≥ 1"), "\(error)")
        }
    }
}
