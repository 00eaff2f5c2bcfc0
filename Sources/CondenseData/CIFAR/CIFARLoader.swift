import CondenseCore
import Foundation

/// Reads the CIFAR-10 and CIFAR-100 binary distributions from a folder: records of label byte(s) then 3072 pixel
/// bytes (32×32 red plane, then green, then blue — already NCHW). CIFAR-10: `data_batch_1.bin` … `data_batch_5.bin`
/// and `test_batch.bin`, one label byte; CIFAR-100: `train.bin` and `test.bin`, a coarse then a fine label byte (the
/// fine label is used). CIFAR has no validation split: the last 5,000 training images serve as one.
public enum CIFARLoader {
    static let pixelsPerImage = 3 * 32 * 32

    /// Loads the dataset in `folder` (CIFAR-10 when `data_batch_1.bin` is there, CIFAR-100 when `train.bin` is).
    public static func load(_ folder: String, validationCount: Int = 5_000) throws -> ImageDataset {
        let manager = FileManager.default
        let url = URL(fileURLWithPath: folder)
        let isCIFAR10 = manager.fileExists(atPath: url.appendingPathComponent("data_batch_1.bin").path)
        let isCIFAR100 = manager.fileExists(atPath: url.appendingPathComponent("train.bin").path)
        guard isCIFAR10 || isCIFAR100 else {
            throw CondenseError.file(path: folder, "not a CIFAR binary folder: expected data_batch_1.bin … " +
                                                   "test_batch.bin (CIFAR-10) or train.bin and test.bin (CIFAR-100)")
        }
        let (trainFiles, testFile, labelBytes, classes) = isCIFAR10
            ? ((1...5).map { "data_batch_\($0).bin" }, "test_batch.bin", 1, 10)
            : (["train.bin"], "test.bin", 2, 100)
        var train = try trainFiles.map { try records(url.appendingPathComponent($0).path, labelBytes: labelBytes,
                                                     classes: classes) }
            .reduce(ImageSplit(pixels: [], labels: [])) { ImageSplit(pixels: $0.pixels + $1.pixels, labels: $0.labels + $1.labels) }
        let test = try records(url.appendingPathComponent(testFile).path, labelBytes: labelBytes, classes: classes)
        let held = min(max(validationCount, 0), train.count / 5)
        let kept = train.count - held
        let validation = ImageSplit(pixels: Array(train.pixels[(kept * pixelsPerImage)...]),
                                    labels: Array(train.labels[kept...]))
        train = ImageSplit(pixels: Array(train.pixels[..<(kept * pixelsPerImage)]), labels: Array(train.labels[..<kept]))
        let names = isCIFAR10
            ? ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
            : (0..<100).map { "class \($0)" }
        return ImageDataset(name: isCIFAR10 ? "cifar10" : "cifar100", channels: 3, height: 32, width: 32,
                            classNames: names, train: train, validation: validation, test: test)
    }

    /// The records of one binary file, checking its size and every label.
    static func records(_ path: String, labelBytes: Int, classes: Int) throws -> ImageSplit {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CondenseError.file(path: path, "cannot read file (missing or unreadable)")
        }
        let recordSize = labelBytes + pixelsPerImage
        guard !data.isEmpty, data.count % recordSize == 0 else {
            throw CondenseError.file(path: path, "\(data.count) bytes is not a whole number of \(recordSize)-byte " +
                                                 "records (truncated or not a CIFAR file)")
        }
        let count = data.count / recordSize
        var pixels = [UInt8](repeating: 0, count: count * pixelsPerImage), labels = [Int32](repeating: 0, count: count)
        try data.withUnsafeBytes { raw in
            for record in 0..<count {
                let base = record * recordSize
                let label = Int(raw[base + labelBytes - 1])
                guard label < classes else {
                    throw CondenseError.file(path: path, "record \(record): label \(label) out of range 0..<\(classes)")
                }
                labels[record] = Int32(label)
                pixels.withUnsafeMutableBytes { target in
                    target.baseAddress!.advanced(by: record * pixelsPerImage)
                        .copyMemory(from: raw.baseAddress!.advanced(by: base + labelBytes), byteCount: pixelsPerImage)
                }
            }
        }
        return ImageSplit(pixels: pixels, labels: labels)
    }
}

/// Loads a dataset by its path: a CIFAR binary folder, else a MedMNIST `.npz` file.
public func loadImageDataset(_ path: String) throws -> ImageDataset {
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
        return try CIFARLoader.load(path)
    }
    return try MedMNISTLoader.load(path)
}
