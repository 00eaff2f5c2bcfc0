import CondenseCore
import CondenseDistributed
import CondenseNN
import Foundation

/// Steady-state training throughput of one model on one backend: synthetic input of the model's shape, forward,
/// backward and an SGD step (momentum 0.9, weight decay 5e-4, as the peer scripts in `Benchmarks/peers/` run),
/// timed over `steps` steps after `warmUpSteps` untimed ones, with one synchronization at the end (never mid-step).
///
/// Over a data-parallel job (`group` of N processes) the batch is the global one: each process steps on batch/N
/// images and averages gradients as training does (buckets sent while backward runs), and the result adds each
/// process's images/s and the share of the step spent on communication that backward did not hide.
public enum TrainingBenchmark {
    /// What to measure.
    public struct Options: Sendable {
        public var architecture = Architecture.mobilenetv2
        public var width = 0.35
        public var batchSize = 128
        public var imageSize = 28
        public var channels = 3
        public var classes = 8
        public var warmUpSteps = 2
        public var steps = 10
        public var learningRate: Float = 0.01

        public init() {}
    }

    /// The figures of one run.
    public struct Result: Sendable {
        public let imagesPerSecond: Double
        /// Mean seconds per timed step.
        public let stepSeconds: Double
        /// Mean processor seconds (user + system, all threads) per timed step: steadier than wall time on a busy
        /// machine, and higher than it by the parallelism actually used.
        public let cpuSecondsPerStep: Double
        public let parameters: Int
        /// Peak resident set size of the whole process (`VmHWM`), in bytes.
        public let peakHostBytes: Int
        /// Peak bytes held by the OpenCL buffer pool (nil on the CPU backend).
        public let peakDeviceBytes: Int?
        /// The final training loss (finite when the step did real work).
        public let finalLoss: Float
        /// Images/s of each process of the job (one entry in a single process); `imagesPerSecond` is their sum.
        public let imagesPerSecondByProcess: [Double]
        /// Mean share of a step the training thread waited for gradient communication after backward (0 alone).
        public let exposedCommunicationShare: Double
        /// Mean share of a step the communication thread spent inside allreduce, hidden or not (0 alone).
        public let allreduceShare: Double
    }

    /// Builds the model on `backend`, runs the warm-up and timed steps, and reports. `profile` is reset after the
    /// warm-up, so it covers exactly the timed steps.
    public static func run(_ options: Options, on backend: Backend, over group: any ProcessGroup = SingleProcess(),
                           profile: (() -> Void)? = nil) throws -> Result {
        guard options.batchSize >= 1, options.steps >= 1, options.warmUpSteps >= 0 else {
            throw CondenseError.invalidArgument(op: "bench train", "batch and steps must be ≥ 1, warm-up steps ≥ 0")
        }
        guard options.batchSize % group.size == 0 else {
            throw CondenseError.invalidArgument(op: "bench train", "the batch of \(options.batchSize) images does not " +
                                                "split evenly over \(group.size) processes; give a multiple of " +
                                                "\(group.size)")
        }
        let batchSize = options.batchSize / group.size
        let configuration = ModelConfiguration(architecture: options.architecture, width: options.width,
                                               classes: options.classes, inputChannels: options.channels,
                                               imageSize: options.imageSize)
        let model = try configuration.build(on: backend, seed: 0)
        model.train(true)
        let shape: Shape = [batchSize, options.channels, options.imageSize, options.imageSize]
        var generator = KernelBenchmark.InputGenerator(seed: 7)
        let images = Variable(try backend.tensor(generator.floats(shape.count), shape: shape))
        let labels = try backend.allocate([batchSize], dtype: .int32)
        try (0..<batchSize).map { Int32($0 % options.classes) }.withUnsafeBytes { try backend.write($0, to: labels) }
        let parameters = model.namedParameters().map(\.variable)
        let optimizer = try SGD(parameters, options: SGDOptions(learningRate: options.learningRate, momentum: 0.9,
                                                                weightDecay: 5e-4))
        let averager = group.size > 1 ? GradientAverager(group: group) : nil
        averager?.share = 1 / Float(group.size)
        var loss: Variable?
        func step() throws {
            model.zeroGrad()
            let (value, tape) = try Tape.record { try crossEntropy(try model(images), labels: labels) }
            if let averager { try averager.backward(tape, from: value, averaging: parameters) } else {
                try tape.backward(from: value)
            }
            try optimizer.step()
            loss = value
        }
        for _ in 0..<options.warmUpSteps { try step() }
        try backend.synchronize()
        profile?()
        averager?.resetTimes()
        let start = Stopwatch.now(), cpuStart = processorSeconds()
        for _ in 0..<options.steps { try step() }
        try backend.synchronize()
        let seconds = Stopwatch.now() - start, cpuSeconds = processorSeconds() - cpuStart
        let communication = averager?.times ?? CommunicationTimes()
        // Each process's rate, gathered: every process fills its own slot of a zeroed array and the job sums them.
        var rates = [Double](repeating: 0, count: group.size)
        rates[group.rank] = Double(options.steps * batchSize) / seconds
        try rates.withUnsafeMutableBufferPointer { try group.allreduceSum($0) }
        return Result(imagesPerSecond: rates.reduce(0, +), stepSeconds: seconds / Double(options.steps),
                      cpuSecondsPerStep: cpuSeconds / Double(options.steps), parameters: model.parameterCount,
                      peakHostBytes: peakResidentBytes(),
                      peakDeviceBytes: backend.peakDeviceBytes,
                      finalLoss: try loss?.value.toHost()[0] ?? .nan, imagesPerSecondByProcess: rates,
                      exposedCommunicationShare: communication.exposed / seconds,
                      allreduceShare: communication.reducing / seconds)
    }

    /// User plus system processor seconds of the whole process so far.
    static func processorSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) * 1e-6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// The process's peak resident set size (`VmHWM` in `/proc/self/status`), 0 where that file does not exist.
    static func peakResidentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int(line.split(whereSeparator: \.isWhitespace)[1]) else { return 0 }
        return kilobytes * 1024
    }
}
