import CBLAS
import Glibc

/// The reference backend: OpenBLAS for GEMM, plain Swift loops for everything else. Runs where no OpenCL device
/// exists and is what every OpenCL kernel is tested against. Ops run synchronously on the calling thread.
public final class CPUBackend: Backend {
    public let name = "cpu"
    public let info: DeviceInfo

    public init() {
        info = DeviceInfo(backend: "cpu", name: "CPU (OpenBLAS, \(openblas_get_num_threads()) threads)",
                          platform: "host", computeUnits: Int(openblas_get_num_threads()),
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
        try d.validate(a: a, b: b, c: c)
        guard d.m > 0, d.n > 0 else { return }
        let pa = try a.cpuFloats("gemm"), pb = try b.cpuFloats("gemm"), pc = try c.cpuFloats("gemm")
        for batch in 0..<d.batchCount {
            cblas_sgemm(CblasRowMajor, d.transposeA ? CblasTrans : CblasNoTrans, d.transposeB ? CblasTrans : CblasNoTrans,
                        blasint(d.m), blasint(d.n), blasint(d.k), d.alpha,
                        pa + d.offsetA + batch * d.strideA, blasint(d.lda),
                        pb + d.offsetB + batch * d.strideB, blasint(d.ldb), d.beta,
                        pc + d.offsetC + batch * d.strideC, blasint(d.ldc))
        }
    }

    public func synchronize() throws {}

    /// The bytes of a tensor of this backend.
    private func hostBytes(_ tensor: Tensor, _ op: String) throws -> UnsafeMutableRawPointer {
        guard tensor.backend === self else { throw CondenseError.backendMismatch(op: op) }
        return UnsafeMutableRawPointer(try tensor.cpuPointer(op, dtype: tensor.dtype, as: UInt8.self))
    }

    private static var physicalMemoryBytes: Int {
        Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
