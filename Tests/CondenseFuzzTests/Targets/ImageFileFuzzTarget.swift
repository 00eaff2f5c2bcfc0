import CImageWriters
import CondenseData
import CondenseTestSupport
import Foundation

/// PNG, JPEG or DICOM files as an image folder holds them: each input is written as `a/input.<ext>` beside valid
/// grey PNGs (two more in class `a`, three in `b`) and the folder is imported, with a cache folder that cannot be
/// created, so nothing is cached between inputs.
struct ImageFileFuzzTarget: FuzzTarget {
    let fileExtension: String
    let limits: DataLimits
    let folder: URL
    var name: String { fileExtension }

    init(fileExtension: String, limits: DataLimits) throws {
        self.fileExtension = fileExtension
        self.limits = limits
        let scratch = FileManager.default.isWritableFile(atPath: "/dev/shm") ? URL(fileURLWithPath: "/dev/shm")
            : FileManager.default.temporaryDirectory
        folder = scratch.appendingPathComponent("condense-fuzz-\(fileExtension)-\(getpid())")
        for (name, count) in [("a", 2), ("b", 3)] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(name), withIntermediateDirectories: true)
            for k in 0..<count {
                _ = fixture_write_png(folder.appendingPathComponent("\(name)/\(k).png").path, 4, 4, 0, 8,
                                     [UInt8](repeating: UInt8(k * 40), count: 16), nil, 0)
            }
        }
    }

    func seeds() throws -> [[UInt8]] {
        switch fileExtension {
        case "png":
            let grey16 = (0..<32).map { UInt8($0 * 7 % 256) }, rgb = (0..<48).map { UInt8($0 * 5 % 256) }
            return try [written { fixture_write_png($0, 4, 4, 0, 16, grey16, nil, 0) },
                        written { fixture_write_png($0, 4, 4, 2, 8, rgb, nil, 0) },
                        written { fixture_write_png($0, 4, 4, 3, 8, (0..<16).map { UInt8($0 % 3) }, [9, 8, 7, 6, 5, 4, 3, 2, 1], 3) }]
        case "jpg":
            return try [written { fixture_write_jpeg($0, 8, 8, 1, 90, (0..<64).map { UInt8($0 * 4) }) },
                        written { fixture_write_jpeg($0, 8, 8, 3, 90, (0..<192).map { UInt8($0 % 256) }) }]
        default:
            return try ["ct12_rescale_window.dcm", "ct12_rle.dcm", "signed16_minmax.dcm", "mono1_window.dcm",
                        "jpeg_baseline.dcm"].map {
                [UInt8](try Data(contentsOf: Fixtures.folder.appendingPathComponent("DICOM/\($0)")))
            }
        }
    }

    func read(_ input: [UInt8]) throws {
        try Data(input).write(to: folder.appendingPathComponent("a/input.\(fileExtension)"))
        var options = ImageFolderOptions()
        options.imageSize = 4
        options.cacheFolder = "/dev/null/cache"
        _ = try ImageFolderLoader.load(folder.path, options: options, limits: limits)
    }

    /// The bytes of a file `write` writes at a scratch path.
    private func written(_ write: (String) -> Int32) throws -> [UInt8] {
        let path = folder.appendingPathComponent("seed.\(fileExtension)").path
        guard write(path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { try? FileManager.default.removeItem(atPath: path) }
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
