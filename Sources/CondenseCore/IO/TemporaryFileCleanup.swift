#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// Removes the temporary files of saves in progress when the process is stopped by SIGINT, SIGTERM or SIGHUP, so
/// that an interrupted save leaves no hidden `.NAME.tmp-PID` file behind.
///
/// `AtomicFileWriter` registers each temporary file while it exists. The handler, installed on the first
/// registration for each of those signals whose disposition is not "ignore", unlinks the registered paths (only
/// async-signal-safe calls: atomic loads, `unlink`), restores the disposition it replaced and raises the signal
/// again, so the process ends (or the earlier handler runs) as it would have without us. At most `slotCount` saves
/// are covered at once; a save beyond that still works, unprotected, and the next save to its path removes what
/// it left (`AtomicFileWriter.removeStaleTemporaries`).
enum TemporaryFileCleanup {
    /// How many temporary files can be registered at the same time (one bit each of `ready`).
    static let slotCount = 64
    /// Bytes per registered path, its terminating NUL included.
    static let pathCapacity = Int(PATH_MAX) + 1

    /// The signals after which no temporary file should stay.
    private static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    /// `signal`'s index in `signals`, without touching the array (async-signal-safe).
    private static func index(of signal: Int32) -> Int? {
        switch signal {
        case SIGINT: 0
        case SIGTERM: 1
        case SIGHUP: 2
        default: nil
        }
    }
    /// Slot `i`'s NUL-terminated path at `paths + i × pathCapacity`; written only while the slot is claimed and
    /// not ready.
    nonisolated(unsafe) private static let paths = UnsafeMutablePointer<CChar>.allocate(capacity: slotCount * pathCapacity)
    /// The dispositions the handler replaced, in the order of `signals`.
    nonisolated(unsafe) private static let previousActions: UnsafeMutablePointer<sigaction> = {
        let actions = UnsafeMutablePointer<sigaction>.allocate(capacity: 3)
        actions.initialize(repeating: sigaction(), count: 3)
        return actions
    }()
    /// Bit `i`: slot `i` belongs to a save (taken and given back by the saving threads).
    private static let claimed = Atomic<UInt64>(0)
    /// Bit `i`: slot `i` holds a complete path that the handler must remove.
    private static let ready = Atomic<UInt64>(0)
    /// Installs the handler once, on first use.
    private static let installation: Void = installHandler()

    /// Registers `path` for removal on a fatal signal; returns the slot to pass to `unregister`, or nil when every
    /// slot is taken or the path does not fit one.
    static func register(_ path: String) -> Int? {
        _ = installation
        let bytes = Array(absolute(path).utf8CString)
        guard bytes.count <= pathCapacity else { return nil }
        var current = claimed.load(ordering: .relaxed)
        while current != .max {
            let slot = (~current).trailingZeroBitCount
            let (exchanged, original) = claimed.compareExchange(expected: current, desired: current | (1 << slot),
                                                                ordering: .acquiring)
            if exchanged {
                bytes.withUnsafeBufferPointer { source in
                    (paths + slot * pathCapacity).update(from: source.baseAddress!, count: source.count)
                }
                ready.bitwiseOr(1 << slot, ordering: .releasing)
                return slot
            }
            current = original
        }
        return nil
    }

    /// Forgets the path in `slot` (after it was renamed or removed).
    static func unregister(_ slot: Int) {
        ready.bitwiseAnd(~(UInt64(1) << slot), ordering: .sequentiallyConsistent)
        claimed.bitwiseAnd(~(UInt64(1) << slot), ordering: .releasing)
    }

    /// `path` from the root, so that the handler removes the right file whatever the working directory is then.
    private static func absolute(_ path: String) -> String {
        guard !path.hasPrefix("/"), let directory = getcwd(nil, 0) else { return path }
        defer { free(directory) }
        return String(cString: directory) + "/" + path
    }

    /// Unlinks every registered path; async-signal-safe.
    fileprivate static func removeRegistered() {
        let mask = ready.load(ordering: .acquiring)
        for slot in 0..<slotCount where mask & (1 << slot) != 0 {
            unlink(paths + slot * pathCapacity)
        }
    }

    /// Puts back the disposition the handler replaced for `signal`; async-signal-safe.
    fileprivate static func restorePrevious(_ signal: Int32) {
        guard let index = index(of: signal) else { return }
        sigaction(signal, previousActions + index, nil)
    }

    private static func installHandler() {
        // Initialize every global the handler reads now: lazy initialization is not async-signal-safe.
        _ = (paths, ready.load(ordering: .relaxed))
        for signal in signals {
            guard let index = index(of: signal) else { continue }
            var action = sigaction()
            action.__sigaction_handler.sa_handler = cleanupHandler
            sigemptyset(&action.sa_mask)
            guard sigaction(signal, nil, previousActions + index) == 0 else { continue }
            let previous = previousActions[index].__sigaction_handler.sa_handler
            if previousActions[index].sa_flags & SA_SIGINFO == 0, unsafeBitCast(previous, to: Int.self) ==
                unsafeBitCast(SIG_IGN, to: Int.self) {
                continue  // an ignored signal does not end the process, so its temporary files are not orphaned
            }
            sigaction(signal, &action, nil)
        }
    }
}

/// The signal handler: remove the temporary files, then let the signal do what it did before.
private let cleanupHandler: @convention(c) (Int32) -> Void = { signal in
    let savedErrno = errno
    TemporaryFileCleanup.removeRegistered()
    TemporaryFileCleanup.restorePrevious(signal)
    raise(signal)  // blocked until this handler returns, then handled as before
    errno = savedErrno
}
