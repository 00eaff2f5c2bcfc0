import CondenseCore

/// One named tensor held on the host as raw bytes: what a checkpoint or export file stores, with no backend.
///
/// `bytes` are the elements in C (row-major) order, little-endian, `shape.product × dtype.byteSize` of them.
/// The initializers from typed arrays encode; `floats()`, `int32s()`, … decode. Writers check that the byte
/// count fits the shape and throw otherwise, so a value built by hand with `init(name:dtype:shape:bytes:)`
/// is checked when it is written.
public struct NamedTensorData: Equatable, Sendable {
    /// The parameter name, e.g. `features.3.conv.1.weight`.
    public var name: String
    public var dtype: DType
    public var shape: [Int]
    /// Little-endian element bytes, C order.
    public var bytes: [UInt8]

    public init(name: String, dtype: DType, shape: [Int], bytes: [UInt8]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// A float32 tensor of `values` (`values.count` must equal the product of `shape`).
    public init(name: String, shape: [Int], floats values: [Float]) {
        self.init(name: name, dtype: .float32, shape: shape, bytes: Self.littleEndianBytes(values.map(\.bitPattern)))
    }

    /// A float16 tensor of `values`, each rounded to the nearest half (ties to even; see `Float16Conversion`).
    public init(name: String, shape: [Int], float16From values: [Float]) {
        self.init(name: name, dtype: .float16, shape: shape, bytes: Float16Conversion.halfBytes(values))
    }

    /// An int32 tensor of `values`.
    public init(name: String, shape: [Int], int32s values: [Int32]) {
        self.init(name: name, dtype: .int32, shape: shape, bytes: Self.littleEndianBytes(values.map { UInt32(bitPattern: $0) }))
    }

    /// An int8 tensor of `values`.
    public init(name: String, shape: [Int], int8s values: [Int8]) {
        self.init(name: name, dtype: .int8, shape: shape, bytes: values.map { UInt8(bitPattern: $0) })
    }

    /// A uint8 tensor of `values`.
    public init(name: String, shape: [Int], uint8s values: [UInt8]) {
        self.init(name: name, dtype: .uint8, shape: shape, bytes: values)
    }

    /// Number of elements (the product of `shape`; 1 for a scalar of shape `[]`).
    public var count: Int { shape.reduce(1, *) }

    /// The elements as Float: float32 as stored, float16 widened exactly, integers converted.
    public func floats() -> [Float] {
        switch dtype {
        case .float32: littleEndianWords(UInt32.self).map { Float(bitPattern: $0) }
        case .float16: Float16Conversion.floats(halfBytes: bytes)
        case .int32: littleEndianWords(UInt32.self).map { Float(Int32(bitPattern: $0)) }
        case .int8: bytes.map { Float(Int8(bitPattern: $0)) }
        case .uint8: bytes.map { Float($0) }
        }
    }

    /// The elements of an int32 tensor (another dtype throws `dtypeMismatch`).
    public func int32s() throws -> [Int32] {
        guard dtype == .int32 else { throw CondenseError.dtypeMismatch(op: "int32s() of '\(name)'", expected: .int32, got: dtype) }
        return littleEndianWords(UInt32.self).map { Int32(bitPattern: $0) }
    }

    /// The elements of an int8 tensor.
    public func int8s() throws -> [Int8] {
        guard dtype == .int8 else { throw CondenseError.dtypeMismatch(op: "int8s() of '\(name)'", expected: .int8, got: dtype) }
        return bytes.map { Int8(bitPattern: $0) }
    }

    /// The half-precision bit patterns of a float16 tensor.
    public func halfBits() throws -> [UInt16] {
        guard dtype == .float16 else { throw CondenseError.dtypeMismatch(op: "halfBits() of '\(name)'", expected: .float16, got: dtype) }
        return littleEndianWords(UInt16.self)
    }

    // MARK: - Byte order

    static func littleEndianBytes<Word: FixedWidthInteger>(_ words: [Word]) -> [UInt8] {
        let size = Word.bitWidth / 8
        var bytes = [UInt8](repeating: 0, count: words.count * size)
        for (index, word) in words.enumerated() {
            for byte in 0..<size { bytes[index * size + byte] = UInt8(truncatingIfNeeded: word >> (8 * byte)) }
        }
        return bytes
    }

    func littleEndianWords<Word: FixedWidthInteger>(_: Word.Type) -> [Word] {
        let size = Word.bitWidth / 8
        return (0..<(bytes.count / size)).map { index in
            (0..<size).reduce(Word.zero) { $0 | Word(bytes[index * size + $1]) << (8 * $1) }
        }
    }
}

// MARK: - Device tensors

public extension NamedTensorData {
    /// The contents of `tensor` copied to the host (waits for the tensor's queued work).
    init(name: String, tensor: Tensor) throws {
        self.init(name: name, dtype: tensor.dtype, shape: tensor.shape.dims, bytes: try tensor.toHostBytes())
    }

    /// A new tensor on `backend` holding these bytes.
    func tensor(on backend: Backend) throws -> Tensor {
        guard bytes.count == count * dtype.byteSize else {
            throw CondenseError.shapeMismatch(op: "tensor '\(name)'", expected: "\(count * dtype.byteSize) bytes for " +
                                              "\(Shape(shape)) \(dtype.rawValue)", got: "\(bytes.count)")
        }
        let tensor = try backend.allocate(try Shape(shape).validated(for: "tensor '\(name)'"), dtype: dtype)
        try bytes.withUnsafeBytes { try backend.write($0, to: tensor) }
        return tensor
    }
}
