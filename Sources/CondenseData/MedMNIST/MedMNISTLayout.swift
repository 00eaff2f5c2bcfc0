import CondenseCore
import Foundation

/// What a MedMNIST `.npz` file declares, checked from its directory and array headers alone, before any data is
/// read: the six keys, uint8 images of one geometry within `DataLimits.maximumImageSide`, one integer label per
/// image, no empty split, and the memory the whole load needs within `DataLimits.maximumDatasetBytes`.
struct MedMNISTLayout {
    /// The image channels and size shared by every split.
    struct Geometry: Equatable, CustomStringConvertible {
        let channels: Int, height: Int, width: Int
        var description: String { "\(channels)×\(height)×\(width)" }
    }

    static let splitNames = ["train", "val", "test"]
    let geometry: Geometry

    init(_ file: NPZArchive, limits: DataLimits) throws {
        let path = file.archive.path, keys = Set(file.keys)
        let required = Self.splitNames.flatMap { ["\($0)_images", "\($0)_labels"] }
        let missing = required.filter { !keys.contains($0) }
        guard missing.isEmpty else {
            throw CondenseError.file(path: path, "not a MedMNIST file: missing key(s) \(missing.joined(separator: ", ")) " +
                                                 "(found \(file.keys.sorted().joined(separator: ", ")))")
        }
        var geometry: Geometry?
        var memory: [Int] = []
        for split in Self.splitNames {
            let images = try file.header("\(split)_images"), labels = try file.header("\(split)_labels")
            let shape = try Self.geometry(images, key: "\(split)_images", path: path, limits: limits)
            if let geometry, geometry != shape {
                throw CondenseError.file(path: path, "\(split)_images: images are \(shape), the train split's are \(geometry)")
            }
            geometry = shape
            let labelCount = try Self.labelCount(labels, key: "\(split)_labels", path: path)
            guard labelCount == images.shape[0] else {
                throw CondenseError.file(path: path, "\(split)_labels: \(labelCount) labels for \(images.shape[0]) " +
                                                     "images in \(split)_images")
            }
            guard labelCount > 0 else {
                throw CondenseError.file(path: path, "the \(split) split is empty (0 images in \(split)_images); every " +
                                                     "split needs at least one image")
            }
            // Each member as read, the pixels once more (NCHW) and the labels as int32.
            memory += [try file.archive.size(of: "\(split)_images.npy"), try file.archive.size(of: "\(split)_labels.npy"),
                       images.dataByteCount, 4 * labelCount]
        }
        guard let needed = CheckedArithmetic.sum(memory) else {
            throw CondenseError.file(path: path, "the arrays' sizes overflow: corrupt")
        }
        try limits.checkMemory(needed, for: "loading this dataset", path: path)
        self.geometry = geometry!
    }

    private static func geometry(_ images: NPYHeader, key: String, path: String, limits: DataLimits) throws -> Geometry {
        guard images.descr == "|u1" || images.descr == "<u1" else {
            throw CondenseError.file(path: path, "\(key): expected uint8 pixels, got dtype \(images.descr)")
        }
        let shape = images.shape
        let geometry: Geometry
        switch shape.count {
        case 3: geometry = Geometry(channels: 1, height: shape[1], width: shape[2])
        case 4 where shape[3] == 1 || shape[3] == 3: geometry = Geometry(channels: shape[3], height: shape[1], width: shape[2])
        default:
            throw CondenseError.file(path: path, "\(key): expected shape [N, H, W] or [N, H, W, 3], got \(shape) " +
                                                 "(3-D MedMNIST volumes are not supported)")
        }
        let sides = 1...limits.maximumImageSide
        guard sides.contains(geometry.height), sides.contains(geometry.width) else {
            throw CondenseError.file(path: path, "\(key): images of \(geometry.height)×\(geometry.width) pixels; each " +
                                                 "side must be 1…\(limits.maximumImageSide)")
        }
        return geometry
    }

    /// The number of labels, after checking there is one integer per image.
    private static func labelCount(_ labels: NPYHeader, key: String, path: String) throws -> Int {
        guard labels.shape.count == 1 || (labels.shape.count == 2 && labels.shape[1] == 1) else {
            throw CondenseError.file(path: path, "\(key): expected one label per image ([N] or [N, 1]), got " +
                                                 "\(labels.shape); multi-label subsets are not supported")
        }
        guard !labels.descr.hasSuffix("f4"), !labels.descr.hasSuffix("f8") else {
            throw CondenseError.file(path: path, "\(key): expected integer class labels, got floating-point dtype " +
                                                 "\(labels.descr) (save them as an integer type)")
        }
        return labels.shape[0]
    }
}
