import CondenseCompress
import CondenseCore
import CondenseNN
import CondenseTestSupport
import Foundation

/// Small trained-looking models for the export tests, and an independent executor for inference graphs.
enum ExportTestModels {
    /// `architecture` at `width`, 8 classes, RGB `size`² inputs, with every batch norm given random statistics and
    /// affine parameters (so folding has something to fold) and a non-trivial normalization.
    static func model(_ architecture: Architecture, width: Double, size: Int = 28, seed: UInt64 = 1) throws -> TrainedModel {
        let configuration = ModelConfiguration(architecture: architecture, width: width, classes: 8, imageSize: size)
        let module = try configuration.build(on: TestDevices.cpu, seed: seed)
        var random = SeededGenerator(seed: seed)
        for batchNorm in batchNorms(in: module) {
            let channels = batchNorm.weight.shape[0]
            for (variable, range) in [(batchNorm.weight, Float(0.5)...3), (batchNorm.bias, -1...4),
                                      (batchNorm.runningMean, -0.3...0.3), (batchNorm.runningVariance, 0.5...2)] {
                try variable.assign(try TestDevices.cpu.tensor(random.floats(channels, in: range), shape: [channels]))
            }
        }
        module.train(false)
        return TrainedModel(configuration: configuration, module: module, normalizationMean: [0.5, 0.4, 0.6],
                            normalizationStd: [0.25, 0.2, 0.3], classNames: (0..<8).map { "class \($0)" })
    }

    /// `architecture` with random batch-norm statistics, calibrated on random images and converted to INT8.
    static func quantized(_ architecture: Architecture, width: Double) throws -> TrainedModel {
        let float = try model(architecture, width: width)
        let prepared = try Quantization.prepare(float)
        let module = prepared.module as! FakeQuantizedClassifier
        module.train(false)
        module.calibrating = true
        let images = images(for: float, count: 4)
        _ = try module(Variable(try TestDevices.cpu.tensor(images.values, shape: images.shape)))
        return try Quantization.convert(prepared)
    }

    private static func batchNorms(in module: Module) -> [BatchNorm2d] {
        (module as? BatchNorm2d).map { [$0] } ?? module.children.flatMap { batchNorms(in: $0.module) }
    }

    /// `count` random images in [0, 1] for `model`, NCHW.
    static func images(for model: TrainedModel, count: Int, seed: UInt64 = 3) -> (values: [Float], shape: Shape) {
        let c = model.configuration
        var random = SeededGenerator(seed: seed)
        return (random.floats(count * c.inputChannels * c.imageSize * c.imageSize, in: 0...1),
                [count, c.inputChannels, c.imageSize, c.imageSize])
    }

    /// The model's own logits for pixels in [0, 1]: normalized on the host, then the module in evaluation mode.
    static func reference(_ model: TrainedModel, _ images: (values: [Float], shape: Shape)) throws -> [Float] {
        let normalized = normalize(images.values, shape: images.shape, mean: model.normalizationMean,
                                   std: model.normalizationStd)
        model.module.train(false)
        return try model.module(Variable(try TestDevices.cpu.tensor(normalized, shape: images.shape))).value.toHost()
    }

    /// Runs `graph` node by node with the CPU backend's ops (`Conv2d` layers given the folded weights), the way an
    /// ONNX runtime would, and returns `logits`.
    static func execute(_ graph: InferenceGraph, _ images: (values: [Float], shape: Shape)) throws -> [Float] {
        try values(of: graph, images)[InferenceGraph.outputName]!.value.toHost()
    }

    /// Every value `graph` computes for `images`, by name (`execute`'s run).
    static func values(of graph: InferenceGraph, _ images: (values: [Float], shape: Shape)) throws -> [String: Variable] {
        let backend = TestDevices.cpu
        var values = [InferenceGraph.inputName: Variable(try backend.tensor(images.values, shape: images.shape))]
        var initializer = Initializer(seed: 0)
        for node in graph.nodes {
            let x = values[node.inputs[0]]!
            switch node.operation {
            case let .normalize(mean, std):
                let host = normalize(try x.value.toHost(), shape: x.shape, mean: mean, std: std)
                values[node.output] = Variable(try backend.tensor(host, shape: x.shape))
            case let .convolution(weight, bias, p):
                let conv = try Conv2d(weight.shape[1] * p.groups, weight.shape[0], kernel: p.kernelHeight,
                                      stride: p.strideHeight, padding: p.paddingHeight, groups: p.groups, bias: true,
                                      on: backend, initializer: &initializer)
                try conv.weight.assign(try weight.tensor(on: backend))
                try conv.bias!.assign(try bias.tensor(on: backend))
                values[node.output] = try conv(x)
            case .relu: values[node.output] = try activation(.relu, x)
            case .relu6: values[node.output] = try activation(.relu6, x)
            case .add: values[node.output] = try add(x, values[node.inputs[1]]!)
            case let .maxPool(p): values[node.output] = try maxPool2d(x, p)
            case .globalAveragePool: values[node.output] = try reshape(try globalAveragePool(x), [x.shape[0], x.shape[1], 1, 1])
            case .flatten: values[node.output] = try reshape(x, [x.shape[0], x.shape.count / x.shape[0]])
            case let .gemm(weight, bias):
                values[node.output] = try linear(x, weight: Variable(try weight.tensor(on: backend)),
                                                 bias: Variable(try bias.tensor(on: backend)))
            }
        }
        return values
    }

    /// `(x − mean[c]) / std[c]` over NCHW values of `shape`.
    private static func normalize(_ values: [Float], shape: Shape, mean: [Float], std: [Float]) -> [Float] {
        let plane = shape[2] * shape[3]
        return values.indices.map { index in
            let channel = (index / plane) % shape[1]
            return (values[index] - mean[channel]) / std[channel]
        }
    }
}
