import Foundation

/// Runs one job per index over every core (decoding is the slow part of an import) and collects the results in
/// index order. With `stopAtFirstFailure`, jobs not yet started after a failure are not run (their results are nil);
/// `progress` hears the count of completed jobs after each one, under a lock (one call at a time, counts in order).
enum ConcurrentMap {
    static func map<T: Sendable>(_ count: Int, stopAtFirstFailure: Bool, progress: @Sendable (Int) -> Void,
                                 _ job: @Sendable (Int) -> Result<T, Error>) -> [Result<T, Error>?] {
        let results = Slots<Result<T, Error>>(count)
        let state = NSLock(), tally = Tally()
        DispatchQueue.concurrentPerform(iterations: count) { index in
            if stopAtFirstFailure, state.withLock({ tally.failed }) { return }
            let result = job(index)
            results.set(index, result)
            state.withLock {
                tally.done += 1
                if case .failure = result { tally.failed = true }
                progress(tally.done)
            }
        }
        return results.values
    }

    /// Shared counters, touched only under the lock.
    private final class Tally: @unchecked Sendable {
        var done = 0, failed = false
    }

    /// One slot per index, each written by exactly one job (so no two threads touch the same slot; the slots are
    /// raw memory, not an array property, so writes to different slots are not one exclusive access).
    private final class Slots<T>: @unchecked Sendable {
        private let storage: UnsafeMutableBufferPointer<T?>
        init(_ count: Int) {
            storage = .allocate(capacity: count)
            storage.initialize(repeating: nil)
        }
        deinit {
            storage.deinitialize()
            storage.deallocate()
        }
        func set(_ index: Int, _ value: T) { storage[index] = value }
        var values: [T?] { Array(storage) }
    }
}
