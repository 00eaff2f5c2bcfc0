import CondenseCore

/// SGEMM throughput and copy bandwidth of one backend: the first figures against which every kernel is judged.
public enum GemmBenchmark {
    /// One measured GEMM shape.
    public struct Result {
        public let m: Int, n: Int, k: Int
        public let seconds: Double
        public var gflops: Double { 2 * Double(m) * Double(n) * Double(k) / seconds / 1e9 }
    }

    /// Square sizes plus the shape of a MobileNetV2 1×1 convolution at batch 128 on 14×14 maps (odd, not tile-sized).
    public static let defaultShapes = [(128, 128, 128), (512, 512, 512), (1024, 1024, 1024), (25_088, 96, 16)]

    public static func run(on backend: Backend, shapes: [(Int, Int, Int)] = defaultShapes) throws -> [Result] {
        var generator = SystemRandomNumberGenerator()
        return try shapes.map { m, n, k in
            let a = try backend.tensor((0..<(m * k)).map { _ in Float.random(in: -1...1, using: &generator) }, shape: [m, k])
            let b = try backend.tensor((0..<(k * n)).map { _ in Float.random(in: -1...1, using: &generator) }, shape: [k, n])
            let c = try backend.allocate([m, n], dtype: .float32)
            let descriptor = GemmDescriptor(m: m, n: n, k: k)
            let seconds = try Stopwatch.median(synchronize: backend.synchronize) { try backend.gemm(a, b, c, descriptor) }
            return Result(m: m, n: n, k: k, seconds: seconds)
        }
    }

    /// A copy bandwidth and what timed it ("device events", "wall clock", or the wall clock because the events were
    /// implausible).
    public struct CopyBandwidth {
        public let gbps: Double
        public let timing: String
    }

    /// Device-to-device copy bandwidth in GB/s (bytes read plus bytes written per second) over `megabytes` MB: the
    /// median of 21 copies, so one slow stretch on a shared machine does not set the reference the kernels are
    /// compared with. Timed like the kernels (`CallTimer`: device events where the backend profiles and they are
    /// plausible).
    public static func copyBandwidth(on backend: Backend, megabytes: Int = 64) throws -> CopyBandwidth {
        let count = megabytes * 1_000_000 / 4
        let source = try backend.full([count], value: 1.5)
        let destination = try backend.allocate([count], dtype: .float32)
        let timer = CallTimer(backend: backend)
        let seconds = try timer.median(warmUp: 3, samples: 21) { try backend.copy(source, to: destination) }
        return CopyBandwidth(gbps: 2 * Double(count * 4) / seconds / 1e9, timing: timer.source)
    }
}
