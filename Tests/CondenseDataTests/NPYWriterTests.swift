import CondenseData
import Foundation
import XCTest

/// The `.npy` writer against NumPy's format 1.0 layout worked out by hand, and read back by our reader.
final class NPYWriterTests: XCTestCase {
    func testHeaderLayoutAndRoundTrip() throws {
        let values: [Float] = [1, -2.5, 0.125, 3e-8, 65504, -0]
        let bytes = NPYArray.float32File(shape: [2, 3], values: values)
        // Magic, version 1.0, header length 118 (76 00): the 59-character dictionary, 58 spaces and a newline, so
        // that the data starts at byte 128, a multiple of 64.
        XCTAssertEqual(Array(bytes.prefix(10)), [0x93] + Array("NUMPY".utf8) + [1, 0, 118, 0])
        let header = String(decoding: bytes[10..<128], as: UTF8.self)
        XCTAssertEqual(header, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" + String(repeating: " ", count: 58)
                       + "\n")
        XCTAssertEqual(bytes.count, 128 + 4 * values.count)
        // 1.0f = 0x3f800000, little-endian.
        XCTAssertEqual(Array(bytes[128..<132]), [0x00, 0x00, 0x80, 0x3F])

        let array = try NPYArray(parsing: Data(bytes), path: "logits.npy")
        XCTAssertEqual(array.descr, "<f4")
        XCTAssertEqual(array.shape, [2, 3])
        XCTAssertEqual(array.floats().map(\.bitPattern), values.map(\.bitPattern))
    }

    func testOneDimensionalShapeIsATupleWithATrailingComma() throws {
        let bytes = NPYArray.float32File(shape: [3], values: [1, 2, 3])
        XCTAssertTrue(String(decoding: bytes[10..<128], as: UTF8.self).hasPrefix("{'descr': '<f4', 'fortran_order': False, " +
                                                                               "'shape': (3,), }"))
        XCTAssertEqual(try NPYArray(parsing: Data(bytes), path: "v.npy").shape, [3])
    }
}
