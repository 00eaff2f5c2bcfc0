import CondenseData
import Foundation
import XCTest

/// DICOM files written by `Scripts/make-dicom-fixtures.py` (pydicom), rendered through DCMTK as a viewer shows
/// them, against values computed by hand from the stored pixels with DICOM's linear VOI function:
/// `y = ((x − (c − 0.5)) / (w − 1) + 0.5) · 255`, 0 below `c − 0.5 − (w − 1)/2`, 255 above `c − 0.5 + (w − 1)/2`,
/// where x is the stored value after the Modality LUT (slope · stored + intercept).
final class DicomRenderingTests: XCTestCase {
    /// `ct12_rescale_window.dcm`: stored 12-bit values, HU = stored − 1024, window (40, 400): from −160 HU black to
    /// 239 HU white.
    static let ctExpected: [UInt8] = [0, 0, 77, 89, 102, 115, 128, 166, 230, 255, 255, 255, 87, 106, 119, 151]

    func testTwelveBitCTAppliesRescaleThenTheFilesWindow() throws {
        assertClose(try ImageFolderFixture("dicom-ct").renderAlone(dicom: "ct12_rescale_window.dcm", side: 4),
                    Self.ctExpected)
    }

    func testRunLengthEncodedCTRendersAsTheUncompressedOne() throws {
        assertClose(try ImageFolderFixture("dicom-rle").renderAlone(dicom: "ct12_rle.dcm", side: 4), Self.ctExpected)
    }

    func testAWindowGivenOverridesTheFiles() throws {
        // Window (0, 100): −50 HU and below black, above 49 HU white; HU −1024, −200, −40, −20, 0, 20, 40, 100, …
        let pixels = try ImageFolderFixture("dicom-window").renderAlone(
            dicom: "ct12_rescale_window.dcm", side: 4, window: DicomWindow(center: 0, width: 100))
        assertClose(Array(pixels.prefix(8)), [0, 0, 26, 77, 129, 180, 232, 255])
    }

    func testSignedPixelsWithoutAWindowSpanTheirMinimumToMaximum() throws {
        // Stored −2000…2000 (signed 16-bit), slope 2, intercept 10: −3990 … 4010; min–max window centre 10.
        let pixels = try ImageFolderFixture("dicom-signed").renderAlone(dicom: "signed16_minmax.dcm", side: 4)
        XCTAssertEqual(pixels[0], 0)
        XCTAssertEqual(pixels[15], 255)
        assertClose([pixels[3], pixels[13]], [128, 191])  // 10 and 2010 after the rescale
    }

    func testMonochromeOneIsInverted() throws {
        // Window (128, 256) maps stored x to x; MONOCHROME1 shows low values white: 255 − x.
        let stored: [Int] = [0, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 255]
        assertClose(try ImageFolderFixture("dicom-mono1").renderAlone(dicom: "mono1_window.dcm", side: 4),
                    stored.map { UInt8(255 - $0) })
    }

    func testJPEGCompressedDICOMIsDecoded() throws {
        // 16×16 of 4×4 blocks at the MONOCHROME1 fixture's levels (JPEG quality 95, min–max window ≈ identity);
        // the area-average to 4×4 gives each block's level back within JPEG's error.
        let levels: [UInt8] = [0, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 255]
        assertClose(try ImageFolderFixture("dicom-jpeg").renderAlone(dicom: "jpeg_baseline.dcm", side: 4), levels,
                    tolerance: 4)
    }

    func testColourDICOMIsReadAsRGB() throws {
        let pixels = try ImageFolderFixture("dicom-rgb").renderAlone(dicom: "rgb.dcm", side: 2)
        XCTAssertEqual(pixels, [255, 0, 0, 10, /* green */ 0, 255, 0, 20, /* blue */ 0, 0, 255, 30])
    }

    func testMultiFrameFilesAndFilesWithoutPixelDataAreRefusedByName() throws {
        for (name, message) in [("multiframe.dcm", "multi-frame DICOM files are not supported"),
                                ("no_pixel_data.dcm", "without Pixel Data")] {
            let fixture = try ImageFolderFixture("dicom-refused")
            XCTAssertThrowsError(try fixture.renderAlone(dicom: name, side: 4)) {
                XCTAssertTrue("\($0)".contains("train/a/image.dcm") && "\($0)".contains(message), "\($0)")
            }
        }
    }

    private func assertClose(_ actual: [UInt8], _ expected: [UInt8], tolerance: Int = 1,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, file: file, line: line)
        for (index, (a, e)) in zip(actual, expected).enumerated() where abs(Int(a) - Int(e)) > tolerance {
            XCTFail("pixel \(index): \(a), expected \(e) ± \(tolerance) (all: \(actual))", file: file, line: line)
            return
        }
    }
}
