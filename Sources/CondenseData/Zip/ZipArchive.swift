import CZlib
import CondenseCore
import Foundation

/// The members of a ZIP archive (what NumPy's `.npz` files are). Opening reads only the central directory (see
/// `ZipDirectory`, which checks it against the file and the `DataLimits`); a member is read when asked for,
/// stored or deflated (through the system zlib) straight into its buffer, and CRC-32 checked.
public struct ZipArchive {
    public let path: String
    private let source: ByteSource
    private let entries: [String: ZipEntry]

    /// Member names in archive order.
    public let names: [String]

    /// Opens the archive at `path` and reads its central directory.
    public init(contentsOf path: String, limits: DataLimits = .standard) throws {
        try self.init(ByteSource(file: path), limits: limits)
    }

    /// Parses an archive held in memory; `path` labels errors.
    public init(bytes: Data, path: String, limits: DataLimits = .standard) throws {
        try self.init(ByteSource(bytes: bytes, path: path), limits: limits)
    }

    private init(_ source: ByteSource, limits: DataLimits) throws {
        self.source = source
        path = source.path
        let entries = try ZipDirectory.entries(of: source, limits: limits)
        self.entries = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0) })
        names = entries.map(\.name)
    }

    /// The uncompressed size member `name`'s directory entry declares (checked against the limits on opening).
    public func size(of name: String) throws -> Int { try entry(name).uncompressedSize }

    /// The uncompressed bytes of member `name`, CRC-checked.
    public func member(_ name: String) throws -> Data {
        let entry = try entry(name)
        var data = Data(count: entry.uncompressedSize)
        try data.withUnsafeMutableBytes { try extract(entry, into: $0, whole: true) }
        let crc = data.withUnsafeBytes { raw in
            stride(from: 0, to: raw.count, by: 1 << 30).reduce(CZlib.crc32(0, nil, 0)) { crc, start in
                let count = min(1 << 30, raw.count - start)
                return CZlib.crc32(crc, raw.baseAddress!.advanced(by: start).assumingMemoryBound(to: Bytef.self), uInt(count))
            }
        }
        guard UInt32(crc) == entry.crc else {
            throw CondenseError.file(path: path, "ZIP member '\(name)': CRC-32 mismatch (the file is corrupt)")
        }
        return data
    }

    /// The first `count` uncompressed bytes of member `name` (all of it when shorter), unchecked by CRC: for
    /// reading a header before deciding whether the whole member can be loaded.
    public func prefix(of name: String, count: Int) throws -> Data {
        let entry = try entry(name)
        let length = min(max(count, 0), entry.uncompressedSize)
        var data = Data(count: length)
        try data.withUnsafeMutableBytes { try extract(entry, into: $0, whole: length == entry.uncompressedSize) }
        return data
    }

    private func entry(_ name: String) throws -> ZipEntry {
        guard let entry = entries[name] else {
            throw CondenseError.file(path: path, "no member '\(name)' in the archive (members: \(names.joined(separator: ", ")))")
        }
        return entry
    }

    /// Fills `destination` from the start of the member's data (past its local header).
    private func extract(_ entry: ZipEntry, into destination: UnsafeMutableRawBufferPointer, whole: Bool) throws {
        let header = ByteReader(data: try source.bytes(entry.localHeaderOffset, min(30, source.size - entry.localHeaderOffset)),
                                path: path)
        guard try header.u32(0) == 0x0403_4B50 else {
            throw CondenseError.file(path: path, "ZIP member '\(entry.name)': bad local header signature")
        }
        let start = entry.localHeaderOffset + 30 + Int(try header.u16(26)) + Int(try header.u16(28))
        guard start <= source.size, entry.compressedSize <= source.size - start else {
            throw CondenseError.file(path: path, "ZIP member '\(entry.name)': truncated (\(entry.compressedSize) bytes " +
                                                 "from byte \(start), the file has \(source.size))")
        }
        if entry.method == 0 {
            try source.copy(start, into: destination)
        } else {
            try Inflater.inflate(source, offset: start, compressedCount: entry.compressedSize, into: destination,
                                 whole: whole, member: entry.name)
        }
    }
}
