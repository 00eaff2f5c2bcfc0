import CondenseCore
import CondenseData
import Foundation
import XCTest

/// Every refusal of an image folder or manifest: one error naming the file (and line), or with `--skip-bad` a
/// bad image skipped, counted and listed.
final class ImageFolderBadInputTests: XCTestCase {
    /// Classes `a` and `b` of three 4×4 grey PNGs each.
    private func twoClasses(_ fixture: ImageFolderFixture) {
        for name in ["a", "b"] { for k in 0..<3 { fixture.greyPNG("\(name)/\(k).png", side: 4, value: UInt8(k)) } }
    }

    private func assertRefused(_ fixture: ImageFolderFixture, at relative: String = "", options: ImageFolderOptions? = nil,
                               limits: DataLimits = .standard, _ fragments: String...,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try fixture.load(relative, options: options, limits: limits), file: file, line: line) { error in
            XCTAssertTrue(error is CondenseError, "\(error)", file: file, line: line)
            for fragment in fragments {
                XCTAssertTrue("\(error)".contains(fragment), "'\(error)' lacks '\(fragment)'", file: file, line: line)
            }
        }
    }

    func testACorruptImageStopsTheImportNamingItOrIsSkippedAndListed() throws {
        let fixture = try ImageFolderFixture("bad-corrupt")
        twoClasses(fixture)
        fixture.greyPNG("a/3.png", side: 4, value: 9)
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: fixture.path("a/3.png")))
        XCTAssertTrue(FileManager.default.createFile(atPath: fixture.path("a/3.png"), contents: bytes.prefix(40)))
        fixture.text("b/fake.jpg", "not a JPEG at all")
        assertRefused(fixture, "a/3.png", "corrupt PNG")
        let (dataset, summary, notices) = try fixture.load(options: fixture.options(skipBad: true))
        XCTAssertEqual(summary.skipped.map(\.path), ["a/3.png", "b/fake.jpg"])
        XCTAssertTrue(summary.skipped[1].reason.contains("JPEG"), summary.skipped[1].reason)
        XCTAssertEqual(dataset.train.count + dataset.validation.count + dataset.test.count, 6)
        XCTAssertTrue(notices.contains { $0.contains("2 skipped as bad") }, "\(notices)")
    }

    func testAFileThatIsNotWhatItsExtensionSaysIsNamed() throws {
        let fixture = try ImageFolderFixture("bad-signature")
        twoClasses(fixture)
        fixture.text("b/scan.png", "plain text")
        assertRefused(fixture, "b/scan.png", "not a PNG file")
    }

    func testAnImageLargerThanTheSideLimitIsRefusedBeforeDecoding() throws {
        let fixture = try ImageFolderFixture("bad-large")
        twoClasses(fixture)
        fixture.greyPNG("b/huge.png", side: 20, value: 1)
        var limits = DataLimits.standard
        limits.maximumImageSide = 16
        assertRefused(fixture, limits: limits, "b/huge.png", "image of 20×20 pixels; each side must be 1…16")
    }

    func testEmptyAndSingleClassesAndUnknownClassesAreRefused() throws {
        let empty = try ImageFolderFixture("bad-empty")
        twoClasses(empty)
        empty.text("c/readme.txt", "no images here")
        assertRefused(empty, "/c", "empty class folder")

        let single = try ImageFolderFixture("bad-single")
        single.greyPNG("only/0.png", side: 4, value: 1)
        assertRefused(single, "only one class ('only')")

        let unknown = try ImageFolderFixture("bad-unknown")
        for name in ["a", "b", "z"] { unknown.greyPNG("test/\(name)/0.png", side: 4, value: 1) }
        for name in ["a", "b"] { unknown.greyPNG("train/\(name)/0.png", side: 4, value: 1) }
        assertRefused(unknown, "test/z", "class 'z' is not in the class list taken from train/ (a, b)")
    }

    func testManifestLinesThatCannotBeUsedAreNamedByLine() throws {
        let fixture = try ImageFolderFixture("bad-csv")
        for k in 0..<2 { fixture.greyPNG("\(k).png", side: 4, value: 1) }
        fixture.text("notes.txt", "text")
        let cases: [(String, String)] = [
            ("0.png,a\n1.png,b\nmissing.png,a\n", "line 3: 'missing.png' does not exist"),
            ("0.png,a\n1.png\n", "line 2: expected path,label or path,label,split; got 1 field(s)"),
            ("0.png,a,train\n1.png,b,train\n0.png,c,test\n", "line 3: label 'c' is not in the class list"),
            ("0.png,a,train\n1.png,b,holdout\n", "line 2: split 'holdout'; expected train, val or test"),
            ("0.png,a,train\n1.png,b\n", "give a split on every line or none"),
            ("0.png,a\nnotes.txt,b\n", "line 2: 'notes.txt' is not a PNG, JPEG or DICOM file"),
            ("0.png,a\n1.png,a\n", "only one class ('a')"),
        ]
        for (csv, message) in cases {
            fixture.text("labels.csv", csv)
            assertRefused(fixture, at: "labels.csv", "labels.csv", message)
        }
    }
}
