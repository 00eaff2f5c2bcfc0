import Condense
import CondenseCore
import CondenseData
import CondenseNN
import CondenseTestSupport

/// Small seeded datasets and models for the pruning tests.
enum PruningTestSupport {
    /// Random 1×6×6 images in 4 classes: 24 train, `validation` val, 8 test.
    static func dataset(validation: Int = 16, seed: UInt64 = 1) -> ImageDataset {
        var random = SeededGenerator(seed: seed)
        func split(_ count: Int) -> ImageSplit {
            ImageSplit(pixels: (0..<(count * 36)).map { _ in UInt8.random(in: 0...255, using: &random) },
                       labels: (0..<count).map { Int32($0 % 4) })
        }
        return ImageDataset(name: "synthetic", channels: 1, height: 6, width: 6, classNames: ["a", "b", "c", "d"],
                            train: split(24), validation: split(validation), test: split(8))
    }

    /// An untrained model for `dataset` whose batch norms hold non-trivial statistics and affine parameters, so
    /// that evaluation-mode outputs depend on every tensor.
    static func model(_ architecture: Architecture, width: Double, dataset: ImageDataset, seed: UInt64 = 3) throws -> TrainedModel {
        let configuration = ModelConfiguration(architecture: architecture, width: width, classes: dataset.classes,
                                               inputChannels: dataset.channels, imageSize: dataset.height)
        let model = TrainedModel(configuration: configuration, module: try configuration.build(on: TestDevices.cpu, seed: seed),
                                 normalizationMean: [0.5], normalizationStd: [0.25], classNames: dataset.classNames)
        var random = SeededGenerator(seed: seed + 1)
        for (name, variable) in model.stateVariables where variable.shape.rank == 1 {
            let range: ClosedRange<Float> = name.hasSuffix("running_var") || name.hasSuffix(".weight") ? 0.5...1.5 : -0.5...0.5
            try variable.assign(try TestDevices.cpu.tensor(random.floats(variable.shape.count, in: range), shape: variable.shape))
        }
        model.module.train(false)
        return model
    }

    /// The model's evaluation-mode logits for a fixed batch of random images.
    static func logits(_ model: TrainedModel, seed: UInt64 = 9) throws -> [Float] {
        var random = SeededGenerator(seed: seed)
        let c = model.configuration
        let shape: Shape = [3, c.inputChannels, c.imageSize, c.imageSize]
        model.module.train(false)
        return try model.module(Variable(try TestDevices.cpu.tensor(random.floats(shape.count), shape: shape))).value.toHost()
    }

    /// The tensor named `name`.
    static func variable(_ model: TrainedModel, _ name: String) -> Variable {
        model.stateVariables.first { $0.name == name }!.variable
    }
}
