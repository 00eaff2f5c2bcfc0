#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that readers see either the old contents or the complete new ones, never a partial file.
///
/// The bytes go to `.<name>.tmp-<pid>` in the target's directory; the file is `fsync`ed, closed, and `rename(2)`d
/// over the target (atomic within one file system), then the directory is `fsync`ed so the rename survives a
/// crash. If anything fails, including the caller's body throwing, the temporary file is removed and the target
/// is left as it was. A replaced file keeps its permission bits; a new one gets 0666 less the umask.
///
/// Only regular files are replaced: a target that exists and is anything else once symbolic links are followed (a
/// directory, a device such as `/dev/full`, a FIFO, a socket) is refused before anything is written, since the
/// rename would put a regular file in its place. A SIGINT, SIGTERM or SIGHUP during the write removes the temporary
/// file (`TemporaryFileCleanup`), and each write first removes the temporary files that earlier writes to the
/// same path left when their process died some other way (`kill -9`, a crash).
public enum AtomicFileWriter {
    /// Where the body writes its bytes, in order.
    public final class Output {
        fileprivate let descriptor: Int32
        fileprivate let path: String
        /// Bytes written so far.
        public private(set) var byteCount = 0

        fileprivate init(descriptor: Int32, path: String) {
            self.descriptor = descriptor
            self.path = path
        }

        /// Appends `bytes` to the file.
        public func write(_ bytes: UnsafeRawBufferPointer) throws {
            guard var address = bytes.baseAddress else { return }
            var remaining = bytes.count
            while remaining > 0 {
                let written = posixWrite(descriptor, address, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw CondenseError.file(path: path, "write failed after \(byteCount) bytes: \(systemError())")
                }
                address += written
                remaining -= written
                byteCount += written
            }
        }

        /// Appends `bytes` to the file.
        public func write(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes { try write($0) }
        }
    }

    /// Writes the file at `path` with what `body` writes to its output, atomically.
    ///
    /// - Throws: `CondenseError.file` naming `path` when the temporary file cannot be created, written, synced or
    ///   renamed; an error thrown by `body` is rethrown as `CondenseError.file` naming `path` too (a
    ///   `CondenseError.file` from the body passes through unchanged).
    public static func write(to path: String, _ body: (Output) throws -> Void) throws {
        let directory = split(path).directory
        let temporary = temporaryPath(for: path)
        var mode: mode_t = 0o666
        var existing = stat()
        let replacing = stat(path, &existing) == 0
        if replacing {
            if let kind = nonRegularKind(existing.st_mode) {
                throw CondenseError.file(path: path, "is \(kind), not a regular file; refusing to replace it " +
                                         "(give the path of a file to write)")
            }
            mode = existing.st_mode & 0o7777
        }
        removeStaleTemporaries(for: path)

        let slot = TemporaryFileCleanup.register(temporary)
        defer { slot.map(TemporaryFileCleanup.unregister) }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw CondenseError.file(path: path, "cannot create the temporary file \(temporary): \(systemError())")
        }
        var isOpen = true
        do {
            if replacing { _ = fchmod(descriptor, mode) }  // the umask applied to open(2); keep the old file's bits
            do {
                try body(Output(descriptor: descriptor, path: path))
            } catch let error as CondenseError {
                if case .file = error { throw error }
                throw CondenseError.file(path: path, "not written (\(error)); the previous file, if any, is unchanged")
            } catch {
                throw CondenseError.file(path: path, "not written (\(error)); the previous file, if any, is unchanged")
            }
            guard fsync(descriptor) == 0 else { throw CondenseError.file(path: path, "fsync failed: \(systemError())") }
            isOpen = false
            guard close(descriptor) == 0 else { throw CondenseError.file(path: path, "close failed: \(systemError())") }
            guard rename(temporary, path) == 0 else {
                throw CondenseError.file(path: path, "cannot rename \(temporary) over it: \(systemError())")
            }
        } catch {
            if isOpen { close(descriptor) }
            unlink(temporary)
            throw error
        }
        syncDirectory(directory)
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { try $0.write(bytes) }
    }

    /// `.<name>.tmp-<pid>` beside `path`.
    static func temporaryPath(for path: String, processID: Int32 = getpid()) -> String {
        let prefix = path.lastIndex(of: "/").map { String(path[...$0]) } ?? ""
        return prefix + temporaryPrefix(for: path) + String(processID)
    }

    /// `.<name>.tmp-`: the file name of `path`'s temporary files, up to the process ID.
    static func temporaryPrefix(for path: String) -> String { ".\(split(path).name).tmp-" }

    /// What kind of file `mode` describes when it is not a regular file ("a directory"), nil for a regular file.
    private static func nonRegularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a directory"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFSOCK: "a socket"
        default: "a special file"
        }
    }

    /// The directory (`.` when none is given) and the last component of `path`.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    /// Makes a rename in `directory` durable; best effort (some file systems refuse fsync on directories).
    private static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }
}

/// The text of the current `errno` ("No such file or directory").
private func systemError() -> String { String(cString: strerror(errno)) }

/// `write(2)`, named apart from `Output.write`.
private func posixWrite(_ descriptor: Int32, _ address: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, address, count)
}
