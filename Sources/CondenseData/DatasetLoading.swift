import Foundation

/// Loads a dataset by its path, as `--data` names it: a CIFAR binary folder (it holds `data_batch_1.bin` or
/// `train.bin`), an image folder or CSV manifest (`isImageSource`, through `ImageFolderLoader` with `images`,
/// telling `observer`), else a MedMNIST `.npz` file.
public func loadImageDataset(_ path: String, images: ImageFolderOptions = ImageFolderOptions(),
                             limits: DataLimits = .standard, observer: ImportObserver = .silent) throws -> ImageDataset {
    if isImageSource(path) {
        return try ImageFolderLoader.load(path, options: images, limits: limits, observer: observer).dataset
    }
    if ClassFolders.isFolder(path) { return try CIFARLoader.load(path, limits: limits) }
    return try MedMNISTLoader.load(path, limits: limits)
}

/// Whether `path` names images to import: a `.csv` manifest, or a folder that is not a CIFAR binary folder.
public func isImageSource(_ path: String) -> Bool {
    guard ClassFolders.isFolder(path) else { return path.lowercased().hasSuffix(".csv") }
    return !["data_batch_1.bin", "train.bin"].contains {
        FileManager.default.fileExists(atPath: ClassFolders.join(path, $0))
    }
}
