import CondenseData
import Foundation
import XCTest

/// The three layouts (class folders, split folders, CSV manifest), the stratified split, the chosen size and
/// channels, and the cache.
final class ImageFolderLayoutTests: XCTestCase {
    /// Class `a` with 20 images, `b` with 20, `c` with 10; image k of a class is a grey 4×4 PNG of level
    /// 10·class + k, so each image can be told apart after loading.
    private func classFolders(_ fixture: ImageFolderFixture) {
        for (label, (name, count)) in [("a", 20), ("b", 20), ("c", 10)].enumerated() {
            for k in 0..<count { fixture.greyPNG("\(name)/img\(k).png", side: 4, value: UInt8(label * 50 + k)) }
        }
        fixture.text("a/notes.txt", "not an image")
        fixture.text("b/.DS_Store", "hidden")
        fixture.text("DICOMDIR", "index")
    }

    /// The first pixel of every image of a split (its identity).
    private func levels(_ split: ImageSplit) -> [UInt8] { stride(from: 0, to: split.pixels.count, by: 16).map { split.pixels[$0] } }

    func testClassFoldersSplitEachClassInProportionStablyAndBySeed() throws {
        let fixture = try ImageFolderFixture("layout-classes")
        classFolders(fixture)
        let (dataset, summary, _) = try fixture.load()
        XCTAssertEqual(dataset.classNames, ["a", "b", "c"])
        XCTAssertEqual(summary.counts["train"], [16, 16, 8])
        XCTAssertEqual(summary.counts["val"], [2, 2, 1])
        XCTAssertEqual(summary.counts["test"], [2, 2, 1])
        XCTAssertEqual(summary.ignored.sorted(), ["DICOMDIR", "a/notes.txt", "b/.DS_Store"])
        XCTAssertEqual([dataset.channels, dataset.height, dataset.width], [1, 4, 4])
        XCTAssertEqual(Set(levels(dataset.train) + levels(dataset.validation) + levels(dataset.test)).count, 50)

        try FileManager.default.removeItem(atPath: fixture.cache)
        let again = try fixture.load().dataset
        XCTAssertEqual(levels(again.test), levels(dataset.test), "the same files and seed give the same split")
        var reseeded = fixture.options()
        reseeded.split.seed = 7
        let other = try fixture.load(options: reseeded)
        XCTAssertEqual(other.summary.counts["test"], [2, 2, 1])
        XCTAssertNotEqual(levels(other.dataset.test), levels(dataset.test), "another seed draws another split")
    }

    func testSplitFoldersAreKeptAndAMissingValidationSplitIsDrawnFromTraining() throws {
        let fixture = try ImageFolderFixture("layout-splits")
        for name in ["a", "b"] {
            for k in 0..<10 { fixture.greyPNG("train/\(name)/\(k).png", side: 4, value: UInt8(k)) }
            fixture.greyPNG("test/\(name)/t.png", side: 4, value: 200)
        }
        let (dataset, summary, _) = try fixture.load()
        XCTAssertEqual(summary.counts["train"], [9, 9])
        XCTAssertEqual(summary.counts["val"], [1, 1])
        XCTAssertEqual(summary.counts["test"], [1, 1])
        XCTAssertEqual(levels(dataset.test), [200, 200])
        XCTAssertTrue(summary.split.hasPrefix("as given, val drawn from train"), summary.split)
    }

    func testACSVManifestGivesPathsLabelsAndSplits() throws {
        let fixture = try ImageFolderFixture("layout-csv")
        for k in 0..<6 { fixture.greyPNG("images/\(k).png", side: 4, value: UInt8(10 * k)) }
        fixture.greyPNG("images/with, comma.png", side: 4, value: 99)
        fixture.text("labels.csv", """
            path,label,split
            images/0.png,normal,train
            images/1.png,tumour,train
            "images/with, comma.png",normal,train
            images/2.png,normal,val
            images/3.png,tumour,val
            images/4.png,normal,test
            images/5.png,tumour,test

            """)
        let (dataset, summary, _) = try fixture.load("labels.csv")
        XCTAssertEqual(dataset.classNames, ["normal", "tumour"])
        XCTAssertEqual(dataset.name, "labels")
        XCTAssertEqual(levels(dataset.train), [0, 10, 99])
        XCTAssertEqual(dataset.train.labels, [0, 1, 0])
        XCTAssertEqual(levels(dataset.validation), [20, 30])
        XCTAssertEqual(levels(dataset.test), [40, 50])
        XCTAssertEqual(summary.split, "as given")
    }

    func testTheMostCommonSizeIsTheDefaultCappedAt224AndTheMajorityChannelsWin() throws {
        let fixture = try ImageFolderFixture("layout-geometry")
        for name in ["a", "b"] {
            for k in 0..<3 { fixture.greyPNG("\(name)/\(k).png", side: 6, value: 1) }
            fixture.greyPNG("\(name)/large.png", side: 9, value: 1)
            fixture.png("\(name)/colour.png", width: 2, height: 2, colorType: 2, samples: [UInt8](repeating: 7, count: 12))
        }
        let (dataset, summary, notices) = try fixture.load()
        XCTAssertEqual([dataset.channels, dataset.height], [1, 6])
        XCTAssertEqual(summary.sizes, ["6×6": 6, "9×9": 2, "2×2": 2])
        XCTAssertEqual(summary.channelsFound, ["1": 8, "3": 2])
        XCTAssertTrue(notices.contains("2 of 10 images are colour; converted to grey, as the majority"), "\(notices)")

        let large = try ImageFolderFixture("layout-large")
        for name in ["a", "b"] { for k in 0..<3 { large.greyPNG("\(name)/\(k).png", side: 300, value: 1) } }
        XCTAssertEqual(try large.load().dataset.height, 224)
    }

    func testTheCacheIsReadBackAndRebuiltWhenAFileChanges() throws {
        let fixture = try ImageFolderFixture("layout-cache")
        classFolders(fixture)
        let first = try fixture.load()
        XCTAssertTrue(first.notices.contains { $0.contains("cached the decoded images in \(fixture.cache)/") }, "\(first.notices)")
        let cached = try fixture.load()
        XCTAssertTrue(cached.notices.contains { $0.contains("read the decoded images from the cache") }, "\(cached.notices)")
        XCTAssertEqual(cached.dataset.train.pixels, first.dataset.train.pixels)
        XCTAssertEqual(cached.dataset.classNames, ["a", "b", "c"])
        XCTAssertEqual(cached.summary, first.summary)

        let file = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: fixture.cache).first { $0.hasSuffix(".npz") })
        let stored = try MedMNISTLoader.load("\(fixture.cache)/\(file)")
        XCTAssertEqual(stored.classNames, ["a", "b", "c"], "the cache is a MedMNIST file carrying the class names")
        XCTAssertEqual(stored.test.pixels, first.dataset.test.pixels)

        fixture.greyPNG("c/img0.png", side: 4, value: 255)
        let changed = try fixture.load()
        XCTAssertTrue(changed.notices.contains { $0.contains("cached the decoded images") }, "\(changed.notices)")
        XCTAssertTrue((levels(changed.dataset.train) + levels(changed.dataset.validation) + levels(changed.dataset.test))
                        .contains(255), "the changed file is decoded again")
    }
}
