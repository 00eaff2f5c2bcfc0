import COpenCL
import CondenseCore

/// Reuses device buffers so training steps do not call `clCreateBuffer`. Sizes are rounded up to a bucket (powers of
/// two split into quarters, at least 256 bytes); a freed buffer waits in its bucket for the next request of that
/// bucket. In-order queue semantics make reuse safe: work that used a buffer is queued before work that reuses it.
public final class BufferPool {
    /// Buffers created with `clCreateBuffer` over the pool's life.
    public private(set) var createdCount = 0
    /// Requests served from a bucket without creating a buffer.
    public private(set) var reusedCount = 0
    /// Bytes currently held by live tensors and by the free buckets.
    public private(set) var residentBytes = 0
    /// The most bytes ever resident at once.
    public private(set) var peakBytes = 0

    private let context: cl_context
    private var free: [Int: [cl_mem]] = [:]

    init(context: cl_context) { self.context = context }

    deinit { for buffer in free.values.joined() { clReleaseMemObject(buffer) } }

    /// The bucket a request of `byteCount` bytes is served from.
    public static func bucketSize(for byteCount: Int) -> Int {
        let minimum = 256
        guard byteCount > minimum else { return minimum }
        let power = 1 << (Int.bitWidth - (byteCount - 1).leadingZeroBitCount - 1)  // largest power of two < byteCount
        let quarter = max(power / 4, 1)
        return (byteCount + quarter - 1) / quarter * quarter
    }

    /// Bytes every buffer has past its request, so a kernel may load a whole vector (up to `float16`) that starts
    /// inside the tensor without reading outside the allocation (the depthwise row kernels load rows that way).
    public static let readSlack = 64

    /// A buffer of at least `byteCount + readSlack` bytes, reused when one of its bucket is free.
    func acquire(byteCount: Int) throws -> (buffer: cl_mem, capacity: Int) {
        let capacity = Self.bucketSize(for: byteCount + Self.readSlack)
        if let buffer = free[capacity]?.popLast() {
            reusedCount += 1
            return (buffer, capacity)
        }
        var status: cl_int = CL_SUCCESS
        let created = clCreateBuffer(context, cl_mem_flags(CL_MEM_READ_WRITE), capacity, nil, &status)
        try check(status, "clCreateBuffer(\(capacity) bytes)")
        guard let buffer = created else {
            throw CondenseError.openCL(call: "clCreateBuffer(\(capacity) bytes)", status: "CL_MEM_OBJECT_ALLOCATION_FAILURE")
        }
        createdCount += 1
        residentBytes += capacity
        peakBytes = max(peakBytes, residentBytes)
        return (buffer, capacity)
    }

    func recycle(_ buffer: cl_mem, capacity: Int) {
        free[capacity, default: []].append(buffer)
    }

    /// Releases every free buffer back to the driver.
    public func trim() {
        for (capacity, buffers) in free {
            for buffer in buffers { clReleaseMemObject(buffer) }
            residentBytes -= capacity * buffers.count
        }
        free.removeAll()
    }
}

/// A device buffer from the pool, returned to it when the last tensor using it goes away.
public final class OpenCLStorage: TensorStorage {
    public let buffer: cl_mem
    public let byteCount: Int
    private let pool: BufferPool

    init(pool: BufferPool, byteCount: Int) throws {
        (buffer, self.byteCount) = try pool.acquire(byteCount: byteCount)
        self.pool = pool
    }

    deinit { pool.recycle(buffer, capacity: byteCount) }
}
