#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension AtomicFileWriter {
    /// Removes the temporary files (`.<name>.tmp-<pid>`) that earlier writes to `path` left behind when their
    /// process died before it could clean up: those whose process no longer exists (`kill(pid, 0)` fails with
    /// ESRCH). Files of live processes, including this one, and names that do not end in a process ID are kept.
    /// Best effort: a directory that cannot be listed is skipped, since the write itself reports real problems.
    static func removeStaleTemporaries(for path: String) {
        let (directory, _) = split(path)
        let prefix = temporaryPrefix(for: path)
        guard let stream = opendir(directory) else { return }
        defer { closedir(stream) }
        let ownID = getpid()
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(cString: bytes.bindMemory(to: CChar.self).baseAddress!)
            }
            guard name.hasPrefix(prefix), let processID = Int32(name.dropFirst(prefix.count)), processID > 0,
                  processID != ownID, kill(processID, 0) == -1, errno == ESRCH else { continue }
            let stale = path.lastIndex(of: "/").map { String(path[...$0]) + name } ?? name
            unlink(stale)
        }
    }
}
