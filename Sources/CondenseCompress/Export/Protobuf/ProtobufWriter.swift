/// A minimal Protocol Buffers encoder: the wire format (https://protobuf.dev/programming-guides/encoding/) for the
/// field kinds ONNX uses, written by hand because no Swift protobuf package can be fetched here.
///
/// Each field is a key `(field number << 3) | wire type` as a varint, then its payload: a varint (wire type 0:
/// integers, enums, booleans; negative `int64`/`int32` values as their 64-bit two's complement, ten bytes), a
/// little-endian 32-bit word (wire type 5: `float`), or a length-delimited run (wire type 2: strings, bytes,
/// nested messages, packed repeated scalars) whose byte count precedes it as a varint. Fields are written in the
/// order the caller writes them; proto2 and proto3 readers accept any order.
public struct ProtobufWriter: Sendable {
    /// The message's bytes so far.
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// The wire types this writer emits.
    enum WireType: UInt64 {
        case varint = 0
        case lengthDelimited = 2
        case fixed32 = 5
    }

    // MARK: - Fields

    /// An integer field (`int64`, `int32`, `uint64`, enum, bool) as a varint.
    public mutating func int(_ field: Int, _ value: Int64) {
        key(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    /// A `float` field: four little-endian bytes.
    public mutating func float(_ field: Int, _ value: Float) {
        key(field, .fixed32)
        let bits = value.bitPattern
        bytes += (0..<4).map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) }
    }

    /// A `bytes` field.
    public mutating func bytes(_ field: Int, _ payload: [UInt8]) {
        key(field, .lengthDelimited)
        varint(UInt64(payload.count))
        bytes += payload
    }

    /// A `string` field, UTF-8 encoded.
    public mutating func string(_ field: Int, _ text: String) { bytes(field, Array(text.utf8)) }

    /// A nested message field, built by `body` in a writer of its own.
    public mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var nested = ProtobufWriter()
        body(&nested)
        bytes(field, nested.bytes)
    }

    /// A repeated integer field written unpacked (one key per element), as proto2 fields without
    /// `[packed = true]` (ONNX's `dims`, `ints`) are written.
    public mutating func ints(_ field: Int, _ values: [Int64]) {
        for value in values { int(field, value) }
    }

    /// A repeated string field (one key per element).
    public mutating func strings(_ field: Int, _ values: [String]) {
        for value in values { string(field, value) }
    }

    // MARK: - Encoding

    private mutating func key(_ field: Int, _ wireType: WireType) {
        precondition(field >= 1 && field < 1 << 29, "protobuf field numbers lie in 1..<2^29, got \(field)")
        varint(UInt64(field) << 3 | wireType.rawValue)
    }

    /// Base-128 little-endian groups of seven bits, the high bit set on every byte but the last.
    private mutating func varint(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(remaining))
    }
}
