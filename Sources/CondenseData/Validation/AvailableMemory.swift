import Foundation

/// How much memory the system can give this process now: Linux's `MemAvailable` (free memory plus caches it can
/// drop), else the physical memory when `/proc/meminfo` cannot be read.
enum AvailableMemory {
    static func bytes() -> Int {
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
           let kibibytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) {
            return kibibytes.multipliedReportingOverflow(by: 1024).overflow ? Int.max : kibibytes * 1024
        }
        return Int(clamping: ProcessInfo.processInfo.physicalMemory)
    }
}
