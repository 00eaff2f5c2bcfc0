import CondenseCore
import Foundation

/// Where OpenCL C sources come from: the copies compiled into the binary, or, when `CONDENSE_KERNELS_DIR` names a
/// folder, the `.cl` files in it (for kernel development without rebuilding).
public enum KernelSources {
    /// Environment variable naming a folder of `.cl` files that replace the embedded ones.
    public static let overrideVariable = "CONDENSE_KERNELS_DIR"

    /// The source of `Kernels/<name>.cl`.
    public static func source(named name: String) throws -> String {
        if let folder = ProcessInfo.processInfo.environment[overrideVariable], !folder.isEmpty {
            let path = URL(fileURLWithPath: folder).appendingPathComponent("\(name).cl").path
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw CondenseError.file(path: path, "cannot read kernel source (set by \(overrideVariable))")
            }
            return text
        }
        guard let text = EmbeddedKernels.sources[name] else {
            throw CondenseError.file(path: "Kernels/\(name).cl", "no such kernel file was embedded at build time")
        }
        return text
    }
}
