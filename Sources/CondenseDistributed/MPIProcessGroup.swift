import CMPI
import CondenseCore
import Foundation

/// Open MPI's `MPI_COMM_WORLD`. MPI is initialized with `MPI_THREAD_SERIALIZED`: calls may come from any thread
/// (the gradient averager's communication thread, the main thread) but never at the same time, which a lock here
/// guarantees. MPI is finalized when the process exits normally.
public final class MPIProcessGroup: ProcessGroup, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    private let lock = NSLock()

    /// Initializes MPI. Call once per process (`World.group` does).
    init() throws {
        var provided: Int32 = 0
        try Self.check(condense_mpi_init_serialized(&provided), "MPI_Init_thread")
        guard provided >= condense_mpi_thread_serialized() else {
            throw CondenseError.invalidArgument(op: "mpi", "this Open MPI build does not allow calls from more than " +
                                                "one thread (MPI_THREAD_SERIALIZED); Condense's communication " +
                                                "thread needs it")
        }
        var rank: Int32 = 0, size: Int32 = 0
        try Self.check(condense_mpi_rank(&rank), "MPI_Comm_rank")
        try Self.check(condense_mpi_size(&size), "MPI_Comm_size")
        (self.rank, self.size) = (Int(rank), Int(size))
        atexit { _ = condense_mpi_finalize() }
    }

    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws {
        try inChunks(values.count) { start, count in
            condense_mpi_allreduce_sum_float(values.baseAddress! + start, count)
        }
    }

    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws {
        try inChunks(values.count) { start, count in
            condense_mpi_allreduce_sum_double(values.baseAddress! + start, count)
        }
    }

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws {
        try inChunks(bytes.count) { start, count in
            condense_mpi_broadcast_bytes(bytes.baseAddress! + start, count, Int32(root))
        }
    }

    public func abort(_ code: Int32) -> Never {
        _ = condense_mpi_abort(code)
        exit(code)  // MPI_Abort does not return; this satisfies the type checker if it ever does
    }

    /// Runs `call` over `0..<count` in pieces MPI's `int` counts can hold, one call at a time.
    private func inChunks(_ count: Int, _ call: (_ start: Int, _ count: Int32) -> Int32) throws {
        guard count > 0 else { return }
        lock.lock()
        defer { lock.unlock() }
        var start = 0
        while start < count {
            let piece = min(count - start, Int(Int32.max))
            try Self.check(call(start, Int32(piece)), "collective")
            start += piece
        }
    }

    private static func check(_ status: Int32, _ call: String) throws {
        guard status == 0 else { throw CondenseError.invalidArgument(op: "mpi", "\(call) failed with error \(status)") }
    }
}
