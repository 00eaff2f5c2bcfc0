import CondenseCompress
import XCTest

/// The protobuf encoder against bytes worked out by hand from the wire-format specification
/// (https://protobuf.dev/programming-guides/encoding/), and ONNX messages against their field numbers in onnx.proto.
final class ProtobufWriterTests: XCTestCase {
    private func encoded(_ body: (inout ProtobufWriter) -> Void) -> [UInt8] {
        var writer = ProtobufWriter()
        body(&writer)
        return writer.bytes
    }

    func testVarintsUseSevenBitGroupsLeastSignificantFirst() {
        // Field 1 (key 08) = 300 = 0b10_0101100: the low group 0101100 with the continuation bit (ac), then 0b10 (02).
        XCTAssertEqual(encoded { $0.int(1, 300) }, [0x08, 0xAC, 0x02])
        XCTAssertEqual(encoded { $0.int(1, 0) }, [0x08, 0x00])
        XCTAssertEqual(encoded { $0.int(1, 127) }, [0x08, 0x7F])
        XCTAssertEqual(encoded { $0.int(1, 128) }, [0x08, 0x80, 0x01])
        XCTAssertEqual(encoded { $0.int(1, Int64.max) }, [0x08] + [UInt8](repeating: 0xFF, count: 8) + [0x7F])
    }

    func testScalarFieldsStartWithTheirKey() {
        // The specification's example: field 1 = 150 is 08 96 01 (key (1 << 3) | 0).
        XCTAssertEqual(encoded { $0.int(1, 150) }, [0x08, 0x96, 0x01])
        // A negative int64 is its two's complement: ten bytes.
        XCTAssertEqual(encoded { $0.int(1, -1) }, [0x08] + [UInt8](repeating: 0xFF, count: 9) + [0x01])
        // Field 20 needs a two-byte key: 20 << 3 = 160 = a0 01.
        XCTAssertEqual(encoded { $0.int(20, 2) }, [0xA0, 0x01, 0x02])
        // float 1.0 = 0x3f800000, little-endian, key (1 << 3) | 5.
        XCTAssertEqual(encoded { $0.float(1, 1) }, [0x0D, 0x00, 0x00, 0x80, 0x3F])
    }

    func testLengthDelimitedFields() {
        // The specification's example: field 2 = "testing" is 12 07 74 65 73 74 69 6e 67.
        XCTAssertEqual(encoded { $0.string(2, "testing") }, [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6E, 0x67])
        // And its embedded message: field 3 = { field 1 = 150 } is 1a 03 08 96 01.
        XCTAssertEqual(encoded { writer in writer.message(3) { $0.int(1, 150) } }, [0x1A, 0x03, 0x08, 0x96, 0x01])
        // A 200-byte payload has a two-byte length (c8 01).
        XCTAssertEqual(Array(encoded { $0.bytes(9, [UInt8](repeating: 7, count: 200)) }.prefix(3)), [0x4A, 0xC8, 0x01])
        // Repeated fields unpacked: one key per element.
        XCTAssertEqual(encoded { $0.ints(8, [3, 270]) }, [0x40, 0x03, 0x40, 0x8E, 0x02])
        XCTAssertEqual(encoded { $0.strings(1, ["a", "b"]) }, [0x0A, 0x01, 0x61, 0x0A, 0x01, 0x62])
    }

    func testONNXNodeAndAttributeFields() {
        let node = ONNXNode("Flatten", name: "f", inputs: ["x"], outputs: ["y"],
                            attributes: [ONNXAttribute("axis", .int(1))])
        var writer = ProtobufWriter()
        node.encode(into: &writer)
        // input (1) "x", output (2) "y", name (3) "f", op_type (4) "Flatten",
        // attribute (5) { name (1) "axis", i (3) 1, type (20) INT = 2 }.
        let attribute: [UInt8] = [0x0A, 0x04] + Array("axis".utf8) + [0x18, 0x01, 0xA0, 0x01, 0x02]
        let expected: [UInt8] = [0x0A, 0x01, 0x78, 0x12, 0x01, 0x79, 0x1A, 0x01, 0x66, 0x22, 0x07] + Array("Flatten".utf8)
            + [0x2A, UInt8(attribute.count)] + attribute
        XCTAssertEqual(writer.bytes, expected)
    }

    func testONNXValueInfoWithSymbolicBatch() {
        let info = ONNXValueInfo(name: "x", elementType: .float, shape: [.symbolic("N"), .fixed(3)])
        var writer = ProtobufWriter()
        info.encode(into: &writer)
        // name (1) "x"; type (2) { tensor_type (1) { elem_type (1) FLOAT = 1, shape (2) { dim (1) { dim_param (2)
        // "N" }, dim (1) { dim_value (1) 3 } } } }.
        let shape: [UInt8] = [0x0A, 0x03, 0x12, 0x01, 0x4E, 0x0A, 0x02, 0x08, 0x03]
        let tensorType: [UInt8] = [0x08, 0x01, 0x12, UInt8(shape.count)] + shape
        let type: [UInt8] = [0x0A, UInt8(tensorType.count)] + tensorType
        XCTAssertEqual(writer.bytes, [0x0A, 0x01, 0x78, 0x12, UInt8(type.count)] + type)
    }

    func testONNXTensorCarriesDimsTypeNameAndRawData() {
        let tensor = ONNXTensor(.init(name: "w", shape: [2], floats: [1, -2]))
        var writer = ProtobufWriter()
        tensor.encode(into: &writer)
        // dims (1) 2, data_type (2) FLOAT = 1, name (8) "w", raw_data (9) 1.0f, -2.0f little-endian.
        XCTAssertEqual(writer.bytes, [0x08, 0x02, 0x10, 0x01, 0x42, 0x01, 0x77, 0x4A, 0x08,
                                      0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0])
    }
}
