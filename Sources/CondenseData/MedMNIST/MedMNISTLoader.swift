import CondenseCore
import Foundation

/// Reads any 2-D MedMNIST `.npz` file (any image size; grey `[N, H, W]` or RGB `[N, H, W, 3]` uint8 images,
/// integer labels `[N, 1]` or `[N]`). Every array's header is checked first (`MedMNISTLayout`: keys, dtypes,
/// shapes, counts, empty splits, image size, the memory the whole load needs), so a file that cannot load is
/// refused before its data is read; then the labels are checked against the class limit and for gaps.
public enum MedMNISTLoader {
    /// Class names of the subsets whose names MedMNIST publishes (the files do not carry them).
    static let knownClassNames = [
        "bloodmnist": ["basophil", "eosinophil", "erythroblast", "immature granulocytes", "lymphocyte", "monocyte",
                       "neutrophil", "platelet"],
    ]

    /// The optional key holding the class names (UTF-8, joined by newlines, as uint8), which `MedMNISTWriter`
    /// writes; MedMNIST's own files lack it.
    static let classNamesKey = "class_names"

    /// Loads the dataset at `path`.
    public static func load(_ path: String, limits: DataLimits = .standard) throws -> ImageDataset {
        try load(ZipArchive(contentsOf: path, limits: limits), limits: limits)
    }

    /// Loads the dataset in an opened archive (named by its path, as `bloodmnist_64.npz` is `bloodmnist`).
    public static func load(_ archive: ZipArchive, limits: DataLimits = .standard) throws -> ImageDataset {
        let path = archive.path, file = NPZArchive(archive, limits: limits)
        let layout = try MedMNISTLayout(file, limits: limits)
        let geometry = layout.geometry
        var splits: [ImageSplit] = []
        for split in MedMNISTLayout.splitNames {
            let images = try file.array("\(split)_images"), labels = try file.array("\(split)_labels")
            splits.append(ImageSplit(pixels: nchw(images, geometry),
                                     labels: try checkedLabels(labels, key: "\(split)_labels", path: path, limits: limits)))
        }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            .split(separator: "_").first.map(String.init) ?? "dataset"
        let names = try file.keys.contains(classNamesKey) ? storedClassNames(file, splits: splits)
            : classNames(name, splits: splits, path: path)
        return ImageDataset(name: name, channels: geometry.channels, height: geometry.height, width: geometry.width,
                            classNames: names, train: splits[0], validation: splits[1], test: splits[2])
    }

    /// Integer labels, each in 0 ..< `limits.maximumClasses` (the header check already refused float dtypes).
    private static func checkedLabels(_ labels: NPYArray, key: String, path: String,
                                      limits: DataLimits) throws -> [Int32] {
        let values = try labels.ints()
        if let bad = values.first(where: { $0 < 0 }) {
            throw CondenseError.file(path: path, "\(key): label \(bad) is out of range (labels must be ≥ 0)")
        }
        if let bad = values.first(where: { $0 >= limits.maximumClasses }) {
            throw CondenseError.file(path: path, "\(key): label \(bad) exceeds the limit of \(limits.maximumClasses) " +
                                                 "classes (labels 0…\(limits.maximumClasses - 1))")
        }
        return values.map { Int32($0) }
    }

    /// The names under `class_names`: one per class, and every label below their count.
    private static func storedClassNames(_ file: NPZArchive, splits: [ImageSplit]) throws -> [String] {
        let path = "\(file.archive.path) [\(classNamesKey)]"
        let array = try file.array(classNamesKey)
        guard array.descr.hasSuffix("u1"), array.shape.count == 1,
              let text = String(data: array.data, encoding: .utf8) else {
            throw CondenseError.file(path: path, "expected the class names as UTF-8 bytes joined by newlines (uint8 [N])")
        }
        let names = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let classes = Int(splits.flatMap(\.labels).max() ?? 0) + 1
        guard classes <= names.count else {
            throw CondenseError.file(path: path, "\(names.count) class names for labels up to \(classes - 1)")
        }
        return names
    }

    /// A known subset's class names (a label beyond them is an error); otherwise `class 0 … class K−1` for the
    /// largest label K−1, where every class below it must label at least one image of some split (a gap means a
    /// stray or corrupt label, which would otherwise add classes no image has).
    private static func classNames(_ name: String, splits: [ImageSplit], path: String) throws -> [String] {
        let keyed = zip(MedMNISTLayout.splitNames.map { "\($0)_labels" }, splits)
        let classes = Int(splits.flatMap(\.labels).max() ?? 0) + 1
        if let known = knownClassNames[name] {
            if classes > known.count {
                let key = keyed.first { $0.1.labels.contains { Int($0) >= known.count } }?.0
                throw CondenseError.file(path: path, "\(key ?? "train_labels"): label \(classes - 1) is out of range " +
                                                     "for \(name) (\(known.count) classes, labels 0…\(known.count - 1))")
            }
            return known
        }
        var present = [Bool](repeating: false, count: classes)
        for split in splits { for label in split.labels { present[Int(label)] = true } }
        if let missing = present.firstIndex(of: false) {
            let key = keyed.first { $0.1.labels.contains(Int32(classes - 1)) }?.0 ?? "train_labels"
            let absent = present.indices.filter { !present[$0] }
            throw CondenseError.file(path: path, "\(key): label \(classes - 1) implies \(classes) classes, but " +
                                                 "\(absent.count) of them (first: \(missing)) label no image in any " +
                                                 "split; labels must run 0…K−1 without gaps")
        }
        return (0..<classes).map { "class \($0)" }
    }

    /// NHWC (as MedMNIST stores colour images) to NCHW.
    private static func nchw(_ images: NPYArray, _ g: MedMNISTLayout.Geometry) -> [UInt8] {
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
