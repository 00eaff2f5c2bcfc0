import CondenseCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock(2)` on `run.lock` in a run folder, held while a `Pipeline` lives, so that two `condense run`s
/// into one folder cannot both redo (and overwrite) every stage. The holder writes its process ID, host and start
/// time into the file; a second run fails at once and says who holds it. The kernel releases the lock when the
/// process ends, however it ends, so a stale file never blocks a later run.
final class RunFolderLock {
    /// The lock file's name inside the folder.
    static let fileName = "run.lock"
    private let descriptor: Int32

    /// Takes the lock on `folder`, or throws `CondenseError.file` naming the folder and the holder.
    init(folder: String) throws {
        let path = folder + "/" + Self.fileName
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CondenseError.file(path: folder, "cannot create its lock file \(Self.fileName): " +
                                     "\(String(cString: strerror(errno))); choose a folder you can write to")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            let holder = Self.holder(descriptor)
            close(descriptor)
            guard reason == EWOULDBLOCK else {
                throw CondenseError.file(path: path, "cannot lock it: \(String(cString: strerror(reason)))")
            }
            throw CondenseError.file(path: folder, "another condense run is using this folder (\(holder)); wait " +
                                     "for it to finish or choose another --out folder")
        }
        self.descriptor = descriptor
        let record = Array(Self.currentHolder().utf8)
        _ = ftruncate(descriptor, 0)
        _ = record.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    deinit { close(descriptor) }

    /// "PID 4242 on host gpu-3 since 2026-12-07T00:41:10Z".
    private static func currentHolder() -> String {
        "PID \(ProcessInfo.processInfo.processIdentifier) on host \(ProcessInfo.processInfo.hostName) since " +
            ISO8601DateFormatter().string(from: Date())
    }

    /// What the holder wrote in the lock file (at most 1 KiB of it), or a note that it wrote nothing yet.
    private static func holder(_ descriptor: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        let text = count > 0 ? String(decoding: buffer[..<count], as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines) : ""
        return text.isEmpty ? "its holder has not written its PID yet" : text
    }
}
