import CondenseData
import XCTest

/// PNG (every colour type, 8 and 16 bits) and JPEG files written through libpng and libjpeg-turbo, imported at
/// their own size (no resampling) and at smaller and larger sizes (area averaging, bilinear).
final class PNGAndJPEGDecodingTests: XCTestCase {
    private func render(_ name: String, side: Int = 2, write: (ImageFolderFixture, String) -> Void) throws -> [UInt8] {
        let fixture = try ImageFolderFixture("png-\(name)")
        return try fixture.renderAlone(name.hasPrefix("jpeg") ? "jpg" : "png", side: side) { write(fixture, $0) }
    }

    func testGreyPNGsOfEveryDepthAndAlphaGiveTheirGreyLevels() throws {
        XCTAssertEqual(try render("grey8") { $0.png($1, width: 2, height: 2, samples: [10, 20, 30, 40]) },
                       [10, 20, 30, 40])
        // 16-bit big-endian samples 0x1234, 0xFFFF, 0, 0x8000 scaled to 8 bits: v·255/65535 rounded.
        XCTAssertEqual(try render("grey16") {
            $0.png($1, width: 2, height: 2, bitDepth: 16, samples: [0x12, 0x34, 0xFF, 0xFF, 0, 0, 0x80, 0])
        }, [18, 255, 0, 128])
        XCTAssertEqual(try render("greyalpha") {
            $0.png($1, width: 2, height: 2, colorType: 4, samples: [10, 255, 20, 0, 30, 128, 40, 255])
        }, [10, 20, 30, 40], "alpha dropped")
    }

    func testColourPNGsOfEveryKindGiveTheirRGBPlanes() throws {
        let planes: [UInt8] = [255, 0, 0, 10, /* green */ 0, 255, 0, 20, /* blue */ 0, 0, 255, 30]
        let rgb: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]
        XCTAssertEqual(try render("rgb8") { $0.png($1, width: 2, height: 2, colorType: 2, samples: rgb) }, planes)
        XCTAssertEqual(try render("rgba8") {
            $0.png($1, width: 2, height: 2, colorType: 6,
                   samples: [255, 0, 0, 9, 0, 255, 0, 9, 0, 0, 255, 9, 10, 20, 30, 9])
        }, planes)
        XCTAssertEqual(try render("rgb16") {
            $0.png($1, width: 2, height: 2, colorType: 2, bitDepth: 16, samples: rgb.flatMap { [$0, $0] })
        }, planes, "0xVVVV scales to VV")
        XCTAssertEqual(try render("palette") {
            $0.png($1, width: 2, height: 2, colorType: 3, samples: [0, 1, 2, 3],
                   palette: [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30])
        }, planes)
    }

    func testJPEGGreyAndColourDecodeWithinCompressionError() throws {
        let grey = try render("jpeg-grey", side: 8) { fixture, path in
            fixture.jpeg(path, width: 8, height: 8, channels: 1, pixels: (0..<64).map { _ in 90 })
        }
        XCTAssertEqual(grey.count, 64)
        XCTAssertTrue(grey.allSatisfy { abs(Int($0) - 90) <= 2 }, "\(grey)")
        let colour = try render("jpeg-rgb", side: 8) { fixture, path in
            fixture.jpeg(path, width: 8, height: 8, channels: 3, pixels: (0..<64).flatMap { _ in [200, 100, 50] })
        }
        for (plane, level) in [200, 100, 50].enumerated() {
            XCTAssertTrue(colour[(plane * 64)..<((plane + 1) * 64)].allSatisfy { abs(Int($0) - level) <= 3 }, "\(colour)")
        }
    }

    func testShrinkingAveragesAreasAndEnlargingInterpolates() throws {
        // A one-pixel checkerboard averages to mid-grey (nearest neighbour would give 0 or 255); blocks to their level.
        XCTAssertEqual(try render("checker") {
            $0.png($1, width: 4, height: 4, samples: (0..<16).map { ($0 / 4 + $0 % 4) % 2 == 0 ? 0 : 255 })
        }, [128, 128, 128, 128])
        XCTAssertEqual(try render("blocks") {
            $0.png($1, width: 4, height: 4,
                   samples: [0, 0, 100, 100, 0, 0, 100, 100, 50, 50, 250, 250, 50, 50, 250, 250])
        }, [0, 100, 50, 250])
        // 2×2 to 4×4, bilinear with centres aligned: the outer pixels keep the corner values, inner ones mix 3:1.
        let enlarged = try render("enlarge", side: 4) { $0.png($1, width: 2, height: 2, samples: [0, 100, 100, 200]) }
        XCTAssertEqual(Array(enlarged.prefix(4)), [0, 25, 75, 100])
        XCTAssertEqual(Array(enlarged.suffix(4)), [100, 125, 175, 200])
    }
}
