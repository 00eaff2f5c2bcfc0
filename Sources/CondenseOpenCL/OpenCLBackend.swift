import COpenCL
import CondenseCore

/// The OpenCL backend: one context and one in-order queue on one device, programs built once and cached, buffers
/// from a size-bucketed pool, GEMM through CLBlast and everything else through `Kernels/*.cl`. Work is queued
/// asynchronously; only `read` and `synchronize` wait.
///
/// Threading rule: one backend, one queue, one owning thread at a time (kernel objects carry their arguments).
public final class OpenCLBackend: Backend, @unchecked Sendable {
    public let name: String
    public let info: DeviceInfo
    public let pool: BufferPool
    /// Per-kernel device times, when the backend was created with profiling on.
    let kernelProfiler: KernelProfiler?
    /// How streaming kernels chunk their data (and whether GEMMs run `Kernels/gemm.cl`): from the device and its
    /// implementation (`ChunkTiling.forDevice`); tests set the other one to check both. Its work-groups are fitted
    /// to `kernelGroupLimit` whenever it is set.
    public var tiling: ChunkTiling {
        didSet {
            let fitted = tiling.fitting(groupLimit: kernelGroupLimit)
            if fitted != tiling { tiling = fitted }
        }
    }
    /// The most work-items per group the ops use on this driver (`kernelGroupLimit(context:device:…)`).
    let kernelGroupLimit: Int
    /// `CL_DEVICE_LOCAL_MEM_SIZE`: the most local memory one work-group may use.
    let localMemoryBytes: Int

    let context: cl_context
    var queue: cl_command_queue?
    let device: cl_device_id
    let programs: ProgramCache

    /// Opens `handle`'s device; `index` is its position in `OpenCLDiscovery.devices()` (used in `name`). Tuned
    /// CLBlast parameters in the device's tuning folder (`CLBlastTuning`) are applied first.
    public init(_ handle: OpenCLDeviceHandle, index: Int, profiling: Bool = false) throws {
        try CLBlastTuning.load(folder: CLBlastTuning.folder(forDevice: handle.info.name)).apply(to: handle.device)
        var status: cl_int = CL_SUCCESS
        var device: cl_device_id? = handle.device
        let createdContext = clCreateContext(nil, 1, &device, nil, nil, &status)
        try check(status, "clCreateContext")
        guard let context = createdContext else { throw CondenseError.openCL(call: "clCreateContext", status: "none") }
        let properties = profiling ? cl_command_queue_properties(CL_QUEUE_PROFILING_ENABLE) : 0
        let createdQueue = clCreateCommandQueue(context, handle.device, properties, &status)
        if status != CL_SUCCESS { clReleaseContext(context) }
        try check(status, "clCreateCommandQueue")
        guard let queue = createdQueue else { throw CondenseError.openCL(call: "clCreateCommandQueue", status: "none") }
        self.context = context
        self.queue = queue
        self.device = handle.device
        name = "opencl:\(index)"
        info = handle.info
        pool = BufferPool(context: context)
        localMemoryBytes = Int(try OpenCLDiscovery.deviceValue(handle.device, cl_device_info(CL_DEVICE_LOCAL_MEM_SIZE))
                               as cl_ulong)
        programs = ProgramCache(context: context, device: handle.device,
                                workItemSizes: try OpenCLDiscovery.workItemSizes(of: handle.device),
                                localMemoryBytes: localMemoryBytes)
        kernelGroupLimit = try Self.kernelGroupLimit(of: programs)
        kernelProfiler = profiling ? KernelProfiler() : nil
        tiling = ChunkTiling.forDevice(handle.info).fitting(groupLimit: kernelGroupLimit)
    }

    deinit {
        clFinish(queue)
        clReleaseCommandQueue(queue)
        clReleaseContext(context)
    }

    public func allocate(_ shape: Shape, dtype: DType) throws -> Tensor {
        let shape = try shape.validated(for: "allocate")
        let storage = try OpenCLStorage(pool: pool, byteCount: shape.count * dtype.byteSize)
        return Tensor(shape: shape, dtype: dtype, storage: storage, backend: self)
    }

