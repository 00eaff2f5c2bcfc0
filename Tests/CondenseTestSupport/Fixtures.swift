import CondenseData
import Foundation

/// Reference values written by `Scripts/make-fixtures.py` (JAX) into `Tests/Fixtures/<family>/<name>.npy`.
public enum Fixtures {
    /// The repository's `Tests/Fixtures` folder.
    public static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The array `Tests/Fixtures/<family>/<name>.npy`.
    public static func array(_ family: String, _ name: String) throws -> NPYArray {
        try NPYArray(contentsOf: folder.appendingPathComponent(family).appendingPathComponent("\(name).npy").path)
    }
}
