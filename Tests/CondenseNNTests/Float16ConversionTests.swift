@testable import CondenseNN
import XCTest

/// Float ↔ half conversion against bit patterns worked out by hand from IEEE 754 binary16
/// (1 sign bit, 5 exponent bits with bias 15, 10 fraction bits; subnormal step 2⁻²⁴; largest finite 65504).
final class Float16ConversionTests: XCTestCase {
    private func bits(_ value: Float) -> UInt16 { Float16Conversion.halfBits([value])[0] }

    func testExactValues() {
        XCTAssertEqual(bits(1), 0x3C00)
        XCTAssertEqual(bits(-2), 0xC000)
        XCTAssertEqual(bits(0.5), 0x3800)
        XCTAssertEqual(bits(65504), 0x7BFF)
        XCTAssertEqual(bits(0x1p-14), 0x0400, "smallest normal")
        XCTAssertEqual(bits(0), 0x0000)
        XCTAssertEqual(bits(-0.0), 0x8000)
    }

    func testTiesRoundToEven() {
        // 1 + 2⁻¹¹ lies halfway between 1 (fraction 0, even) and 1 + 2⁻¹⁰ (fraction 1, odd): to 1.
        XCTAssertEqual(bits(1 + 0x1p-11), 0x3C00)
        // 1 + 3·2⁻¹¹ lies halfway between fraction 1 (odd) and fraction 2 (even): to fraction 2.
        XCTAssertEqual(bits(1 + 3 * 0x1p-11), 0x3C02)
        // Just above and below a tie go to the nearer neighbour.
        XCTAssertEqual(bits((1 + 0x1p-11).nextUp), 0x3C01)
        XCTAssertEqual(bits((1 + 3 * 0x1p-11).nextDown), 0x3C01)
        XCTAssertEqual(bits(-(1 + 0x1p-11)), 0xBC00)
    }

    func testSubnormals() {
        XCTAssertEqual(bits(0x1p-24), 0x0001, "smallest subnormal")
        XCTAssertEqual(bits(0x1p-15), 0x0200)
        XCTAssertEqual(bits(0x1p-14 - 0x1p-24), 0x03FF, "largest subnormal")
        XCTAssertEqual(bits(0x1p-25), 0x0000, "halfway between 0 and 2⁻²⁴: to even (0)")
        XCTAssertEqual(bits(Float(0x1p-25).nextUp), 0x0001)
        XCTAssertEqual(bits(3 * 0x1p-25), 0x0002, "halfway between 1 and 2 steps: to even (2)")
        XCTAssertEqual(bits(-0x1p-26), 0x8000, "underflow keeps the sign")
        XCTAssertEqual(Float16Conversion.floats(halfBits: [0x0001, 0x03FF, 0x8001]), [0x1p-24, 0x1p-14 - 0x1p-24, -0x1p-24])
    }

    func testOverflowToInfinity() {
        XCTAssertEqual(bits(65519), 0x7BFF, "below the halfway point 65520: stays finite")
        XCTAssertEqual(bits(65520), 0x7C00, "halfway between 65504 and 2¹⁶: to even, which is infinity")
        XCTAssertEqual(bits(1e6), 0x7C00)
        XCTAssertEqual(bits(-1e6), 0xFC00)
        XCTAssertEqual(bits(.infinity), 0x7C00)
        XCTAssertEqual(bits(-.infinity), 0xFC00)
        XCTAssertEqual(Float16Conversion.floats(halfBits: [0x7C00, 0xFC00]), [.infinity, -.infinity])
    }

    func testNaN() {
        for value in [Float.nan, -Float.nan, Float(bitPattern: 0x7F80_0001)] {
            let half = bits(value)
            XCTAssertEqual(half & 0x7C00, 0x7C00, "exponent all ones")
            XCTAssertNotEqual(half & 0x03FF, 0, "non-zero fraction: NaN, not infinity")
        }
        XCTAssertTrue(Float16Conversion.floats(halfBits: [0x7E00])[0].isNaN)
        XCTAssertTrue(Float16Conversion.floats(halfBits: [0xFC01])[0].isNaN)
    }

    func testEveryHalfSurvivesTheRoundTrip() {
        let all = (0...UInt16.max).map { $0 }
        let back = Float16Conversion.halfBits(Float16Conversion.floats(halfBits: all))
        for (original, converted) in zip(all, back) where original & 0x7C00 != 0x7C00 || original & 0x03FF == 0 {
            XCTAssertEqual(converted, original)  // every finite half and both infinities, exactly
        }
    }

    func testLittleEndianBytes() {
        XCTAssertEqual(Float16Conversion.halfBytes([1, -2, 0x1p-24]), [0x00, 0x3C, 0x00, 0xC0, 0x01, 0x00])
        XCTAssertEqual(Float16Conversion.floats(halfBytes: [0x00, 0x3C, 0xFF, 0x7B]), [1, 65504])
        let tensor = NamedTensorData(name: "h", shape: [2], float16From: [0.1, 1 + 0x1p-11])
        XCTAssertEqual(try tensor.halfBits(), [0x2E66, 0x3C00])
        XCTAssertEqual(tensor.floats(), [Float(Float16(0.1 as Float)), 1])
    }
}
