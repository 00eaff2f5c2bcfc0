import CondenseCore
import CondenseNN
import CondenseTestSupport
import XCTest

/// Every family's stages, applied in order, compute its forward pass, and every parameter lives in one stage.
final class StagedModelTests: XCTestCase {
    func testStagesComposeToTheForwardPass() throws {
        let backend = TestDevices.cpu
        var random = SeededGenerator(seed: 4)
        for architecture in Architecture.allCases {
            for size in [8, 72] where architecture != .mobilenetv2 || size == 8 {
                let configuration = ModelConfiguration(architecture: architecture, width: 0.25, classes: 5,
                                                       inputChannels: 2, imageSize: size)
                let model = try configuration.build(on: backend, seed: 2)
                model.train(false)
                guard let staged = model as? StagedModel else { return XCTFail("\(architecture) is not staged") }
                let input = Variable(try backend.tensor(random.floats(2 * 2 * size * size), shape: [2, 2, size, size]))
                let composed = try staged.stages.reduce(input) { try $1.module($0) }
                XCTAssertEqual(try composed.value.toHost(), try model(input).value.toHost(), "\(architecture) \(size) px")
                let names = model.namedParameters().map(\.name) + model.namedBuffers().map(\.name)
                XCTAssertTrue(names.allSatisfy { staged.stageIndex(of: $0) != nil }, "\(architecture)")
                XCTAssertEqual(staged.stageIndex(of: names[0]), 0)
            }
        }
    }
}
