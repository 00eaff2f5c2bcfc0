import CondenseCore
import Foundation

/// Random-access reads from a regular file (by `pread`, so a file is never read whole unless asked) or from bytes
/// in memory. Every read is bounds-checked against the size: running past the end is a "truncated" error naming
/// the file, never a trap.
final class ByteSource {
    private enum Storage { case file(Int32), memory(Data) }
    private let storage: Storage
    /// The file's path, or the label given to bytes in memory; errors name it.
    let path: String
    /// Total bytes.
    let size: Int

    /// Opens the regular file at `path` (directories, devices and pipes are refused).
    init(file path: String) throws {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw CondenseError.file(path: path, FileManager.default.fileExists(atPath: path)
                                     ? "cannot read file (unreadable)" : "cannot read file (missing)")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw CondenseError.file(path: path, "not a regular file (a directory, device or pipe)")
        }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw CondenseError.file(path: path, "cannot read file (permission denied)") }
        storage = .file(descriptor)
        self.path = path
        size = Int(status.st_size)
    }

    /// Reads from `bytes`; `path` labels errors.
    init(bytes: Data, path: String) {
        storage = .memory(bytes.startIndex == 0 ? bytes : Data(bytes))
        self.path = path
        size = bytes.count
    }

    deinit { if case let .file(descriptor) = storage { close(descriptor) } }

    /// Bytes `offset..<offset + count`.
    func bytes(_ offset: Int, _ count: Int) throws -> Data {
        try checkRange(offset, count)
        if case let .memory(data) = storage { return data.subdata(in: offset..<(offset + count)) }
        var result = Data(count: count)
        try result.withUnsafeMutableBytes { try copy(offset, into: $0) }
        return result
    }

    /// Fills `destination` with the bytes from `offset` on.
    func copy(_ offset: Int, into destination: UnsafeMutableRawBufferPointer) throws {
        try checkRange(offset, destination.count)
        switch storage {
        case let .memory(data):
            data.withUnsafeBytes { destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + destination.count)])) }
        case let .file(descriptor):
            var done = 0
            while done < destination.count {
                let got = pread(descriptor, destination.baseAddress! + done, destination.count - done, off_t(offset + done))
                if got < 0, errno == EINTR { continue }
                guard got > 0 else {
                    throw CondenseError.file(path: path, "read failed at byte \(offset + done) (the file changed or " +
                                                         "the disk failed)")
                }
                done += got
            }
        }
    }

    private func checkRange(_ offset: Int, _ count: Int) throws {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
            throw CondenseError.file(path: path, "truncated: needs bytes \(offset)..<\(offset &+ count), the file has \(size)")
        }
    }
}
