import CondenseCore
import Foundation

/// The header of a NumPy `.npy` file (format versions 1–3): magic, version, header length, then a dictionary
/// with the dtype, the memory order and the shape. Parsed from the first bytes of a file alone, so that a file or
/// archive member can be sized and refused before its data is read; every number is checked (header length,
/// dimension count, extents, and their product in bytes, which must not overflow).
public struct NPYHeader: Equatable, Sendable {
    /// NumPy's dtype string (`<f4`, `|u1`, `<i8`, …).
    public let descr: String
    public let shape: [Int]
    /// Where the element data starts.
    public let dataOffset: Int
    /// `product(shape) × element size`.
    public let dataByteCount: Int

    /// The element sizes of the dtypes Condense reads.
    static let elementSizes = ["<f4": 4, "<f8": 8, "|u1": 1, "<u1": 1, "|i1": 1, "<i1": 1, "<i4": 4, "<i8": 8]

    /// How many leading bytes always hold a whole header within `limits` (read this many, or the whole file).
    public static func prefixLength(limits: DataLimits) -> Int { 12 + limits.maximumNPYHeaderBytes }

    /// Parses the header at the start of `bytes`; `path` labels errors.
    public init(parsing bytes: Data, path: String, limits: DataLimits = .standard) throws {
        func fail(_ message: String) -> CondenseError { CondenseError.file(path: path, message) }
        let bytes = bytes.startIndex == 0 ? bytes : Data(bytes)
        guard bytes.count >= 10, bytes.prefix(6) == Data([0x93]) + Data("NUMPY".utf8) else {
            throw fail("not a NumPy .npy array (missing the \\x93NUMPY magic)")
        }
        let major = bytes[6]
        guard (1...3).contains(major) else { throw fail("unsupported .npy format version \(major) (expected 1, 2 or 3)") }
        let lengthSize = major == 1 ? 2 : 4
        guard bytes.count >= 8 + lengthSize else { throw fail("truncated .npy header") }
        let headerLength = (0..<lengthSize).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
        guard headerLength <= limits.maximumNPYHeaderBytes else {
            throw fail(".npy header length \(headerLength) exceeds the limit of \(limits.maximumNPYHeaderBytes) bytes")
        }
        let headerStart = 8 + lengthSize
        guard bytes.count >= headerStart + headerLength else { throw fail("truncated .npy header") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = Self.field("descr", in: header).map({ $0.trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) }),
              let order = Self.field("fortran_order", in: header), let shapeText = Self.field("shape", in: header) else {
            throw fail("malformed .npy header: \(header.prefix(200))")
        }
        guard order == "False" else {
            throw fail("Fortran-ordered arrays are not supported (fortran_order must be False)")
        }
        guard let elementSize = Self.elementSizes[descr] else {
            throw fail("unsupported dtype '\(descr.prefix(40))' (expected <f4, <f8, |u1, |i1, <i4 or <i8)")
        }
        let dims = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "()"))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard dims.count <= limits.maximumNPYDimensions else {
            throw fail("shape has \(dims.count) dimensions, more than the limit of \(limits.maximumNPYDimensions)")
        }
        shape = try dims.map { text -> Int in
            guard let extent = Int(text), extent >= 0 else { throw fail("bad shape \(shapeText.prefix(200)) in .npy header") }
            return extent
        }
        guard let byteCount = CheckedArithmetic.product(shape + [elementSize]) else {
            throw fail("shape \(shape) of \(descr) overflows: more bytes than any memory holds")
        }
        self.descr = descr
        dataOffset = headerStart + headerLength
        dataByteCount = byteCount
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
