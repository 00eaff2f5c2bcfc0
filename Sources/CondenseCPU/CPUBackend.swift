import CBLAS
import CondenseCore
import Glibc

/// The reference backend: OpenBLAS for GEMM, vectorized Swift kernels (`Kernels/`) for everything else, checked
/// against the textbook loops of the test support's `References/`. Runs where no OpenCL device exists and is what
/// every OpenCL kernel is tested against. Ops run synchronously: each returns when done, having spread its work over
/// the cores.
///
/// Threading rule: one owning thread at a time, as for the OpenCL backend (the profiler's tallies are not locked).
public final class CPUBackend: Backend, @unchecked Sendable {
    public let name = "cpu"
    public let info: DeviceInfo
    /// Wall time per op, when created with profiling on.
    private let opProfiler: OpProfiler?

    /// The backend; with `profiling`, every op's wall time is recorded (`profiler`).
    public init(profiling: Bool = false) {
        Self.configureHost
        opProfiler = profiling ? OpProfiler() : nil
        info = DeviceInfo(backend: "cpu", name: "CPU (OpenBLAS, \(HostParallel.workers) cores)",
                          platform: "host", computeUnits: HostParallel.workers,
                          globalMemoryBytes: Self.physicalMemoryBytes, fp16: false, fp64: true, isGPU: false)
    }

    public func allocate(_ shape: Shape, dtype: DType) throws -> Tensor {
        let shape = try shape.validated(for: "allocate")
        return Tensor(shape: shape, dtype: dtype, storage: CPUStorage(byteCount: shape.count * dtype.byteSize),
                      backend: self)
    }

    public func write(_ bytes: UnsafeRawBufferPointer, to tensor: Tensor) throws {
        let destination = try hostBytes(tensor, "write")
        guard bytes.count == tensor.byteCount else {
            throw CondenseError.shapeMismatch(op: "write", expected: "\(tensor.byteCount) bytes", got: "\(bytes.count)")
        }
        if let base = bytes.baseAddress { destination.copyMemory(from: base, byteCount: bytes.count) }
    }

    public func read(_ tensor: Tensor, into bytes: UnsafeMutableRawBufferPointer) throws {
        let source = try hostBytes(tensor, "read")
        guard bytes.count == tensor.byteCount else {
            throw CondenseError.shapeMismatch(op: "read", expected: "\(tensor.byteCount) bytes", got: "\(bytes.count)")
        }
        if let base = bytes.baseAddress { base.copyMemory(from: source, byteCount: bytes.count) }
    }

    public func fill(_ tensor: Tensor, with value: Float) throws {
        try tensor.cpuFloats("fill").update(repeating: value, count: tensor.count)
    }

    public func copy(_ source: Tensor, to destination: Tensor) throws {
        guard source.dtype == destination.dtype, source.count == destination.count else {
            throw CondenseError.shapeMismatch(op: "copy", expected: "\(source.count) \(source.dtype.rawValue)",
                                              got: "\(destination.count) \(destination.dtype.rawValue)")
        }
        let from = try hostBytes(source, "copy")
        try hostBytes(destination, "copy").copyMemory(from: from, byteCount: source.byteCount)
    }

    public func gemm(_ a: Tensor, _ b: Tensor, _ c: Tensor, _ d: GemmDescriptor) throws {
        try timed("gemm") { try gemmOnHost(a, b, c, d) }
    }

    private func gemmOnHost(_ a: Tensor, _ b: Tensor, _ c: Tensor, _ d: GemmDescriptor) throws {
        try d.validate(a: a, b: b, c: c)
        guard d.m > 0, d.n > 0 else { return }
        d.run(try a.cpuFloats("gemm"), try b.cpuFloats("gemm"), try c.cpuFloats("gemm"))
    }

    public func synchronize() throws {}

    public var profiler: Profiler? { opProfiler }

    /// Tensors live in host memory.
    public var peakDeviceBytes: Int? { nil }

    /// Ops run as they are called: nothing to hold back.
    public func queueingTogether(_ body: () throws -> Void) throws { try body() }

    /// Runs `body`, timed under `name` when a profiler is set.
    @inline(__always)
    func timed<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        guard let opProfiler else { return try body() }
        return try opProfiler.measure(name, body)
    }

    /// The bytes of a tensor of this backend.
    private func hostBytes(_ tensor: Tensor, _ op: String) throws -> UnsafeMutableRawPointer {
        guard tensor.backend === self else { throw CondenseError.backendMismatch(op: op) }
        return UnsafeMutableRawPointer(try tensor.cpuPointer(op, dtype: tensor.dtype, as: UInt8.self))
    }

    /// Once per process: OpenBLAS single-threaded (the backend splits work over cores itself, see `HostParallel`),
    /// and freed blocks of up to 32 MiB kept by malloc instead of unmapped, so the tensors of each training step
    /// reuse the previous step's pages instead of faulting in fresh zeroed ones.
    private static let configureHost: Void = {
        openblas_set_num_threads(1)
        mallopt(M_MMAP_THRESHOLD, 32 << 20)
        mallopt(M_TRIM_THRESHOLD, 1 << 30)
    }()

    private static var physicalMemoryBytes: Int {
        Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
