import Condense
import CondenseCompress
import CondenseCore
import CondenseNN
import CondenseTestSupport
import Foundation
import XCTest

/// Structured pruning removes channels consistently: a network whose removed channels carry zero weights computes
/// the same function after pruning, the smaller checkpoint reloads, and the in-place removal used by sensitivity
/// analysis matches the physically pruned model.
final class ChannelPruningTests: XCTestCase {
    private let dataset = PruningTestSupport.dataset()
    private let path = FileManager.default.temporaryDirectory.appendingPathComponent("condense-channels-\(getpid()).safetensors").path

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: path) }

    func testGroupsFollowEachFamilysBlocks() throws {
        let mobilenet = try PruningTestSupport.model(.mobilenetv2, width: 0.25, dataset: dataset)
        let groups = try ChannelPruning.groups(of: mobilenet)
        XCTAssertEqual(groups.count, 17, "16 inverted residuals with an expansion, then the last conv")
        XCTAssertEqual(groups[0], ChannelGroup(producers: ["features.2.conv.0.0", "features.2.conv.0.1",
                                                           "features.2.conv.1.0", "features.2.conv.1.1"],
                                               consumers: ["features.2.conv.2"]))
        XCTAssertEqual(groups[16], ChannelGroup(producers: ["features.18.0", "features.18.1"], consumers: ["classifier.1"]))
        XCTAssertEqual(try ChannelPruning.groups(of: try PruningTestSupport.model(.resnet20, width: 0.25, dataset: dataset)).count, 9)
        let resnet50 = try ChannelPruning.groups(of: try PruningTestSupport.model(.resnet50, width: 0.125, dataset: dataset))
        XCTAssertEqual(resnet50.count, 2 * 16)
        XCTAssertEqual(resnet50[1], ChannelGroup(producers: ["layer1.0.conv2", "layer1.0.bn2"], consumers: ["layer1.0.conv3"]))
    }

    func testKeptChannelsAreTheLargestNormsInOrder() {
        XCTAssertEqual(ChannelPruning.keptChannels(norms: [5, 1, 3, 2, 4], ratio: 0.4), [0, 2, 4])
        XCTAssertEqual(ChannelPruning.keptChannels(norms: [1, 1, 1, 1], ratio: 0.5), [0, 1], "ties: earlier first")
        XCTAssertEqual(ChannelPruning.keptChannels(norms: [2, 1], ratio: 0.9), [0], "at least one channel stays")
        XCTAssertEqual(ChannelPruning.keptChannels(norms: [2, 1, 3], ratio: 0), [0, 1, 2])
    }

    func testPruningChannelsThatCarryZeroWeightsKeepsTheFunction() throws {
        for (architecture, width) in [(Architecture.mobilenetv2, 0.25), (.resnet20, 0.5), (.resnet50, 0.125)] {
            let model = try PruningTestSupport.model(architecture, width: width, dataset: dataset)
            let groups = try ChannelPruning.groups(of: model)
            // In every group, silence the first half of the channels: tiny ranking filters (so L1 picks them) and
            // zero inputs in the consumers (so they contribute nothing).
            for group in groups {
                let channels = PruningTestSupport.variable(model, group.name + ".weight").shape[0]
                let silenced = Set(0..<(channels / 2))
                try scale(PruningTestSupport.variable(model, group.name + ".weight"), axis: 0, channels: silenced, by: 1e-3)
                for consumer in group.consumers {
                    try scale(PruningTestSupport.variable(model, consumer + ".weight"), axis: 1, channels: silenced, by: 0)
                }
            }
            let before = try PruningTestSupport.logits(model)
            let pruned = try ChannelPruning.prune(model, ratios: groups.map { _ in 0.5 })
            let expectedChannels = try groups.map { try ChannelPruning.filterNorms(model, $0).count }
            XCTAssertEqual(pruned.configuration.blockChannels, expectedChannels.map { $0 - Int((Double($0) / 2).rounded()) })
            XCTAssertLessThan(pruned.module.parameterCount, model.module.parameterCount)
            assertClose(try PruningTestSupport.logits(pruned), before, rtol: 1e-4, atol: 1e-5, "\(architecture)")
            try pruned.save(to: path)
            let reloaded = try TrainedModel.load(path, on: TestDevices.cpu)
            XCTAssertEqual(reloaded.configuration, pruned.configuration)
            XCTAssertEqual(try PruningTestSupport.logits(reloaded), try PruningTestSupport.logits(pruned), "\(architecture)")
        }
    }

    func testPrunedMobileNetHasTheHandCountedParameters() throws {
        let model = try PruningTestSupport.model(.mobilenetv2, width: 0.25, dataset: dataset)
        var ratios = [Double](repeating: 0, count: 17)
        ratios[0] = 0.25  // features.2: 8 → 48 hidden (expansion 6) → 8; a quarter of 48 is 12 channels
        let pruned = try ChannelPruning.prune(model, ratios: ratios)
        // Each hidden channel costs: 8 expansion weights + 2 BN + 9 depthwise + 2 BN + 8 projection weights.
        XCTAssertEqual(model.module.parameterCount - pruned.module.parameterCount, 12 * (8 + 2 + 9 + 2 + 8))
        XCTAssertEqual(PruningTestSupport.variable(pruned, "features.2.conv.1.0.weight").shape, [36, 1, 3, 3])
        XCTAssertEqual(PruningTestSupport.variable(pruned, "features.2.conv.2.weight").shape, [8, 36, 1, 1])
    }

    func testRemovingChannelsInPlaceMatchesThePhysicallyPrunedModel() throws {
        for (architecture, width) in [(Architecture.mobilenetv2, 0.25), (.resnet50, 0.125)] {
            let model = try PruningTestSupport.model(architecture, width: width, dataset: dataset)
            let groups = try ChannelPruning.groups(of: model)
            let original = try PruningTestSupport.logits(model)
            for index in [0, groups.count / 2, groups.count - 1] {
                var ratios = [Double](repeating: 0, count: groups.count)
                ratios[index] = 0.6
                let physical = try PruningTestSupport.logits(try ChannelPruning.prune(model, ratios: ratios))
                let inPlace = try ChannelPruning.withChannelsRemoved(model, groups[index], ratio: 0.6) {
                    try PruningTestSupport.logits(model)
                }
                assertClose(inPlace, physical, rtol: 1e-4, atol: 1e-5, "\(architecture) group \(index)")
                XCTAssertNotEqual(inPlace, original, "removing 60% of a group changes the output")
            }
            XCTAssertEqual(try PruningTestSupport.logits(model), original, "the weights are restored")
        }
    }

    func testBadRatiosAndWrongBlockChannelsAreClearErrors() throws {
        let model = try PruningTestSupport.model(.resnet20, width: 0.25, dataset: dataset)
        XCTAssertThrowsError(try ChannelPruning.prune(model, ratios: [0.5])) {
            XCTAssertTrue("\($0)".contains("expected 9 ratios"), "\($0)")
        }
        XCTAssertThrowsError(try ChannelPruning.prune(model, ratios: [Double](repeating: 1, count: 9)))
        var configuration = model.configuration
        configuration.blockChannels = [4, 4]
        XCTAssertThrowsError(try configuration.build(on: TestDevices.cpu)) {
            XCTAssertTrue("\($0)".contains("block_channels [4, 4] should be 9 positive counts"), "\($0)")
        }
    }

    /// Multiplies the slices `channels` of `variable` along `axis` (0 or 1) by `factor`.
    private func scale(_ variable: Variable, axis: Int, channels: Set<Int>, by factor: Float) throws {
        var values = try variable.value.toHost()
        let dims = variable.shape.dims, inner = dims[(axis + 1)...].reduce(1, *)
        for index in values.indices where channels.contains(index / inner % dims[axis]) { values[index] *= factor }
        try variable.assign(try TestDevices.cpu.tensor(values, shape: variable.shape))
    }
}
