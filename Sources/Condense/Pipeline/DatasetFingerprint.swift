import CondenseData

/// Which data a run folder's models were trained on, recorded in `settings.json` so that a rerun on other data is
/// refused instead of reusing models trained on something else.
///
/// The hash covers the loaded dataset (every split's pixels and labels, its shape and class names) rather than
/// the file: all of it is in memory already, so hashing costs one pass over it (about a second per gigabyte with
/// `ContentHash`) and no second read, it is the same for a file that was copied, moved or re-zipped with the same
/// contents, and it works alike for MedMNIST `.npz` files and CIFAR folders. The path is recorded for people and
/// messages only: the same data at another path is the same dataset.
public struct DatasetFingerprint: Codable, Equatable, Sendable {
    /// The dataset's short name (`bloodmnist`).
    public var name: String
    /// The file or folder it was loaded from, when known.
    public var path: String?
    /// Bytes of pixels and labels over all splits.
    public var bytes: Int
    /// `ContentHash` of the contents, as 16 hexadecimal digits.
    public var hash: String

    public init(_ dataset: ImageDataset, path: String?) {
        var hash = ContentHash()
        hash.add(Array("\(dataset.name) \(dataset.channels)×\(dataset.height)×\(dataset.width)".utf8))
        for name in dataset.classNames { hash.add(Array(name.utf8) + [0]) }
        var bytes = 0
        for split in [dataset.train, dataset.validation, dataset.test] {
            split.pixels.withUnsafeBytes { hash.add($0) }
            split.labels.withUnsafeBytes { hash.add($0) }
            bytes += split.pixels.count + split.labels.count * MemoryLayout<Int32>.size
        }
        name = dataset.name
        self.path = path
        self.bytes = bytes
        self.hash = hash.hexDigest
    }

    /// "bloodmnist (Data/bloodmnist.npz, 40 MB of images and labels, hash 3f…)".
    public var summary: String {
        "\(name) (" + (path.map { "\($0), " } ?? "") + "\(bytes) bytes of images and labels, hash \(hash))"
    }
}

/// A fast, streaming, non-cryptographic 64-bit hash (8-byte words mixed by multiply and rotate, then a final
/// avalanche), to tell accidentally different data apart; it is not meant to resist deliberate collisions.
public struct ContentHash {
    private var state: UInt64 = 0x243F_6A88_85A3_08D3
    private var length: UInt64 = 0

    public init() {}

    /// Adds `bytes` to the hashed stream.
    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
        let words = bytes.count / 8
        for index in 0..<words { mix(bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)) }
        var tail: UInt64 = 0
        for (shift, byte) in bytes[(words * 8)...].enumerated() { tail |= UInt64(byte) << (8 * UInt64(shift)) }
        mix(tail ^ (UInt64(bytes.count % 8) << 56))
        length &+= UInt64(bytes.count)
    }

    /// Adds `bytes` to the hashed stream.
    public mutating func add(_ bytes: [UInt8]) { bytes.withUnsafeBytes { add($0) } }

    /// The hash of everything added, as 16 hexadecimal digits.
    public var hexDigest: String {
        var value = state ^ length
        value = (value ^ (value >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        value = (value ^ (value >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        value ^= value >> 33
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    private mutating func mix(_ word: UInt64) {
        state ^= word &* 0x87C3_7B91_1142_53D5
        state = (state << 31 | state >> 33) &* 0x4CF5_AD43_2745_937F
    }
}
