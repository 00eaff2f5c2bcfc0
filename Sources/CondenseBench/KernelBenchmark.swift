import CondenseCore

/// Times each custom kernel on a training-sized input (MobileNetV2 layer shapes at a batch, 128 by default; a GPU
/// needs a larger one for its launches not to dominate), reports the bytes it moves per second beside the device's
/// copy bandwidth, and its largest relative error against the CPU backend.
public enum KernelBenchmark {
    /// One kernel's figures.
    public struct Measurement {
        public let name: String
        /// Bytes read plus bytes written by one call (the minimum traffic the op needs).
        public let bytes: Int
        public let seconds: Double
        /// Largest difference from the CPU backend, relative to the output's largest magnitude.
        public let maxRelativeError: Float
        /// What `seconds` measures: "device events", "wall clock", or the wall clock because the events were
        /// implausible (`DeviceClockCheck`).
        public let timing: String
        public var gbps: Double { Double(bytes) / seconds / 1e9 }
    }

    /// One benchmarked op: its name, its minimum traffic, and how to set it up on a backend. `prepare` builds the
    /// inputs from the same seeded values on every backend and returns the call to time and the tensor it writes.
    struct Case {
        let name: String
        let bytes: Int
        let prepare: (Backend, inout InputGenerator) throws -> (run: () throws -> Void, output: Tensor)
    }

    /// Deterministic inputs, identical on every backend.
    struct InputGenerator {
        private var state: UInt64

        init(seed: UInt64) { state = seed }

        /// `count` values uniform in `range` (a xorshift stream: fast enough for benchmark-sized tensors).
        mutating func floats(_ count: Int, in range: ClosedRange<Float> = -1...1) -> [Float] {
            (0..<count).map { _ in
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                return range.lowerBound + (range.upperBound - range.lowerBound) * Float(state >> 40) / Float(1 << 24)
            }
        }

        mutating func labels(_ count: Int, classes: Int) -> [Int32] {
            floats(count, in: 0...1).map { Int32(min(Int($0 * Float(classes)), classes - 1)) }
        }
    }

    /// Runs every case at `batch` on `backend` and on `reference`, timing only `backend`.
    public static func run(on backend: Backend, reference: Backend, batch: Int = 128) throws -> [Measurement] {
        try cases(batch: batch).map { kernel in
            var generator = InputGenerator(seed: 42)
            let (run, output) = try kernel.prepare(backend, &generator)
            let timer = CallTimer(backend: backend)
            let seconds = try timer.median(warmUp: 3, samples: 11, burst: 8, run)
            var referenceGenerator = InputGenerator(seed: 42)
            let (referenceRun, referenceOutput) = try kernel.prepare(reference, &referenceGenerator)
            try referenceRun()
            let error = relativeError(try output.toHost(), try referenceOutput.toHost())
            return Measurement(name: kernel.name, bytes: kernel.bytes, seconds: seconds, maxRelativeError: error,
                               timing: timer.source)
        }
    }

    /// Largest |a − b| relative to the reference's largest magnitude: sums whose terms cancel (convolutions,
    /// gradients that are differences of probabilities) make a per-element ratio meaningless near zero.
    static func relativeError(_ actual: [Float], _ expected: [Float]) -> Float {
        let scale = max(expected.reduce(Float(0)) { max($0, abs($1)) }, .leastNormalMagnitude)
        return zip(actual, expected).reduce(0) { max($0, abs($1.0 - $1.1)) } / scale
    }

    static func cases(batch: Int) -> [Case] {
        depthwiseConvCases(batch: batch) + softmaxCases(batch: batch) + fakeQuantizeCases(batch: batch)
    }
}
