import CondenseCompress
import CondenseCore
import CondenseData
import CondenseNN

extension CandidateCost {
    /// Measures `model` (a float model): calibrates an INT8 copy on `calibrationImages` training images, serializes
    /// its INT8 ONNX file in memory with the writer `condense export --format onnx-int8` uses (so the bytes are the
    /// file's; a bias that fits in int16 is stored narrower, so trained weights can change the size by a few bytes
    /// per layer), counts the float graph's multiply-adds and, when `latency` is set, times the INT8 model's integer
    /// inference at batch 1 (median of `latencyRuns` calls after three untimed ones, the logits read back each time).
    /// `model`'s own weights are not changed.
    public init(of model: TrainedModel, calibratingOn dataset: ImageDataset, calibrationImages: Int = 64,
                latency: Bool, latencyRuns: Int = 30) throws {
        let quantized = try Quantization.calibrate(model, on: dataset, batches: 1,
                                                   batchSize: max(1, min(calibrationImages, dataset.train.count))).model
        let bytes = try ONNXExport.int8(quantized).serialized().count
        let multiplyAdds = try InferenceGraph(lowering: model).multiplyAdds()
        let milliseconds = latency ? try Self.latencyMilliseconds(of: quantized, runs: latencyRuns) : nil
        self.init(int8Bytes: bytes, multiplyAdds: multiplyAdds, latencyMilliseconds: milliseconds,
                  parameters: model.module.parameterCount)
    }

    /// The median batch-1 latency of `model`'s inference in milliseconds, on zero images of its input shape.
    static func latencyMilliseconds(of model: TrainedModel, runs: Int) throws -> Double {
        let c = model.configuration, backend = try model.module.backend
        model.module.train(false)
        let shape: Shape = [1, c.inputChannels, c.imageSize, c.imageSize]
        let image = Variable(try backend.tensor([Float](repeating: 0, count: shape.count), shape: shape))
        func infer() throws { _ = try Tape.withoutRecording { try model.module(image) }.value.toHost() as [Float] }
        for _ in 0..<3 { try infer() }
        var seconds: [Double] = []
        for _ in 0..<max(1, runs) {
            let start = Stopwatch.now()
            try infer()
            seconds.append(Stopwatch.now() - start)
        }
        return seconds.sorted()[seconds.count / 2] * 1000
    }
}
