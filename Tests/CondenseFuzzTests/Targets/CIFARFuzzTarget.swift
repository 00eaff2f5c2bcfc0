import CondenseData
import Foundation

/// CIFAR-100 binary folders: each input is written as `train.bin` beside a valid one-record `test.bin` in a
/// scratch folder, and the folder is loaded.
struct CIFARFuzzTarget: FuzzTarget {
    let limits: DataLimits
    let folder: URL
    var name: String { "cifar" }

    init(limits: DataLimits) throws {
        self.limits = limits
        // In memory (tmpfs) where the system has one: thousands of rewrites of a disk file wait on the disk.
        let scratch = FileManager.default.isWritableFile(atPath: "/dev/shm") ? URL(fileURLWithPath: "/dev/shm")
            : FileManager.default.temporaryDirectory
        folder = scratch.appendingPathComponent("condense-fuzz-cifar-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(Self.records([(3, 41)])).write(to: folder.appendingPathComponent("test.bin"))
    }

    /// Records of a coarse label, a fine label and 3,072 pixel bytes.
    static func records(_ labels: [(coarse: UInt8, fine: UInt8)]) -> [UInt8] {
        labels.enumerated().flatMap { index, label in
            [label.coarse, label.fine] + (0..<3072).map { UInt8(truncatingIfNeeded: $0 * 3 + index) }
        }
    }

    func seeds() throws -> [[UInt8]] {
        [Self.records([(0, 0), (19, 99), (5, 42), (7, 7), (1, 3)]),
         Self.records((0..<10).map { (UInt8($0 * 2), UInt8($0 * 10)) })]
    }

    /// The label bytes of the first records.
    func fieldOffsets(in seed: [UInt8]) -> [Int] { (0..<5).map { $0 * 3074 } }

    func read(_ input: [UInt8]) throws {
        try Data(input).write(to: folder.appendingPathComponent("train.bin"))
        _ = try CIFARLoader.load(folder.path, limits: limits)
    }
}
