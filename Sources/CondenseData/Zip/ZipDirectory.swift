import CondenseCore
import Foundation

/// One member's place in a ZIP archive, as its central directory entry states it, checked against the file.
struct ZipEntry {
    let name: String
    /// 0 stored, 8 deflated.
    let method: UInt16
    let crc: UInt32
    let compressedSize: Int
    let uncompressedSize: Int
    let localHeaderOffset: Int
}

/// The central directory of a ZIP archive (ZIP64 too, as NumPy writes for large arrays), read from the end of the
/// file without touching the members: a file that is not a ZIP is refused after reading at most its last 64 KiB.
/// Every count, size and offset is checked against the file's size and the `DataLimits` before it is used.
enum ZipDirectory {
    private static let endRecordSize = 22, zip64LocatorSize = 20, zip64EndRecordSize = 56, entryHeaderSize = 46

    /// The members in archive order (duplicate names are an error).
    static func entries(of source: ByteSource, limits: DataLimits) throws -> [ZipEntry] {
        let path = source.path
        func fail(_ message: String) -> CondenseError { CondenseError.file(path: path, message) }
        let location = try directoryLocation(source)
        guard location.count <= limits.maximumZipMembers else {
            throw fail("ZIP directory lists \(location.count) members, more than the limit of \(limits.maximumZipMembers)")
        }
        guard location.size <= limits.maximumZipDirectoryBytes else {
            throw fail("ZIP central directory is \(location.size) bytes, more than the limit of " +
                       "\(limits.maximumZipDirectoryBytes)")
        }
        guard location.offset <= source.size, location.size <= source.size - location.offset else {
            throw fail("ZIP central directory (bytes \(location.offset)..<\(location.offset &+ location.size)) lies " +
                       "outside the \(source.size)-byte file: truncated or corrupt")
        }
        guard location.count <= location.size / entryHeaderSize else {
            throw fail("ZIP directory lists \(location.count) members in \(location.size) bytes, room for at most " +
                       "\(location.size / entryHeaderSize): corrupt")
        }
        let reader = ByteReader(data: try source.bytes(location.offset, location.size), path: path)
        var entries: [ZipEntry] = [], names = Set<String>()
        var offset = 0
        for _ in 0..<location.count {
            let entry = try self.entry(reader, at: &offset, fileSize: source.size, limits: limits)
            guard names.insert(entry.name).inserted else { throw fail("ZIP member '\(entry.name)' appears twice") }
            entries.append(entry)
        }
        return entries
    }

    /// The central directory entry at `offset`, which moves past it.
    private static func entry(_ reader: ByteReader, at offset: inout Int, fileSize: Int,
                              limits: DataLimits) throws -> ZipEntry {
        let path = reader.path
        guard try reader.u32(offset) == 0x0201_4B50 else {
            throw CondenseError.file(path: path, "corrupt ZIP central directory (bad signature at entry byte \(offset))")
        }
        let method = try reader.u16(offset + 10), crc = try reader.u32(offset + 16)
        var compressed = Int(try reader.u32(offset + 20)), uncompressed = Int(try reader.u32(offset + 24))
        let nameLength = Int(try reader.u16(offset + 28)), extraLength = Int(try reader.u16(offset + 30))
        let commentLength = Int(try reader.u16(offset + 32))
        var localOffset = Int(try reader.u32(offset + 42))
        let name = String(decoding: try reader.slice(offset + entryHeaderSize, nameLength), as: UTF8.self)
        func fail(_ message: String) -> CondenseError { CondenseError.file(path: path, "ZIP member '\(name)': \(message)") }
        // ZIP64 extra field (id 1): the 64-bit values of whichever fields above are 0xFFFFFFFF, in this order.
        let extra = try ByteReader(data: reader.slice(offset + entryHeaderSize + nameLength, extraLength), path: path)
        var field = 0
        while field + 4 <= extraLength {
            let id = try extra.u16(field), size = Int(try extra.u16(field + 2))
            if id == 1 {
                let values = try ByteReader(data: extra.slice(field + 4, size), path: path)
                var next = 0
                func value(_ label: String) throws -> Int {
                    defer { next += 8 }
                    return try values.size64(next, field: "ZIP member '\(name)': ZIP64 \(label)")
                }
                if uncompressed == 0xFFFF_FFFF { uncompressed = try value("uncompressed size") }
                if compressed == 0xFFFF_FFFF { compressed = try value("compressed size") }
                if localOffset == 0xFFFF_FFFF { localOffset = try value("local header offset") }
            }
            field += 4 + size
        }
        offset += entryHeaderSize + nameLength + extraLength + commentLength

        guard localOffset < fileSize, compressed <= fileSize - localOffset else {
            throw fail("data (\(compressed) bytes from byte \(localOffset)) lies outside the \(fileSize)-byte file")
        }
        switch method {
        case 0:
            guard compressed == uncompressed else {
                throw fail("stored member is \(compressed) bytes, but its uncompressed size says \(uncompressed)")
            }
        case 8:
            let (bound, overflow) = compressed.multipliedReportingOverflow(by: limits.maximumCompressionRatio)
            guard overflow || uncompressed - 1_024 <= bound else {
                throw fail("claims \(uncompressed) bytes uncompressed from \(compressed) compressed, beyond deflate's " +
                           "\(limits.maximumCompressionRatio):1 ratio: corrupt")
            }
        default:
            throw fail("unsupported compression method \(method) (expected 0 stored or 8 deflated)")
        }
        try limits.checkMemory(uncompressed, for: "ZIP member '\(name)'", path: path)
        return ZipEntry(name: name, method: method, crc: crc, compressedSize: compressed, uncompressedSize: uncompressed,
                        localHeaderOffset: localOffset)
    }

    /// The central directory's entry count, size and offset, from the end record (or its ZIP64 version).
    private static func directoryLocation(_ source: ByteSource) throws -> (count: Int, size: Int, offset: Int) {
        let path = source.path
        guard source.size >= endRecordSize else { throw CondenseError.file(path: path, "not a ZIP/.npz archive (too short)") }
        // The end record is the last thing in the file but for a comment of at most 65,535 bytes.
        let tailStart = max(0, source.size - endRecordSize - 65_535 - zip64LocatorSize)
        let tail = ByteReader(data: try source.bytes(tailStart, source.size - tailStart), path: path)
        var end = tail.data.count - endRecordSize
        let lowest = max(0, end - 65_535)
        while end >= lowest, try tail.u32(end) != 0x0605_4B50 { end -= 1 }
        guard end >= lowest else {
            throw CondenseError.file(path: path, "not a ZIP/.npz archive (no end-of-central-directory record; " +
                                                 "truncated or wrong file type)")
        }
        let count = Int(try tail.u16(end + 10)), size = Int(try tail.u32(end + 12)), offset = Int(try tail.u32(end + 16))
        guard count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF, end >= zip64LocatorSize,
              try tail.u32(end - zip64LocatorSize) == 0x0706_4B50 else {
            return (count, size, offset)
        }
        let recordOffset = try tail.size64(end - zip64LocatorSize + 8, field: "ZIP64 end record offset")
        let record = ByteReader(data: try source.bytes(recordOffset, zip64EndRecordSize), path: path)
        guard try record.u32(0) == 0x0606_4B50 else {
            throw CondenseError.file(path: path, "corrupt ZIP64 end-of-central-directory record")
        }
        return (try record.size64(32, field: "ZIP64 member count"), try record.size64(40, field: "ZIP64 directory size"),
                try record.size64(48, field: "ZIP64 directory offset"))
    }
}
