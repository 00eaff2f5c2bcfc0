import CZlib
import CondenseData
import Foundation

/// Small ZIP, `.npz` and MedMNIST files built in memory for the data readers' tests and the fuzz seeds: valid by
/// default, with the fields a hostile file would lie about open to being set wrong on purpose.
public enum DataFiles {
    /// One member of a ZIP archive to write.
    public struct Member {
        public var name: String
        public var bytes: [UInt8]
        public var deflated: Bool
        /// The uncompressed size to declare instead of the true one (a lie, for tests).
        public var declaredSize: UInt64?

        public init(_ name: String, _ bytes: [UInt8], deflated: Bool = false, declaredSize: UInt64? = nil) {
            self.name = name
            self.bytes = bytes
            self.deflated = deflated
            self.declaredSize = declaredSize
        }
    }

    /// A ZIP archive of `members`; with `zip64`, every size and offset is written in ZIP64 form (extra fields,
    /// ZIP64 end record and locator), as NumPy does for large arrays.
    public static func zip(_ members: [Member], zip64: Bool = false) -> [UInt8] {
        var file: [UInt8] = [], directory: [UInt8] = []
        for member in members {
            let data = member.deflated ? deflate(member.bytes) : member.bytes
            let size = member.declaredSize ?? UInt64(member.bytes.count), offset = UInt64(file.count)
            let name = Array(member.name.utf8), crc = crc32(member.bytes)
            let small: (UInt64) -> [UInt8] = { zip64 ? le(UInt32.max) : le(UInt32(truncatingIfNeeded: $0)) }
            let common = le(UInt16(zip64 ? 45 : 20)) + le(UInt16(0)) + le(UInt16(member.deflated ? 8 : 0))
                + le(UInt32(0)) + le(crc) + small(UInt64(data.count)) + small(size) + le(UInt16(name.count))
            let localExtra = zip64 ? le(UInt16(1)) + le(UInt16(16)) + le(size) + le(UInt64(data.count)) : []
            file += le(UInt32(0x0403_4B50)) + common + le(UInt16(localExtra.count)) + name + localExtra + data
            let extra = zip64 ? le(UInt16(1)) + le(UInt16(24)) + le(size) + le(UInt64(data.count)) + le(offset) : []
            directory += le(UInt32(0x0201_4B50)) + le(UInt16(45)) + common + le(UInt16(extra.count)) + le(UInt16(0))
                + le(UInt16(0)) + le(UInt16(0)) + le(UInt32(0)) + small(offset) + name + extra
        }
        let directoryOffset = UInt64(file.count), count = UInt64(members.count)
        file += directory
        if zip64 {
            let record = UInt64(file.count)
            file += le(UInt32(0x0606_4B50)) + le(UInt64(44)) + le(UInt16(45)) + le(UInt16(45)) + le(UInt32(0))
                + le(UInt32(0)) + le(count) + le(count) + le(UInt64(directory.count)) + le(directoryOffset)
            file += le(UInt32(0x0706_4B50)) + le(UInt32(0)) + le(record) + le(UInt32(1))
        }
        file += le(UInt32(0x0605_4B50)) + le(UInt16(0)) + le(UInt16(0))
            + le(UInt16(zip64 ? 0xFFFF : UInt16(count))) + le(UInt16(zip64 ? 0xFFFF : UInt16(count)))
            + le(zip64 ? UInt32.max : UInt32(directory.count)) + le(zip64 ? UInt32.max : UInt32(directoryOffset))
            + le(UInt16(0))
        return file
    }

    /// The six arrays of a grey MedMNIST file with `side`×`side` images whose pixels count up, `labels` per split
    /// (train, val, test) as uint8, each array `key.npy`.
    public static func medMNISTArrays(side: Int = 4, labels: [[Int]] = [[0, 1, 2, 1, 0], [1, 2], [0, 2, 1]])
        -> [(key: String, npy: [UInt8])] {
        Swift.zip(["train", "val", "test"], labels).flatMap { split, values -> [(key: String, npy: [UInt8])] in
            let pixels = (0..<(values.count * side * side)).map { UInt8(truncatingIfNeeded: $0 * 7) }
            return [("\(split)_images", NPYArray.file(descr: "|u1", shape: [values.count, side, side], payload: pixels)),
                    ("\(split)_labels", NPYArray.file(descr: "|u1", shape: [values.count, 1],
                                                      payload: values.map { UInt8(truncatingIfNeeded: $0) }))]
        }
    }

    /// An `.npz` (ZIP) of `arrays`, stored or deflated.
    public static func npz(_ arrays: [(key: String, npy: [UInt8])], deflated: Bool = false, zip64: Bool = false) -> [UInt8] {
        zip(arrays.map { Member("\($0.key).npy", $0.npy, deflated: deflated) }, zip64: zip64)
    }

    /// `arrays` with the one under `key` replaced.
    public static func replacing(_ key: String, with npy: [UInt8], in arrays: [(key: String, npy: [UInt8])])
        -> [(key: String, npy: [UInt8])] {
        arrays.map { $0.key == key ? (key, npy) : $0 }
    }

    /// Raw deflate (no zlib header), as ZIP stores it.
    public static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        precondition(deflateInit2_(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
                                   ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        var input = bytes, output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 16)
        let written = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                precondition(CZlib.deflate(&stream, Z_FINISH) == Z_STREAM_END)
                return target.count - Int(stream.avail_out)
            }
        }
        return Array(output.prefix(written))
    }

    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        UInt32(bytes.withUnsafeBufferPointer { CZlib.crc32(0, $0.baseAddress, uInt($0.count)) })
    }

    /// The little-endian bytes of `value`.
    public static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
