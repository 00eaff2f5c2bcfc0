import Foundation

/// The process's peak resident set size so far, from `getrusage` (Linux reports kibibytes).
enum PeakMemory {
    static func bytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }
}
