import CondenseCore
import Foundation

/// A NumPy `.npz` file: a ZIP archive of `.npy` arrays, looked up by key (`train_images` for `train_images.npy`).
public struct NPZArchive {
    public let archive: ZipArchive
    /// The limits each array's header is checked against.
    public let limits: DataLimits

    public init(contentsOf path: String, limits: DataLimits = .standard) throws {
        try self.init(ZipArchive(contentsOf: path, limits: limits), limits: limits)
    }

    public init(_ archive: ZipArchive, limits: DataLimits = .standard) {
        self.archive = archive
        self.limits = limits
    }

    /// The keys present (member names without `.npy`).
    public var keys: [String] { archive.names.map { $0.hasSuffix(".npy") ? String($0.dropLast(4)) : $0 } }

    /// The header of the array under `key`, read from the start of its member alone and checked against the
    /// member's size (the data must fit in it).
    public func header(_ key: String) throws -> NPYHeader {
        let member = "\(key).npy", label = "\(archive.path) [\(key)]"
        let size = try archive.size(of: member)
        let header = try NPYHeader(parsing: archive.prefix(of: member, count: NPYHeader.prefixLength(limits: limits)),
                                   path: label, limits: limits)
        guard header.dataByteCount <= size - min(header.dataOffset, size) else {
            throw CondenseError.file(path: label, "shape \(header.shape) of \(header.descr) needs \(header.dataByteCount) " +
                                                  "bytes, the member holds \(size - min(header.dataOffset, size))")
        }
        return header
    }

    /// The array stored under `key`.
    public func array(_ key: String) throws -> NPYArray {
        try NPYArray(parsing: try archive.member("\(key).npy"), path: "\(archive.path) [\(key)]", limits: limits)
    }
}
