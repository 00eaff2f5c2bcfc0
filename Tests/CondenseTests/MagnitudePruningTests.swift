import Condense
import CondenseCompress
import CondenseCore
import CondenseNN
import CondenseTestSupport
import XCTest

/// Magnitude masks on hand-checked tensors, and masks that keep pruned weights at zero while the optimizer trains.
final class MagnitudePruningTests: XCTestCase {
    private let weights: [[Float]] = [[3, -1, 2, -4], [0.5, -0.25]]

    func testLayerWiseMasksPruneEachTensorsSmallest() {
        XCTAssertEqual(MagnitudePruning.masks(weights, sparsity: 0.5, scope: .layerWise), [[1, 0, 0, 1], [1, 0]])
        XCTAssertEqual(MagnitudePruning.masks(weights, sparsities: [0.25, 0]), [[1, 0, 1, 1], [1, 1]])
    }

    func testGlobalMasksPruneTheSmallestOfAllTensors() {
        // |w| sorted: 0.25, 0.5, 1, 2, 3, 4 — half of six is the first three.
        XCTAssertEqual(MagnitudePruning.masks(weights, sparsity: 0.5, scope: .global), [[1, 0, 1, 1], [0, 0]])
        XCTAssertEqual(MagnitudePruning.sparsity(of: [[0, 1], [0, 0]]), 0.75)
    }

    func testPrunableWeightsLeaveOutBatchNormBiasesFirstConvAndClassifier() throws {
        let model = try PruningTestSupport.model(.resnet20, width: 0.25, dataset: PruningTestSupport.dataset())
        let names = UnstructuredPruner.prunableWeights(of: model.module, includeFirstAndLast: false).map(\.name)
        XCTAssertEqual(names.count, 18 + 2, "18 block convs and 2 downsample convs")
        XCTAssertFalse(names.contains("conv1.weight"))
        XCTAssertFalse(names.contains("fc.weight"))
        XCTAssertTrue(names.allSatisfy { !$0.contains("bn") && $0.hasSuffix("weight") })
        let all = UnstructuredPruner.prunableWeights(of: model.module, includeFirstAndLast: true).map(\.name)
        XCTAssertEqual(all.first, "conv1.weight")
        XCTAssertEqual(all.last, "fc.weight")
    }

    func testMasksKeepPrunedWeightsAtZeroThroughOptimizerSteps() throws {
        let dataset = PruningTestSupport.dataset()
        let model = try PruningTestSupport.model(.mobilenetv2, width: 0.25, dataset: dataset)
        let pruner = try UnstructuredPruner(model, scope: .global)
        try pruner.prune(to: 0.6)
        let before = try pruner.targets.map { try $0.variable.value.toHost() }
        XCTAssertEqual(MagnitudePruning.sparsity(of: before), 0.6, accuracy: 1e-4)
        var options = TrainingOptions()
        options.epochs = 2
        options.batchSize = 8
        options.weightDecay = 0.1
        // The recipe this test was written for (AdamW 2e-3 with random crops), not today's defaults.
        (options.optimizer, options.learningRate, options.cropPadding) = (.adamw, 2e-3, nil)
        var steps: [Int] = []
        _ = try Training.train(model, on: dataset, options: options, checkpointPath: nil, hooks: TrainingHooks(afterStep: {
            steps.append($0)
            try pruner.afterStep($0)
        }))
        XCTAssertEqual(steps, Array(0..<6), "3 batches of 8 per epoch")
        let after = try pruner.targets.map { try $0.variable.value.toHost() }
        var moved = 0
        for (old, new) in zip(before.joined(), after.joined()) {
            if old == 0 { XCTAssertEqual(new, 0, "a pruned weight came back") } else if old != new { moved += 1 }
        }
        XCTAssertGreaterThan(moved, before.joined().count / 4, "the kept weights trained")
        // Without re-applying the masks, AdamW moves most pruned weights off zero (all but those whose gradient is
        // zero too): the masks are what holds them.
        let unmasked = try PruningTestSupport.model(.mobilenetv2, width: 0.25, dataset: dataset)
        let oneShot = try UnstructuredPruner(unmasked, scope: .global)
        try oneShot.prune(to: 0.6)
        _ = try Training.train(unmasked, on: dataset, options: options, checkpointPath: nil)
        XCTAssertLessThan(MagnitudePruning.sparsity(of: try oneShot.targets.map { try $0.variable.value.toHost() }), 0.3)
    }

    func testTheScheduleRaisesSparsityAndOnlyEpochsAtTheFinalSparsityAreKept() throws {
        let dataset = PruningTestSupport.dataset()
        let model = try PruningTestSupport.model(.resnet20, width: 0.25, dataset: dataset)
        let schedule = try PolynomialDecay(finalSparsity: 0.7, endStep: 4, frequency: 2)
        let pruner = try UnstructuredPruner(model, scope: .layerWise, schedule: schedule)
        var sparsities: [Double] = []
        var options = TrainingOptions()
        options.epochs = 3
        options.batchSize = 8
        // The recipe this test was written for (AdamW 2e-3 with random crops), not today's defaults.
        (options.optimizer, options.learningRate, options.cropPadding) = (.adamw, 2e-3, nil)
        let hooks = TrainingHooks(afterStep: { step in
            try pruner.afterStep(step)
            sparsities.append(pruner.sparsity)
        }, mayKeep: pruner.isAtFinalSparsity(step:))
        _ = try Training.train(model, on: dataset, options: options, checkpointPath: nil, hooks: hooks)
        // Masks at steps 0, 2, 4: s = 0.7·(1 − (1 − t/4)³) = 0, 0.6125, 0.7; held afterwards.
        let expected = [0, 0, 0.6125, 0.6125, 0.7, 0.7, 0.7, 0.7, 0.7]
        XCTAssertEqual(sparsities.count, expected.count)
        for (actual, wanted) in zip(sparsities, expected) { XCTAssertEqual(actual, wanted, accuracy: 1e-12) }
        let weights = try pruner.targets.map { try $0.variable.value.toHost() }
        for (target, values) in zip(pruner.targets, weights) {
            XCTAssertEqual(MagnitudePruning.sparsity(of: [values]), 0.7, accuracy: 0.5 / Double(values.count) + 1e-9,
                           target.name)
        }
        XCTAssertFalse(pruner.isAtFinalSparsity(step: 3))
        XCTAssertTrue(pruner.isAtFinalSparsity(step: 4))
    }
}
