import CZlib
import CondenseCore

/// Writes a ZIP archive of stored (uncompressed) members, as `numpy.savez` does, through an atomic file output.
/// Offsets and sizes are 32-bit (no ZIP64): an archive that would pass 4 GiB is refused, naming the member.
struct ZipWriter {
    private let output: AtomicFileWriter.Output
    private let path: String
    private var directory: [UInt8] = [], memberCount = 0

    init(_ output: AtomicFileWriter.Output, path: String) {
        self.output = output
        self.path = path
    }

    /// Appends the member `name` whose contents are the concatenation of `parts`.
    mutating func add(_ name: String, parts: [[UInt8]]) throws {
        let size = parts.reduce(0) { $0 + $1.count }, offset = output.byteCount
        guard size < Int(UInt32.max), offset + size + 1024 < Int(UInt32.max) else {
            throw CondenseError.file(path: path, "member '\(name)' would take the archive past 4 GiB, the most this " +
                                                 "writer stores (no ZIP64); use a smaller --image-size")
        }
        let crc = parts.reduce(crc32(0, nil, 0)) { crc, part in
            part.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, UInt32($0.count)) }
        }
        let nameBytes = Array(name.utf8)
        // Version 2.0, no flags, stored, 1980-01-01 00:00, CRC, sizes, name length, no extra field.
        let common = le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21) + le32(UInt32(crc)) + le32(UInt32(size))
            + le32(UInt32(size)) + le16(nameBytes.count) + le16(0)
        try output.write(le32(0x0403_4B50) + common + nameBytes)
        for part in parts { try output.write(part) }
        directory += le32(0x0201_4B50) + le16(20) + common + le16(0) + le16(0) + le16(0) + le32(0)
            + le32(UInt32(offset)) + nameBytes
        memberCount += 1
    }

    /// Writes the central directory and its end record.
    func finish() throws {
        let offset = output.byteCount
        try output.write(directory)
        try output.write(le32(0x0605_4B50) + le16(0) + le16(0) + le16(memberCount) + le16(memberCount)
                         + le32(UInt32(directory.count)) + le32(UInt32(offset)) + le16(0))
    }

    private func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }
    private func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(value >> (8 * $0) & 0xFF) } }
}
