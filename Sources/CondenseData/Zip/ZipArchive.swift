import CZlib
import CondenseCore
import Foundation

/// The members of a ZIP archive (what NumPy's `.npz` files are), read whole: the central directory (ZIP64 too, as
/// NumPy writes for large arrays), members stored or deflated (through the system zlib), each CRC-32 checked.
public struct ZipArchive {
    /// One member's place in the archive.
    struct Entry {
        let name: String
        let method: UInt16
        let crc: UInt32
        let compressedSize: Int
        let uncompressedSize: Int
        let localHeaderOffset: Int
    }

    public let path: String
    private let bytes: Data
    private let entries: [String: Entry]

    /// Member names in archive order.
    public let names: [String]

    /// Reads the archive at `path` and its central directory.
    public init(contentsOf path: String) throws {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw CondenseError.file(path: path, "cannot read file (missing or unreadable)")
        }
        try self.init(bytes: bytes, path: path)
    }

    /// Parses an archive held in memory; `path` labels errors.
    public init(bytes: Data, path: String) throws {
        self.bytes = Data(bytes)
        self.path = path
        let reader = ByteReader(data: self.bytes, path: path)
        let directory = try Self.centralDirectory(reader)
        var entries: [String: Entry] = [:], names: [String] = []
        var offset = directory.offset
        for _ in 0..<directory.count {
            guard try reader.u32(offset) == 0x0201_4B50 else {
                throw CondenseError.file(path: path, "corrupt ZIP central directory (bad signature at byte \(offset))")
            }
            let method = try reader.u16(offset + 10), crc = try reader.u32(offset + 16)
            var compressed = Int(try reader.u32(offset + 20)), uncompressed = Int(try reader.u32(offset + 24))
            let nameLength = Int(try reader.u16(offset + 28)), extraLength = Int(try reader.u16(offset + 30))
            let commentLength = Int(try reader.u16(offset + 32))
            var localOffset = Int(try reader.u32(offset + 42))
            let name = String(decoding: try reader.slice(offset + 46, nameLength), as: UTF8.self)
            // ZIP64 extra field (id 1): the 64-bit values of whichever fields above are 0xFFFFFFFF, in order.
            var extra = offset + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = try reader.u16(extra), size = Int(try reader.u16(extra + 2))
                if id == 1 {
                    var field = extra + 4
                    if uncompressed == 0xFFFF_FFFF { uncompressed = Int(try reader.u64(field)); field += 8 }
                    if compressed == 0xFFFF_FFFF { compressed = Int(try reader.u64(field)); field += 8 }
                    if localOffset == 0xFFFF_FFFF { localOffset = Int(try reader.u64(field)) }
                }
                extra += 4 + size
            }
            entries[name] = Entry(name: name, method: method, crc: crc, compressedSize: compressed,
                                  uncompressedSize: uncompressed, localHeaderOffset: localOffset)
            names.append(name)
            offset = extraEnd + commentLength
        }
        self.entries = entries
        self.names = names
    }

    /// The uncompressed bytes of member `name`, CRC-checked.
    public func member(_ name: String) throws -> Data {
        guard let entry = entries[name] else {
            throw CondenseError.file(path: path, "no member '\(name)' in the archive (members: \(names.joined(separator: ", ")))")
        }
        let reader = ByteReader(data: bytes, path: path)
        guard try reader.u32(entry.localHeaderOffset) == 0x0403_4B50 else {
            throw CondenseError.file(path: path, "member '\(name)': bad local header signature")
        }
        let start = entry.localHeaderOffset + 30 + Int(try reader.u16(entry.localHeaderOffset + 26))
            + Int(try reader.u16(entry.localHeaderOffset + 28))
        let stored = try reader.slice(start, entry.compressedSize)
        let data: Data
        switch entry.method {
        case 0: data = stored
        case 8: data = try inflate(stored, expected: entry.uncompressedSize, member: name)
        default:
            throw CondenseError.file(path: path, "member '\(name)': unsupported compression method \(entry.method) " +
                                                 "(expected 0 stored or 8 deflated)")
        }
        guard data.count == entry.uncompressedSize else {
            throw CondenseError.file(path: path, "member '\(name)': \(data.count) bytes, the directory says \(entry.uncompressedSize)")
        }
        let crc = data.withUnsafeBytes { raw in
            UInt32(CZlib.crc32(0, raw.bindMemory(to: Bytef.self).baseAddress, uInt(raw.count)))
        }
        guard crc == entry.crc else {
            throw CondenseError.file(path: path, "member '\(name)': CRC-32 mismatch (the file is corrupt)")
        }
        return data
    }

    /// Raw-deflate decompression of one member.
    private func inflate(_ input: Data, expected: Int, member: String) throws -> Data {
        var output = Data(count: max(expected, 1))
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw CondenseError.file(path: path, "member '\(member)': zlib failed to start")
        }
        defer { inflateEnd(&stream) }
        let status: Int32 = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { target in
                stream.next_in = UnsafeMutablePointer(mutating: source.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(source.count)
                stream.next_out = target.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(target.count)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else {
            throw CondenseError.file(path: path, "member '\(member)': deflate data is corrupt or truncated (zlib status \(status))")
        }
        return output.prefix(Int(stream.total_out))
    }

    /// The central directory's entry count and offset, from the end record (or its ZIP64 version).
    private static func centralDirectory(_ reader: ByteReader) throws -> (count: Int, offset: Int) {
        let size = reader.data.count
        guard size >= 22 else { throw CondenseError.file(path: reader.path, "not a ZIP/.npz archive (too short)") }
        var end = size - 22
        let lowest = max(0, size - 22 - 65_535)
        while end >= lowest, try reader.u32(end) != 0x0605_4B50 { end -= 1 }
        guard end >= lowest else {
            throw CondenseError.file(path: reader.path, "not a ZIP/.npz archive (no end-of-central-directory record; " +
                                                        "truncated or wrong file type)")
        }
        var count = Int(try reader.u16(end + 10)), offset = Int(try reader.u32(end + 16))
        if (count == 0xFFFF || offset == 0xFFFF_FFFF), end >= 20, try reader.u32(end - 20) == 0x0706_4B50 {
            let record = Int(try reader.u64(end - 20 + 8))
            guard try reader.u32(record) == 0x0606_4B50 else {
                throw CondenseError.file(path: reader.path, "corrupt ZIP64 end-of-central-directory record")
            }
            count = Int(try reader.u64(record + 32))
            offset = Int(try reader.u64(record + 48))
        }
        return (count, offset)
    }
}

/// Bounds-checked little-endian reads from a byte buffer; running past the end is a "truncated" error.
struct ByteReader {
    let data: Data
    let path: String

    func slice(_ offset: Int, _ count: Int) throws -> Data {
        guard offset >= 0, count >= 0, offset + count <= data.count else {
            throw CondenseError.file(path: path, "truncated: needs bytes \(offset)..<\(offset + count), file has \(data.count)")
        }
        return data[(data.startIndex + offset)..<(data.startIndex + offset + count)]
    }

    func u16(_ offset: Int) throws -> UInt16 { UInt16(try uint(offset, 2)) }
    func u32(_ offset: Int) throws -> UInt32 { UInt32(try uint(offset, 4)) }
    func u64(_ offset: Int) throws -> UInt64 { try uint(offset, 8) }

    private func uint(_ offset: Int, _ width: Int) throws -> UInt64 {
        let bytes = try slice(offset, width)
        return bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}
