/// A FlatBuffers table to serialize (https://flatbuffers.dev/internals/): its fields by slot (the field's index in
/// the schema, counting a union as two slots, its type then its value), each an inline little-endian scalar or a
/// reference to a string, a vector or another table. `FlatBufferWriter` lays it out.
public struct FlatBufferTable: Sendable {
    /// One field's value.
    enum Field: Sendable {
        /// Little-endian bytes stored inline (1, 2, 4 or 8 of them, aligned to their size).
        case scalar([UInt8])
        /// A 32-bit offset to an object stored after the table.
        case object(FlatBufferObject)
    }

    /// The fields set so far, by slot.
    private(set) var fields: [Int: Field] = [:]

    public init() {}

    /// Sets an integer field (an enum or union type as its underlying integer).
    public mutating func set<Integer: FixedWidthInteger>(_ slot: Int, _ value: Integer) {
        fields[slot] = .scalar(FlatBufferObject.littleEndian(value))
    }

    public mutating func set(_ slot: Int, _ value: Float) { set(slot, value.bitPattern) }

    public mutating func set(_ slot: Int, _ value: Bool) { set(slot, UInt8(value ? 1 : 0)) }

    /// Sets a field that refers to a string, a vector or a table.
    public mutating func set(_ slot: Int, _ object: FlatBufferObject) { fields[slot] = .object(object) }
}

/// What a table field can refer to.
public indirect enum FlatBufferObject: Sendable {
    case table(FlatBufferTable)
    /// A UTF-8 string (written with its length and a terminating zero).
    case string(String)
    /// A vector of scalars: its elements' little-endian bytes, with the byte count of one element, and the alignment
    /// of the first element (at least 4: the element count before it is a 32-bit word).
    case scalars(bytes: [UInt8], elementSize: Int, alignment: Int)
    /// A vector of tables (or strings), written as offsets.
    case objects([FlatBufferObject])
    /// An object written once, after everything else, however many fields refer to an equal one: for the repeated
    /// vectors of a file (TFLite's all-zero zero points).
    case shared(FlatBufferObject)

    /// A vector of integers.
    public static func vector<Integer: FixedWidthInteger>(_ values: [Integer]) -> FlatBufferObject {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * Integer.bitWidth / 8)
        for value in values { bytes += littleEndian(value) }
        return .scalars(bytes: bytes, elementSize: Integer.bitWidth / 8, alignment: max(4, Integer.bitWidth / 8))
    }

    /// A vector of float32.
    public static func vector(_ values: [Float]) -> FlatBufferObject { vector(values.map(\.bitPattern)) }

    /// A byte vector whose first byte is aligned to `alignment` (a power of two, at least 4).
    public static func bytes(_ bytes: [UInt8], alignment: Int = 4) -> FlatBufferObject {
        .scalars(bytes: bytes, elementSize: 1, alignment: max(4, alignment))
    }

    static func littleEndian<Integer: FixedWidthInteger>(_ value: Integer) -> [UInt8] {
        (0..<(Integer.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
