import CondenseCore
import Foundation

/// Bounds-checked little-endian reads from a small buffer already in memory (a ZIP directory, a local header);
/// running past its end is a "truncated" error naming the file.
struct ByteReader {
    let data: Data
    let path: String

    func slice(_ offset: Int, _ count: Int) throws -> Data {
        guard offset >= 0, count >= 0, offset <= data.count, count <= data.count - offset else {
            throw CondenseError.file(path: path, "truncated: needs bytes \(offset)..<\(offset &+ count) of a " +
                                                 "\(data.count)-byte record")
        }
        return data[(data.startIndex + offset)..<(data.startIndex + offset + count)]
    }

    func u16(_ offset: Int) throws -> UInt16 { UInt16(try uint(offset, 2)) }
    func u32(_ offset: Int) throws -> UInt32 { UInt32(try uint(offset, 4)) }
    func u64(_ offset: Int) throws -> UInt64 { try uint(offset, 8) }

    /// A 64-bit field that sizes or places something, as an `Int` (values above `Int.max` are an error).
    func size64(_ offset: Int, field: String) throws -> Int {
        let value = try u64(offset)
        guard let size = Int(exactly: value) else {
            throw CondenseError.file(path: path, "\(field) is \(value), beyond any possible file")
        }
        return size
    }

    private func uint(_ offset: Int, _ width: Int) throws -> UInt64 {
        let bytes = try slice(offset, width)
        return bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}
