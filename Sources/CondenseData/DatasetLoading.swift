import Foundation

/// Loads a dataset by its path, as `--data` names it: a CIFAR binary folder (it holds `data_batch_1.bin` or
/// `train.bin`), any other folder as image class folders, a `.csv` as an image manifest (both through
/// `ImageFolderLoader` with `images`, telling `observer`), else a MedMNIST `.npz` file.
public func loadImageDataset(_ path: String, images: ImageFolderOptions = ImageFolderOptions(),
                             limits: DataLimits = .standard, observer: ImportObserver = .silent) throws -> ImageDataset {
    if ClassFolders.isFolder(path) {
        let cifar = ["data_batch_1.bin", "train.bin"].contains {
            FileManager.default.fileExists(atPath: ClassFolders.join(path, $0))
        }
        if cifar { return try CIFARLoader.load(path, limits: limits) }
    }
    if ClassFolders.isFolder(path) || path.lowercased().hasSuffix(".csv") {
        return try ImageFolderLoader.load(path, options: images, limits: limits, observer: observer).dataset
    }
    return try MedMNISTLoader.load(path, limits: limits)
}
