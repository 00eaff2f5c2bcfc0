import Foundation

/// A NumPy `.npz` file: a ZIP archive of `.npy` arrays, looked up by key (`train_images` for `train_images.npy`).
public struct NPZArchive {
    public let archive: ZipArchive

    public init(contentsOf path: String) throws { archive = try ZipArchive(contentsOf: path) }

    /// The keys present (member names without `.npy`).
    public var keys: [String] { archive.names.map { $0.hasSuffix(".npy") ? String($0.dropLast(4)) : $0 } }

    /// The array stored under `key`.
    public func array(_ key: String) throws -> NPYArray {
        try NPYArray(parsing: try archive.member("\(key).npy"), path: "\(archive.path) [\(key)]")
    }
}
