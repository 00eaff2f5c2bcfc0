import CondenseCore
import Foundation

/// One array from a NumPy `.npy` file (format versions 1–3), with its elements decoded to host values. The header
/// (`NPYHeader`) is checked before any data is touched.
public struct NPYArray {
    /// NumPy's dtype string as written in the header (`<f4`, `|u1`, `<i8`, …).
    public let descr: String
    public let shape: [Int]
    /// The raw little-endian element bytes, C order.
    public let data: Data

    /// Parses a whole `.npy` file held in memory; `path` only labels errors.
    public init(parsing bytes: Data, path: String, limits: DataLimits = .standard) throws {
        let bytes = bytes.startIndex == 0 ? bytes : Data(bytes)  // index from 0
        let header = try NPYHeader(parsing: bytes, path: path, limits: limits)
        guard bytes.count - header.dataOffset >= header.dataByteCount else {
            throw CondenseError.file(path: path, "truncated .npy data: shape \(header.shape) needs " +
                                                 "\(header.dataByteCount) bytes, found \(bytes.count - header.dataOffset)")
        }
        descr = header.descr
        shape = header.shape
        data = bytes[header.dataOffset..<(header.dataOffset + header.dataByteCount)]
    }

    /// Reads a `.npy` file: its header first, then exactly the data the header declares (refused before reading
    /// when it exceeds the file or `limits.maximumDatasetBytes`).
    public init(contentsOf path: String, limits: DataLimits = .standard) throws {
        let source = try ByteSource(file: path)
        let header = try NPYHeader(parsing: source.bytes(0, min(source.size, NPYHeader.prefixLength(limits: limits))),
                                   path: path, limits: limits)
        try limits.checkMemory(header.dataByteCount, for: "array of shape \(header.shape)", path: path)
        guard source.size - header.dataOffset >= header.dataByteCount else {
            throw CondenseError.file(path: path, "truncated .npy data: shape \(header.shape) needs " +
                                                 "\(header.dataByteCount) bytes, found \(source.size - header.dataOffset)")
        }
        descr = header.descr
        shape = header.shape
        data = try source.bytes(header.dataOffset, header.dataByteCount)
    }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// The elements converted to Float (from any supported dtype).
    public func floats() -> [Float] { converted(integer: { Float(Double($0)) }, floating: { Float($0) }) }

    /// The elements converted to Double.
    public func doubles() -> [Double] { converted(integer: { Double($0) }, floating: { $0 }) }

    /// The elements as Int: integers exactly, floating-point values rounded toward zero. A NaN, an infinity or a
    /// value beyond `Int`'s range throws rather than trapping.
    public func ints() throws -> [Int] {
        var unrepresentable: Double?
        let values = converted(integer: { $0 }, floating: { value -> Int in
            guard let exact = Int(exactly: value.rounded(.towardZero)) else {
                if unrepresentable == nil { unrepresentable = value }
                return 0
            }
            return exact
        })
        if let unrepresentable {
            throw CondenseError.invalidArgument(op: "NPYArray.ints", "element \(unrepresentable) is not an integer Int holds")
        }
        return values
    }

    private func converted<T>(integer: (Int) -> T, floating: (Double) -> T) -> [T] {
        data.withUnsafeBytes { raw in
            (0..<count).map { index -> T in
                switch descr.dropFirst() {
                case "f4": floating(Double(Float(bitPattern: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self).littleEndian)))
                case "f8": floating(Double(bitPattern: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self).littleEndian))
                case "u1": integer(Int(raw[index]))
                case "i1": integer(Int(Int8(bitPattern: raw[index])))
                case "i4": integer(Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: Int32.self))))
                default: integer(Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: Int64.self))))
                }
            }
        }
    }
}
