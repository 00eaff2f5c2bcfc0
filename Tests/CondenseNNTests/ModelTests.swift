import CondenseCore
import CondenseNN
import CondenseTestSupport
import XCTest

/// Model structure: parameter counts equal torchvision's, PyTorch's parameter names, every family builds and runs.
final class ModelTests: XCTestCase {
    func testParameterCountsEqualTorchvision() throws {
        // torchvision.models.{resnet18, resnet50, mobilenet_v2}(num_classes=1000): sum(p.numel() for p in parameters()).
        let expected: [Architecture: Int] = [.resnet18: 11_689_512, .resnet50: 25_557_032, .mobilenetv2: 3_504_872]
        for (architecture, count) in expected {
            let model = try ModelConfiguration(architecture: architecture, classes: 1000, imageSize: 224)
                .build(on: TestDevices.cpu)
            XCTAssertEqual(model.parameterCount, count, "\(architecture)")
        }
    }

    func testParameterNamesFollowTorchvision() throws {
        let mobilenet = try ModelConfiguration(architecture: .mobilenetv2, classes: 10, imageSize: 224)
            .build(on: TestDevices.cpu)
        let names = Set(mobilenet.namedParameters().map(\.name) + mobilenet.namedBuffers().map(\.name))
        for name in ["features.0.0.weight", "features.0.1.running_var", "features.1.conv.0.0.weight",
                     "features.1.conv.1.weight", "features.2.conv.1.0.weight", "features.2.conv.3.bias",
                     "features.18.1.weight", "classifier.1.weight"] {
            XCTAssertTrue(names.contains(name), "mobilenetv2 lacks \(name)")
        }
        let resnet = try ModelConfiguration(architecture: .resnet50, classes: 10, imageSize: 224).build(on: TestDevices.cpu)
        let resnetNames = Set(resnet.namedParameters().map(\.name))
        for name in ["conv1.weight", "bn1.weight", "layer1.0.conv3.weight", "layer1.0.downsample.0.weight",
                     "layer4.2.bn3.bias", "fc.weight"] {
            XCTAssertTrue(resnetNames.contains(name), "resnet50 lacks \(name)")
        }
    }

    func testEveryFamilyMapsImagesToClassLogits() throws {
        let backend = TestDevices.cpu
        for architecture in Architecture.allCases {
            for (channels, size) in [(3, 28), (1, 32)] {
                let configuration = ModelConfiguration(architecture: architecture, width: 0.25, classes: 8,
                                                       inputChannels: channels, imageSize: size)
                let model = try configuration.build(on: backend)
                model.train(false)
                let input = Variable(try backend.full([2, channels, size, size], value: 0.5))
                XCTAssertEqual(try model(input).shape, [2, 8], "\(architecture) \(channels)×\(size)")
            }
        }
        XCTAssertThrowsError(try ModelConfiguration.architecture(named: "vgg16")) {
            XCTAssertEqual("\($0)", "unknown architecture 'vgg16'; choose one of resnet20, resnet56, resnet18, resnet50, " +
                           "mobilenetv2")
        }
    }

    func testWidthMultiplierRoundsToMultiplesOfEight() {
        XCTAssertEqual(makeDivisible(32 * 0.35), 16)   // 11.2 → 8 would lose more than 10% → 16
        XCTAssertEqual(makeDivisible(1280 * 1.0), 1280)
        XCTAssertEqual(makeDivisible(96 * 0.35), 32)   // 33.6 → 32
        XCTAssertEqual(makeDivisible(24 * 0.5), 16)    // 12 → 16
    }
}
