import CondenseCore
import Foundation

/// Reads the CIFAR-10 and CIFAR-100 binary distributions from a folder: records of label byte(s) then 3072 pixel
/// bytes (32×32 red plane, then green, then blue — already NCHW). CIFAR-10: `data_batch_1.bin` … `data_batch_5.bin`
/// and `test_batch.bin`, one label byte; CIFAR-100: `train.bin` and `test.bin`, a coarse then a fine label byte (the
/// fine label is used). CIFAR has no validation split: the last 5,000 training images serve as one.
///
/// Every file's size is checked (a whole, non-zero number of records) and the total against the memory budget
/// before any record is read; records are then read in blocks straight into the split they belong to, and each
/// label is checked against the class count (and, for CIFAR-100, the coarse label against its 20 superclasses).
public enum CIFARLoader {
    static let pixelsPerImage = 3 * 32 * 32

    /// One distribution's files and record layout.
    struct Format {
        let name: String, trainFiles: [String], testFile: String, labelBytes: Int, classes: Int, classNames: [String]
        /// CIFAR-100's coarse label (the byte before the fine one) counts 20 superclasses.
        var coarseClasses: Int? { labelBytes == 2 ? 20 : nil }
        var recordSize: Int { labelBytes + pixelsPerImage }

        static let cifar10 = Format(name: "cifar10", trainFiles: (1...5).map { "data_batch_\($0).bin" },
                                    testFile: "test_batch.bin", labelBytes: 1, classes: 10,
                                    classNames: ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                                                 "ship", "truck"])
        static let cifar100 = Format(name: "cifar100", trainFiles: ["train.bin"], testFile: "test.bin", labelBytes: 2,
                                     classes: 100, classNames: (0..<100).map { "class \($0)" })
    }

    /// Loads the dataset in `folder` (CIFAR-10 when `data_batch_1.bin` is there, CIFAR-100 when `train.bin` is).
    public static func load(_ folder: String, validationCount: Int = 5_000,
                            limits: DataLimits = .standard) throws -> ImageDataset {
        let url = URL(fileURLWithPath: folder)
        func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path) }
        guard exists("data_batch_1.bin") || exists("train.bin") else {
            throw CondenseError.file(path: folder, "not a CIFAR binary folder: expected data_batch_1.bin … " +
                                                   "test_batch.bin (CIFAR-10) or train.bin and test.bin (CIFAR-100)")
        }
        let format = exists("data_batch_1.bin") ? Format.cifar10 : Format.cifar100
        let trainFiles = try format.trainFiles.map { try RecordFile(url.appendingPathComponent($0).path, format: format) }
        let testFile = try RecordFile(url.appendingPathComponent(format.testFile).path, format: format)
        let trainCount = trainFiles.reduce(0) { $0 + $1.count }
        let held = min(max(validationCount, 0), trainCount / 5)
        try limits.checkMemory((trainCount + testFile.count) * (pixelsPerImage + 4), for: "this CIFAR folder",
                               path: folder)
        var train = SplitBuilder(count: trainCount - held), validation = SplitBuilder(count: held)
        for file in trainFiles {
            try file.read { pixels, label in
                if train.isFull { validation.append(pixels, label) } else { train.append(pixels, label) }
            }
        }
        var test = SplitBuilder(count: testFile.count)
        try testFile.read { test.append($0, $1) }
        guard held > 0 else {  // checked last, so that a bad record, the more specific fault, is named first
            throw CondenseError.file(path: trainFiles[0].path, "the validation split would be empty: it is cut from the " +
                                     "last training images (at most a fifth of \(trainCount)), so at least 5 are needed")
        }
        return ImageDataset(name: format.name, channels: 3, height: 32, width: 32, classNames: format.classNames,
                            train: train.split, validation: validation.split, test: test.split)
    }

    /// One binary file of records, its size checked on opening.
    private struct RecordFile {
        let path: String, format: Format, source: ByteSource, count: Int
        private static let recordsPerRead = 1_024

        init(_ path: String, format: Format) throws {
            self.path = path
            self.format = format
            source = try ByteSource(file: path)
            guard source.size > 0, source.size % format.recordSize == 0 else {
                throw CondenseError.file(path: path, "\(source.size) bytes is not a whole number of " +
                                                     "\(format.recordSize)-byte records (truncated or not a CIFAR file)")
            }
            count = source.size / format.recordSize
        }

        /// Calls `body` with each record's pixels and (checked) fine label, in order, reading blocks of records.
        func read(_ body: (UnsafeRawBufferPointer, Int32) -> Void) throws {
            let block = UnsafeMutableRawBufferPointer.allocate(byteCount: min(Self.recordsPerRead, count) * format.recordSize,
                                                               alignment: 8)
            defer { block.deallocate() }
            for first in stride(from: 0, to: count, by: Self.recordsPerRead) {
                let records = min(Self.recordsPerRead, count - first)
                try source.copy(first * format.recordSize,
                                into: UnsafeMutableRawBufferPointer(rebasing: block[..<(records * format.recordSize)]))
                for index in 0..<records {
                    let base = index * format.recordSize
                    let label = Int(block[base + format.labelBytes - 1])
                    guard label < format.classes else {
                        throw CondenseError.file(path: path, "record \(first + index): label \(label) out of range " +
                                                             "0..<\(format.classes)")
                    }
                    if let coarseClasses = format.coarseClasses, block[base] >= coarseClasses {
                        throw CondenseError.file(path: path, "record \(first + index): coarse label \(block[base]) out " +
                                                             "of range 0..<\(coarseClasses)")
                    }
                    body(UnsafeRawBufferPointer(rebasing: block[(base + format.labelBytes)..<(base + format.recordSize)]),
                         Int32(label))
                }
            }
        }
    }

    /// A split filled record by record into storage sized up front.
    private struct SplitBuilder {
        private var pixels: [UInt8], labels: [Int32] = []

        init(count: Int) {
            pixels = [UInt8](repeating: 0, count: count * CIFARLoader.pixelsPerImage)
            labels.reserveCapacity(count)
        }

        var isFull: Bool { labels.count * CIFARLoader.pixelsPerImage == pixels.count }
        var split: ImageSplit { ImageSplit(pixels: pixels, labels: labels) }

        mutating func append(_ image: UnsafeRawBufferPointer, _ label: Int32) {
            let start = labels.count * CIFARLoader.pixelsPerImage
            pixels.withUnsafeMutableBytes { $0.baseAddress!.advanced(by: start).copyMemory(from: image.baseAddress!,
                                                                                            byteCount: image.count) }
            labels.append(label)
        }
    }
}
