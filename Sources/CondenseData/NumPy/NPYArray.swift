import CondenseCore
import Foundation

/// One array from a NumPy `.npy` file (format versions 1–3), with its elements decoded to host values.
public struct NPYArray {
    /// NumPy's dtype string as written in the header (`<f4`, `|u1`, `<i8`, …).
    public let descr: String
    public let shape: [Int]
    /// The raw little-endian element bytes, C order.
    public let data: Data

    /// Parses a whole `.npy` file; `path` only labels errors.
    public init(parsing bytes: Data, path: String) throws {
        let bytes = Data(bytes)  // re-index from 0
        guard bytes.count >= 10, bytes.prefix(6) == Data([0x93]) + Data("NUMPY".utf8) else {
            throw CondenseError.file(path: path, "not a NumPy .npy array (missing the \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let headerLengthSize = major == 1 ? 2 : 4
        guard (1...3).contains(major), bytes.count >= 8 + headerLengthSize else {
            throw CondenseError.file(path: path, "unsupported .npy format version \(major) (expected 1, 2 or 3)")
        }
        let headerLength = (0..<headerLengthSize).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
        let headerStart = 8 + headerLengthSize
        guard bytes.count >= headerStart + headerLength else {
            throw CondenseError.file(path: path, "truncated .npy header")
        }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = Self.field("descr", in: header).map({ $0.trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) }),
              let order = Self.field("fortran_order", in: header), let shapeText = Self.field("shape", in: header) else {
            throw CondenseError.file(path: path, "malformed .npy header: \(header)")
        }
        guard order == "False" else {
            throw CondenseError.file(path: path, "Fortran-ordered arrays are not supported (fortran_order must be False)")
        }
        let dims = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "()"))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let shape = try dims.map { text -> Int in
            guard let extent = Int(text), extent >= 0 else {
                throw CondenseError.file(path: path, "bad shape \(shapeText) in .npy header")
            }
            return extent
        }
        guard let elementSize = Self.elementSize(descr) else {
            throw CondenseError.file(path: path, "unsupported dtype '\(descr)' (expected <f4, <f8, |u1, |i1, <i4 or <i8)")
        }
        let payload = headerStart + headerLength
        let expected = shape.reduce(1, *) * elementSize
        guard bytes.count - payload >= expected else {
            throw CondenseError.file(path: path, "truncated .npy data: shape \(shape) needs \(expected) bytes, " +
                                                 "found \(bytes.count - payload)")
        }
        self.descr = descr
        self.shape = shape
        data = bytes[payload..<(payload + expected)]
    }

    /// Reads and parses a `.npy` file.
    public init(contentsOf path: String) throws {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw CondenseError.file(path: path, "cannot read file")
        }
        try self.init(parsing: bytes, path: path)
    }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// The elements converted to Float (from any supported dtype).
    public func floats() -> [Float] { converted { Float($0) } }

    /// The elements converted to Double.
    public func doubles() -> [Double] { converted { $0 } }

    /// The elements converted to Int (rounded toward zero for floating dtypes).
    public func ints() -> [Int] { converted { Int($0) } }

    private func converted<T>(_ convert: (Double) -> T) -> [T] {
        data.withUnsafeBytes { raw in
            (0..<count).map { index -> T in
                switch descr.dropFirst() {
                case "f4": convert(Double(Float(bitPattern: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self).littleEndian)))
                case "f8": convert(Double(bitPattern: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self).littleEndian))
                case "u1": convert(Double(raw[index]))
                case "i1": convert(Double(Int8(bitPattern: raw[index])))
                case "i4": convert(Double(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: Int32.self))))
                default: convert(Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: Int64.self))))
                }
            }
        }
    }

    private static func elementSize(_ descr: String) -> Int? {
        ["<f4": 4, "<f8": 8, "|u1": 1, "<u1": 1, "|i1": 1, "<i1": 1, "<i4": 4, "<i8": 8][descr]
    }

    /// The text after `'key':` in a header dictionary, up to the next top-level comma.
    private static func field(_ key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)':") else { return nil }
        var depth = 0, value = ""
        for character in header[keyRange.upperBound...] {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if (character == "," && depth == 0) || character == "}" { break }
            value.append(character)
        }
        return value.trimmingCharacters(in: .whitespaces)
    }
}
