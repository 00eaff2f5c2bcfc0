/// A place where tensors live and ops run. `CPUBackend` and `OpenCLBackend` implement every op; no op exists on one
/// backend only. Ops are coarse on purpose (one call does a whole layer's work), write into outputs the caller
/// allocated, and may be queued asynchronously: only `read`, `synchronize` and a started read's `wait()` wait for
/// the device.
///
/// The op families beyond storage and GEMM are separate protocols (`DepthwiseConvOps`, `SoftmaxOps`, …) that both
/// backends adopt, so each family's contract sits in one file.
public protocol Backend: AnyObject, SoftmaxOps, DepthwiseConvOps, OptimizerOps, ReductionOps, ElementwiseOps,
    BatchNormOps, ConvOps, PoolingOps, FakeQuantOps, AttentionOps {
    /// Short identifier used on the command line and in reports: `cpu`, `opencl:0`.
    var name: String { get }
    /// The device behind this backend.
    var info: DeviceInfo { get }

    /// A tensor with undefined contents: never read what no op wrote.
    func allocate(_ shape: Shape, dtype: DType) throws -> Tensor
    /// Copies `bytes` (exactly `tensor.byteCount` of them) from the host into `tensor`.
    func write(_ bytes: UnsafeRawBufferPointer, to tensor: Tensor) throws
    /// Copies `tensor` to the host; waits for every op queued before it.
    func read(_ tensor: Tensor, into bytes: UnsafeMutableRawBufferPointer) throws
    /// Queues a copy of `tensor` to the host behind every op queued before it and returns without waiting for it;
    /// the bytes are in place once the returned read's `wait()` returns. `bytes` must stay allocated and untouched
    /// until then. A synchronous backend copies at once (the default).
    func startRead(_ tensor: Tensor, into bytes: UnsafeMutableRawBufferPointer) throws -> PendingRead
    /// Sets every element of a float32 tensor to `value`.
    func fill(_ tensor: Tensor, with value: Float) throws
    /// Copies `source` into `destination` (same dtype and element count).
    func copy(_ source: Tensor, to destination: Tensor) throws
    /// `C = alpha·op(A)·op(B) + beta·C` on row-major float32 matrices, optionally batched with strides.
    func gemm(_ a: Tensor, _ b: Tensor, _ c: Tensor, _ descriptor: GemmDescriptor) throws
    /// Waits until every queued op has finished.
    func synchronize() throws

    /// Time per op or kernel, when the backend was created with profiling on; nil otherwise.
    var profiler: Profiler? { get }
    /// The most bytes of device memory held at once so far; nil where tensors live in host memory.
    var peakDeviceBytes: Int? { get }
    /// Runs `body` so that the ops it queues start together: the OpenCL backend holds them behind a gate until
    /// `body` returns, so a benchmark times the device without the host's enqueueing beside it; a synchronous
    /// backend just runs `body`.
    func queueingTogether(_ body: () throws -> Void) throws
}

extension Backend {
    public func startRead(_ tensor: Tensor, into bytes: UnsafeMutableRawBufferPointer) throws -> PendingRead {
        try read(tensor, into: bytes)
        return .complete
    }
}
