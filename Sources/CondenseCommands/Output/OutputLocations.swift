import CondenseCore
import Foundation

/// A path the command line names, with the flag that named it (for messages).
struct NamedPath {
    let flag: String
    let path: String

    init(_ flag: String, _ path: String) {
        self.flag = flag
        self.path = path
    }
}

/// Checks, before any work starts, that every output a command will write can be written without losing anything:
/// an output file may not be any input (the same file after symbolic links, by device and inode, or the same
/// resolved path when it does not exist yet) nor another output; an existing output must be a regular file (not a
/// directory, device, FIFO or socket); its directory must exist and be writable. An output folder must be a
/// directory or creatable under a writable one. Each refusal names the flag.
enum OutputLocations {
    static func check(files: [NamedPath], folder: NamedPath? = nil, inputs: [NamedPath]) throws {
        for (index, output) in files.enumerated() {
            try checkFile(output)
            for other in inputs + files[..<index] where sameFile(output.path, other.path) {
                throw refusal(output, "is the same file as \(other.flag) '\(other.path)'; write to another path")
            }
        }
        if let folder { try checkFolder(folder) }
    }

    private static func checkFile(_ output: NamedPath) throws {
        if let status = status(output.path) {
            switch status.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFDIR: throw refusal(output, "is a directory; give a file path")
            default: throw refusal(output, "exists and is not a regular file (a device, FIFO or socket)")
            }
        }
        let directory = (output.path as NSString).deletingLastPathComponent
        try checkWritableDirectory(directory.isEmpty ? "." : directory, for: output)
    }

    private static func checkFolder(_ output: NamedPath) throws {
        if let status = status(output.path) {
            guard status.st_mode & S_IFMT == S_IFDIR else { throw refusal(output, "exists and is not a directory") }
            return try checkWritableDirectory(output.path, for: output)
        }
        var ancestor = output.path as NSString
        repeat { ancestor = ancestor.deletingLastPathComponent as NSString } while
            ancestor.length > 0 && status(ancestor as String) == nil
        try checkWritableDirectory(ancestor.length == 0 ? "." : ancestor as String, for: output)
    }

    private static func checkWritableDirectory(_ directory: String, for output: NamedPath) throws {
        guard let status = status(directory), status.st_mode & S_IFMT == S_IFDIR else {
            throw refusal(output, "cannot be written: directory '\(directory)' does not exist")
        }
        guard access(directory, W_OK | X_OK) == 0 else {
            throw refusal(output, "cannot be written: directory '\(directory)' is not writable")
        }
    }

    /// Whether two paths name one file: the same device and inode when both exist, else the same resolved path.
    private static func sameFile(_ first: String, _ second: String) -> Bool {
        if let a = status(first), let b = status(second) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino }
        return resolved(first) == resolved(second)
    }

    private static func resolved(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// `stat(2)` of `path` (following symbolic links), nil when nothing is there.
    private static func status(_ path: String) -> stat? {
        var result = stat()
        return stat(path, &result) == 0 ? result : nil
    }

    private static func refusal(_ output: NamedPath, _ reason: String) -> CondenseError {
        .invalidArgument(op: output.flag, "'\(output.path)' \(reason)")
    }
}