    /// Queues the upload without waiting: the bytes are staged in a host copy that the driver frees when done.
    public func write(_ bytes: UnsafeRawBufferPointer, to tensor: Tensor) throws {
        let buffer = try self.buffer(tensor, "write")
        guard bytes.count == tensor.byteCount else {
            throw CondenseError.shapeMismatch(op: "write", expected: "\(tensor.byteCount) bytes", got: "\(bytes.count)")
        }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let staging = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 64)
        staging.copyMemory(from: base, byteCount: bytes.count)
        var event: cl_event?
        let status = clEnqueueWriteBuffer(queue, buffer, cl_bool(CL_FALSE), 0, bytes.count, staging, 0, nil, &event)
        guard status == CL_SUCCESS, let event else {
            staging.deallocate()
            try check(status, "clEnqueueWriteBuffer")
            return
        }
        let freeStaging: @convention(c) (cl_event?, cl_int, UnsafeMutableRawPointer?) -> Void = { _, _, data in
            data?.deallocate()
        }
        let registered = clSetEventCallback(event, CL_COMPLETE, freeStaging, staging)
        clReleaseEvent(event)
        if registered != CL_SUCCESS {
            clFinish(queue)
            staging.deallocate()
        }
    }

    public func read(_ tensor: Tensor, into bytes: UnsafeMutableRawBufferPointer) throws {
        let buffer = try self.buffer(tensor, "read")
        guard bytes.count == tensor.byteCount else {
            throw CondenseError.shapeMismatch(op: "read", expected: "\(tensor.byteCount) bytes", got: "\(bytes.count)")
        }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        try check(clEnqueueReadBuffer(queue, buffer, cl_bool(CL_TRUE), 0, bytes.count, base, 0, nil, nil),
                  "clEnqueueReadBuffer")
    }

    /// Queues a non-blocking `clEnqueueReadBuffer` with an event and flushes the queue, so the copy runs behind the
    /// ops before it while the host goes on queuing; the read's `wait()` waits for the event (from any thread) and
    /// holds `tensor`'s buffer until then.
    public func startRead(_ tensor: Tensor, into bytes: UnsafeMutableRawBufferPointer) throws -> PendingRead {
        let buffer = try self.buffer(tensor, "read")
        guard bytes.count == tensor.byteCount else {
            throw CondenseError.shapeMismatch(op: "read", expected: "\(tensor.byteCount) bytes", got: "\(bytes.count)")
        }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return .complete }
        var event: cl_event?
        try check(clEnqueueReadBuffer(queue, buffer, cl_bool(CL_FALSE), 0, bytes.count, base, 0, nil, &event),
                  "clEnqueueReadBuffer")
        try check(clFlush(queue), "clFlush")
        guard event != nil else {
            try synchronize()
            return .complete
        }
        return PendingRead { [tensor] in
            withExtendedLifetime(tensor) {}
            defer { clReleaseEvent(event) }
            try check(clWaitForEvents(1, &event), "clWaitForEvents (read)")
        }
    }

    public func fill(_ tensor: Tensor, with value: Float) throws {
        guard tensor.dtype == .float32 else {
            throw CondenseError.dtypeMismatch(op: "fill", expected: .float32, got: tensor.dtype)
        }
        let buffer = try self.buffer(tensor, "fill")
        guard tensor.count > 0 else { return }
        var pattern = value
        try check(clEnqueueFillBuffer(queue, buffer, &pattern, MemoryLayout<Float>.size, 0, tensor.byteCount, 0, nil, nil),
                  "clEnqueueFillBuffer")
    }

    public func copy(_ source: Tensor, to destination: Tensor) throws {
        guard source.dtype == destination.dtype, source.count == destination.count else {
            throw CondenseError.shapeMismatch(op: "copy", expected: "\(source.count) \(source.dtype.rawValue)",
                                              got: "\(destination.count) \(destination.dtype.rawValue)")
        }
        let from = try buffer(source, "copy"), to = try buffer(destination, "copy")
        guard source.byteCount > 0 else { return }
        var event: cl_event?
        try check(clEnqueueCopyBuffer(queue, from, to, 0, 0, source.byteCount, 0, nil, &event), "clEnqueueCopyBuffer")
        settle(event, name: "copy_buffer")
    }

    public func synchronize() throws {
        try check(clFinish(queue), "clFinish")
    }

    public var profiler: Profiler? { kernelProfiler }

    public var peakDeviceBytes: Int? { pool.peakBytes }

    /// `body`'s commands wait behind a gate (a user event) until it returns, so they start together: a benchmark
    /// then times the device alone, without the host thread's enqueueing competing with a CPU driver's worker
    /// threads for the cores. The gate opens even when `body` throws.
    public func queueingTogether(_ body: () throws -> Void) throws {
        var status: cl_int = CL_SUCCESS
        let created = clCreateUserEvent(context, &status)
        try check(status, "clCreateUserEvent")
        guard let gate = created else { throw CondenseError.openCL(call: "clCreateUserEvent", status: "none") }
        defer {
            clSetUserEventStatus(gate, CL_COMPLETE)
            clReleaseEvent(gate)
        }
        var waitList: cl_event? = gate
        try check(clEnqueueBarrierWithWaitList(queue, 1, &waitList, nil), "clEnqueueBarrierWithWaitList")
        try body()
    }

    /// The device buffer behind a tensor of this backend.
    func buffer(_ tensor: Tensor, _ op: String) throws -> cl_mem {
        guard tensor.backend === self, let storage = tensor.storage as? OpenCLStorage else {
            throw CondenseError.backendMismatch(op: op)
        }
        return storage.buffer
    }
}
