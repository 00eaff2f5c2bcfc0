import CCondenseKernels
import CondenseCore
import Dispatch

/// How the CPU backend spreads work over cores: every op splits its own work with `DispatchQueue.concurrentPerform`
/// and OpenBLAS runs single-threaded inside it, so the two never compete for the same cores (OpenBLAS's own threads
/// spin between calls, which on a small machine steals the time of the Swift loops beside them).
public enum HostParallel {
    /// The processors this process may run on (its affinity mask, which `mpirun` narrows to each rank's cores, so
    /// two ranks on two cores run two workers, not four): the number of parts work is split into.
    public static let workers = max(1, Int(condense_allowed_processors()))

    /// Splits `0..<count` into at most `parts` contiguous ranges of near-equal size (the split depends only on
    /// `count` and `parts`, never on timing) and runs `body(part, range)` for each, in parallel.
    @inlinable
    public static func forEachRange(_ count: Int, parts: Int = workers, _ body: (Int, Range<Int>) -> Void) {
        let parts = max(1, min(parts, count))
        guard parts > 1 else {
            if count > 0 { body(0, 0..<count) }
            return
        }
        concurrentlyPerform(iterations: parts) { part in
            body(part, count * part / parts..<count * (part + 1) / parts)
        }
    }
}

/// Runs `body` for each of `count` independent planes, across cores when there are enough of them.
/// Each plane writes only its own outputs, so results do not depend on scheduling.
@inlinable
public func parallelPlanes(_ count: Int, _ body: (Int) -> Void) {
    if count < 4 {
        for index in 0..<count { body(index) }
    } else {
        concurrentlyPerform(iterations: count, body)
    }
}

/// `DispatchQueue.concurrentPerform` for the CPU backend's loops, whose bodies capture raw pointers that Swift cannot
/// prove safe to share between threads. They are safe under the rule every caller keeps: each iteration writes only
/// its own part of the outputs, disjoint from every other's, and reads only what no iteration writes.
@usableFromInline
func concurrentlyPerform(iterations: Int, _ body: (Int) -> Void) {
    withoutActuallyEscaping(body) { body in
        let shared = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: iterations) { shared.value($0) }
    }
}

/// A value handed to other threads on its user's word that they share it safely (see `concurrentlyPerform`).
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value

    init(_ value: Value) { self.value = value }
}
