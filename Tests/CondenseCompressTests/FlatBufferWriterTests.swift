import CondenseCompress
import XCTest

/// The FlatBuffers writer against buffers laid out by hand from the format's internals
/// (https://flatbuffers.dev/internals/): root offset and identifier, vtables, field order and alignment, strings,
/// aligned byte vectors and vectors of tables.
final class FlatBufferWriterTests: XCTestCase {
    func testTableWithAScalarAndAString() {
        var root = FlatBufferTable()
        root.set(0, Int32(7))
        root.set(1, .string("ab"))
        XCTAssertEqual(FlatBufferWriter.serialize(root, identifier: "TEST"), [
            0x10, 0, 0, 0, 0x54, 0x45, 0x53, 0x54,  // root table at 16; identifier "TEST"
            0x08, 0, 0x0C, 0, 0x04, 0, 0x08, 0,  // vtable: 8 bytes, table 12 bytes, slot 0 at 4, slot 1 at 8
            0x08, 0, 0, 0, 0x07, 0, 0, 0, 0x04, 0, 0, 0,  // table: vtable 8 bytes back, 7, the string 4 bytes on
            0x02, 0, 0, 0, 0x61, 0x62, 0x00,  // "ab": length, bytes, terminator
        ])
    }

    func testByteVectorDataIsAlignedAndAbsentSlotsAreZero() {
        var root = FlatBufferTable()
        root.set(2, .bytes([1, 2, 3], alignment: 16))
        let buffer = FlatBufferWriter.serialize(root, identifier: "TFL3")
        XCTAssertEqual(buffer, [
            0x14, 0, 0, 0, 0x54, 0x46, 0x4C, 0x33,  // root table at 20; "TFL3"
            0x0A, 0, 0x08, 0, 0, 0, 0, 0, 0x04, 0,  // vtable: 10 bytes, table 8, slots 0 and 1 absent, slot 2 at 4
            0, 0,  // padding: the table starts on a 4-byte boundary
            0x0C, 0, 0, 0, 0x04, 0, 0, 0,  // table: vtable 12 bytes back, the vector 4 bytes on
            0x03, 0, 0, 0, 1, 2, 3,  // 3 elements, their data at 32
        ])
        XCTAssertEqual(buffer.count - 3, 32, "the data starts on a 16-byte boundary")
    }

    func testWideFieldsComeFirstAndAreAlignedToTheirSize() {
        var root = FlatBufferTable()
        root.set(0, UInt8(1))
        root.set(1, Int64(-2))
        XCTAssertEqual(FlatBufferWriter.serialize(root, identifier: "ABCD"), [
            0x14, 0, 0, 0, 0x41, 0x42, 0x43, 0x44,
            0x08, 0, 0x0D, 0, 0x0C, 0, 0x04, 0,  // vtable: table 13 bytes, slot 0 (1 byte) at 12, slot 1 (8) at 4
            0, 0, 0, 0,  // padding: the 8-byte field at 24
            0x0C, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
        ])
    }

    func testVectorOfTablesHoldsForwardOffsets() {
        var element = FlatBufferTable()
        element.set(0, Int16(5))
        var root = FlatBufferTable()
        root.set(0, .objects([.table(element)]))
        XCTAssertEqual(FlatBufferWriter.serialize(root, identifier: "VECS"), [
            0x10, 0, 0, 0, 0x56, 0x45, 0x43, 0x53,
            0x06, 0, 0x08, 0, 0x04, 0, 0, 0,  // root vtable (6 bytes), padding
            0x08, 0, 0, 0, 0x04, 0, 0, 0,  // root table: the vector 4 bytes on
            0x01, 0, 0, 0, 0x0C, 0, 0, 0,  // vector: 1 element, 12 bytes on
            0x06, 0, 0x06, 0, 0x04, 0, 0, 0,  // element vtable, padding
            0x08, 0, 0, 0, 0x05, 0,  // element table: 5
        ])
    }

    func testSharedObjectsAreWrittenOnceAtTheEnd() {
        var root = FlatBufferTable()
        root.set(0, .shared(.vector([Int64(0)])))
        root.set(1, .shared(.vector([Int64(0)])))
        XCTAssertEqual(FlatBufferWriter.serialize(root, identifier: "SHRD"), [
            0x10, 0, 0, 0, 0x53, 0x48, 0x52, 0x44,
            0x08, 0, 0x0C, 0, 0x04, 0, 0x08, 0,
            0x08, 0, 0, 0, 0x08, 0, 0, 0, 0x04, 0, 0, 0,  // both fields point at the one vector at 28
            0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 1 element, 8-byte aligned at 32
        ])
    }
    func testTablesLaidOutAlikeShareOneVtable() {
        var element = FlatBufferTable()
        element.set(0, Int16(5))
        var other = FlatBufferTable()
        other.set(0, Int16(6))
        var root = FlatBufferTable()
        root.set(0, .objects([.table(element), .table(other)]))
        XCTAssertEqual(FlatBufferWriter.serialize(root, identifier: "VTAB"), [
            0x10, 0, 0, 0, 0x56, 0x54, 0x41, 0x42,
            0x06, 0, 0x08, 0, 0x04, 0, 0, 0,  // root vtable, padding
            0x08, 0, 0, 0, 0x04, 0, 0, 0,  // root table: the vector 4 bytes on
            0x02, 0, 0, 0, 0x10, 0, 0, 0, 0x14, 0, 0, 0,  // vector: 2 elements, at 44 and 52
            0x06, 0, 0x06, 0, 0x04, 0, 0, 0,  // the elements' one vtable (at 36), padding
            0x08, 0, 0, 0, 0x05, 0, 0, 0,  // first element: vtable 8 bytes back, 5; padding
            0x10, 0, 0, 0, 0x06, 0,  // second element: the same vtable, 16 bytes back, 6
        ])
    }
}
