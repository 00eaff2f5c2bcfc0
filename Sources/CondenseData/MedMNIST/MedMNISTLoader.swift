import CondenseCore
import Foundation

/// Reads any 2-D MedMNIST `.npz` file (any image size; grey `[N, H, W]` or RGB `[N, H, W, 3]` uint8 images,
/// labels `[N, 1]` or `[N]`), checking keys, dtypes, shapes, counts and label ranges before any training starts.
public enum MedMNISTLoader {
    /// Class names of the subsets whose names MedMNIST publishes (the files do not carry them).
    static let knownClassNames = [
        "bloodmnist": ["basophil", "eosinophil", "erythroblast", "immature granulocytes", "lymphocyte", "monocyte",
                       "neutrophil", "platelet"],
    ]

    /// Loads the dataset at `path`.
    public static func load(_ path: String) throws -> ImageDataset {
        let archive = try NPZArchive(contentsOf: path)
        let keys = Set(archive.keys)
        let required = ["train", "val", "test"].flatMap { ["\($0)_images", "\($0)_labels"] }
        let missing = required.filter { !keys.contains($0) }
        guard missing.isEmpty else {
            throw CondenseError.file(path: path, "not a MedMNIST file: missing key(s) \(missing.joined(separator: ", ")) " +
                                                 "(found \(archive.keys.sorted().joined(separator: ", ")))")
        }
        var geometry: (channels: Int, height: Int, width: Int)?
        var splits: [ImageSplit] = []
        for split in ["train", "val", "test"] {
            let images = try archive.array("\(split)_images"), labels = try archive.array("\(split)_labels")
            let shape = try imageGeometry(images, key: "\(split)_images", path: path)
            if let geometry, geometry != shape {
                throw CondenseError.file(path: path, "\(split)_images: images are \(shape), the train split's are \(geometry)")
            }
            geometry = shape
            let labelValues = try singleLabels(labels, key: "\(split)_labels", path: path)
            guard labelValues.count == images.shape[0] else {
                throw CondenseError.file(path: path, "\(split)_labels: \(labelValues.count) labels for " +
                                                     "\(images.shape[0]) images in \(split)_images")
            }
            splits.append(ImageSplit(pixels: nchw(images, shape), labels: labelValues))
        }
        guard let geometry else { throw CondenseError.file(path: path, "no splits") }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            .split(separator: "_").first.map(String.init) ?? "dataset"
        let classes = Int(splits.flatMap(\.labels).max() ?? 0) + 1
        if let known = knownClassNames[name], classes > known.count {
            let key = zip(["train", "val", "test"], splits).first { $0.1.labels.contains { Int($0) >= known.count } }?.0
            throw CondenseError.file(path: path, "\(key ?? "train")_labels: label \(classes - 1) is out of range for " +
                                                 "\(name) (\(known.count) classes, labels 0…\(known.count - 1))")
        }
        let names = knownClassNames[name] ?? (0..<classes).map { "class \($0)" }
        return ImageDataset(name: name, channels: geometry.channels, height: geometry.height, width: geometry.width,
                            classNames: names, train: splits[0], validation: splits[1], test: splits[2])
    }

    private static func imageGeometry(_ images: NPYArray, key: String,
                                      path: String) throws -> (channels: Int, height: Int, width: Int) {
        guard images.descr == "|u1" || images.descr == "<u1" else {
            throw CondenseError.file(path: path, "\(key): expected uint8 pixels, got dtype \(images.descr)")
        }
        switch images.shape.count {
        case 3: return (1, images.shape[1], images.shape[2])
        case 4 where images.shape[3] == 1 || images.shape[3] == 3: return (images.shape[3], images.shape[1], images.shape[2])
        default:
            throw CondenseError.file(path: path, "\(key): expected shape [N, H, W] or [N, H, W, 3], got \(images.shape) " +
                                                 "(3-D MedMNIST volumes are not supported)")
        }
    }

    private static func singleLabels(_ labels: NPYArray, key: String, path: String) throws -> [Int32] {
        guard labels.shape.count == 1 || (labels.shape.count == 2 && labels.shape[1] == 1) else {
            throw CondenseError.file(path: path, "\(key): expected one label per image ([N] or [N, 1]), got " +
                                                 "\(labels.shape); multi-label subsets are not supported")
        }
        let values = labels.ints()
        if let bad = values.first(where: { $0 < 0 || $0 > Int(Int32.max) }) {
            throw CondenseError.file(path: path, "\(key): label \(bad) is out of range (labels must be ≥ 0)")
        }
        return values.map { Int32($0) }
    }

    /// NHWC (as MedMNIST stores colour images) to NCHW.
    private static func nchw(_ images: NPYArray, _ g: (channels: Int, height: Int, width: Int)) -> [UInt8] {
        let count = images.shape[0], plane = g.height * g.width
        guard g.channels > 1 else { return [UInt8](images.data) }
        var output = [UInt8](repeating: 0, count: count * g.channels * plane)
        images.data.withUnsafeBytes { raw in
            let source = raw.bindMemory(to: UInt8.self)
            for n in 0..<count {
                for p in 0..<plane {
                    for c in 0..<g.channels {
                        output[(n * g.channels + c) * plane + p] = source[(n * plane + p) * g.channels + c]
                    }
                }
            }
        }
        return output
    }
}
