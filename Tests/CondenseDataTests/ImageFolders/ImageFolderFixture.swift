import CImageWriters
import CondenseData
import CondenseTestSupport
import Foundation
import XCTest

/// A temporary folder of image files for the image-folder tests: PNG and JPEG written through libpng and
/// libjpeg-turbo (the libraries the readers use), DICOM copied from `Tests/Fixtures/DICOM`, and a cache folder of
/// its own.
final class ImageFolderFixture {
    let root: URL
    var cache: String { root.appendingPathComponent(".cache").path }

    init(_ name: String) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("condense-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: root)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// `root/relative`, its folders created.
    func path(_ relative: String) -> String {
        let url = root.appendingPathComponent(relative)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        return url.path
    }

    /// A PNG of `colorType` (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA) and `bitDepth` from packed samples.
    func png(_ relative: String, width: Int, height: Int, colorType: Int32 = 0, bitDepth: Int32 = 8, samples: [UInt8],
             palette: [UInt8] = []) {
        XCTAssertEqual(fixture_write_png(path(relative), Int32(width), Int32(height), colorType, bitDepth, samples,
                                         palette, Int32(palette.count / 3)), 0)
    }

    /// A grey 8-bit PNG filled with `value`.
    func greyPNG(_ relative: String, side: Int, value: UInt8) {
        png(relative, width: side, height: side, samples: [UInt8](repeating: value, count: side * side))
    }

    /// A JPEG of HWC `pixels` (quality 95).
    func jpeg(_ relative: String, width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        XCTAssertEqual(fixture_write_jpeg(path(relative), Int32(width), Int32(height), Int32(channels), 95, pixels), 0)
    }

    /// A copy of `Tests/Fixtures/DICOM/<name>`.
    func dicom(_ relative: String, from name: String) throws {
        let source = Fixtures.folder.appendingPathComponent("DICOM").appendingPathComponent(name)
        try? FileManager.default.removeItem(atPath: path(relative))
        try FileManager.default.copyItem(atPath: source.path, toPath: path(relative))
    }

    /// A text file.
    func text(_ relative: String, _ contents: String) {
        XCTAssertTrue(FileManager.default.createFile(atPath: path(relative), contents: Data(contents.utf8)))
    }

    /// Options with this fixture's cache folder.
    func options(imageSize: Int? = nil, window: DicomWindow? = nil, skipBad: Bool = false) -> ImageFolderOptions {
        var options = ImageFolderOptions()
        options.imageSize = imageSize
        options.window = window
        options.skipBad = skipBad
        options.cacheFolder = cache
        return options
    }

    /// Loads `relative` (the root by default), collecting the notices.
    func load(_ relative: String = "", options: ImageFolderOptions? = nil,
              limits: DataLimits = .standard) throws -> (dataset: ImageDataset, summary: ImportSummary, notices: [String]) {
        let notices = Notices()
        let (dataset, summary) = try ImageFolderLoader.load(
            relative.isEmpty ? root.path : root.appendingPathComponent(relative).path, options: options ?? self.options(),
            limits: limits, observer: ImportObserver(notice: { notices.append($0) }, progress: { _, _ in }))
        return (dataset, summary, notices.lines)
    }

    /// The one image of class `a` in each split of a `train/val/test` layout (class `b` holds a black grey PNG), as
    /// the import renders it at `side` × `side` (CHW): `write` puts the image at the relative path it is given.
    func renderAlone(_ fileExtension: String, side: Int, window: DicomWindow? = nil,
                     write: (String) throws -> Void) throws -> [UInt8] {
        for split in ["train", "val", "test"] {
            try write("\(split)/a/image.\(fileExtension)")
            greyPNG("\(split)/b/filler.png", side: side, value: 0)
        }
        let dataset = try load(options: options(imageSize: side, window: window)).dataset
        XCTAssertEqual(dataset.test.labels, [0, 1])
        return Array(dataset.test.pixels.prefix(dataset.channels * side * side))
    }

    /// A DICOM fixture rendered alone (above).
    func renderAlone(dicom name: String, side: Int, window: DicomWindow? = nil) throws -> [UInt8] {
        try renderAlone("dcm", side: side, window: window) { try dicom($0, from: name) }
    }
}

/// Notices heard during a load.
final class Notices: @unchecked Sendable {  // Sendable: appended under the lock
    private let lock = NSLock()
    private var collected: [String] = []
    var lines: [String] { lock.withLock { collected } }
    func append(_ line: String) { lock.withLock { collected.append(line) } }
}
