import CondenseCore
import CondenseNN

/// Latency and throughput of a checkpoint's own inference on one backend — Condense's integer inference for an INT8
/// checkpoint, the float model otherwise — on synthetic normalized images of the model's input shape, each call
/// ending with the logits read back to the host, as a deployment reads them: batch-1 latency (median and 95th
/// percentile over `runs` calls after `warmUp` untimed ones) and the throughput of batches of `batchSize`.
public enum InferenceBenchmark {
    /// What to measure.
    public struct Options: Sendable {
        public var batchSize = 32
        public var runs = 200
        public var warmUp = 20

        public init() {}
    }

    /// The figures of one run.
    public struct Result: Sendable {
        public let latencyMedianSeconds: Double
        public let latencyP95Seconds: Double
        /// Images per second in batches of `Options.batchSize`.
        public let imagesPerSecond: Double
        public let parameters: Int
        /// Whether the checkpoint is INT8 (integer inference).
        public let integer: Bool
    }

    /// Loads the checkpoint at `path` on `backend` and times its inference.
    public static func run(checkpoint path: String, _ options: Options, on backend: Backend) throws -> Result {
        guard options.batchSize >= 1, options.runs >= 1, options.warmUp >= 0 else {
            throw CondenseError.invalidArgument(op: "bench infer", "batch and runs must be ≥ 1, warm-up runs ≥ 0")
        }
        let model = try TrainedModel.load(path, on: backend)
        model.module.train(false)
        let c = model.configuration
        var generator = KernelBenchmark.InputGenerator(seed: 7)
        func infer(batch: Int) throws -> () throws -> Void {
            let shape: Shape = [batch, c.inputChannels, c.imageSize, c.imageSize]
            let images = Variable(try backend.tensor(generator.floats(shape.count), shape: shape))
            return { _ = try Tape.withoutRecording { try model.module(images) }.value.toHost() as [Float] }
        }
        let single = try infer(batch: 1)
        for _ in 0..<options.warmUp { try single() }
        var seconds: [Double] = []
        for _ in 0..<options.runs {
            let start = Stopwatch.now()
            try single()
            seconds.append(Stopwatch.now() - start)
        }
        seconds.sort()
        let batched = try infer(batch: options.batchSize), batches = max(options.runs / 10, 5)
        try batched()
        let start = Stopwatch.now()
        for _ in 0..<batches { try batched() }
        let rate = Double(batches * options.batchSize) / (Stopwatch.now() - start)
        return Result(latencyMedianSeconds: seconds[seconds.count / 2],
                      latencyP95Seconds: seconds[min(seconds.count - 1, Int(0.95 * Double(seconds.count)))],
                      imagesPerSecond: rate, parameters: model.module.parameterCount,
                      integer: model.module is QuantizedClassifier)
    }
}
