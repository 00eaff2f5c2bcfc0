import Foundation

/// A copy from the device to the host that `Backend.startRead` queued and that may still be running. `wait()` returns
/// once the bytes are in place (or throws the copy's failure); it may be called from any thread, and more than once.
/// A read that is dropped unwaited is waited for first, so its destination is never written after it was freed.
public final class PendingRead: @unchecked Sendable {
    private let lock = NSLock()
    private var finish: (() throws -> Void)?
    private var failure: Error?

    /// A read that `finish` completes: it waits for the copy and releases what the copy held.
    public init(finish: @escaping () throws -> Void) {
        self.finish = finish
    }

    /// A read that was done before it was returned (a synchronous backend's).
    public static var complete: PendingRead { PendingRead {} }

    /// Waits for the copy; throws its failure, every time it is asked.
    public func wait() throws {
        lock.lock()
        defer { lock.unlock() }
        if let finish {
            self.finish = nil
            do { try finish() } catch { failure = error }
        }
        if let failure { throw failure }
    }

    deinit { try? finish?() }
}
