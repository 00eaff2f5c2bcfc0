import COpenCL
import CondenseCore
import Foundation

/// Tuned CLBlast parameters for one device. CLBlast ships tuned parameters for many GPUs but none for PoCL and many
/// others, and falls back to slow defaults there. Its tuners (`clblast_tuner_xgemm`, `…_xgemm_direct`, `…_copy_fast`,
/// … from Debian's `clblast-utils`) write one JSON file per kernel family; copied into the device's tuning folder
/// they are applied with `CLBlastOverrideParameters` when the backend opens the device.
///
/// The folder is `$CONDENSE_CLBLAST_TUNING/<device>`, else `~/.config/condense/clblast/<device>`, where `<device>`
/// is the device name as `condense devices` prints it, with every character other than letters, digits, `.` and
/// `-` replaced by `_`. Files are applied in name order, so of two files for the same kernel the later one wins.
public struct CLBlastTuning {
    /// The parameters of one kernel, as one tuner file gives them.
    public struct Entry {
        /// CLBlast's kernel name (`Xgemm`, `XgemmDirect`, `Copy`, …).
        public let kernel: String
        public let parameters: [(name: String, value: Int)]
        /// The file it came from (for error messages).
        public let path: String
    }

    public let entries: [Entry]

    /// Environment variable naming the root of the per-device tuning folders.
    public static let environmentVariable = "CONDENSE_CLBLAST_TUNING"

    /// CLBlast's kernel name for each tuner `kernel_family` (a trailing `_1`/`_2` variant number is dropped first).
    static let kernelNames = [
        "xgemm": "Xgemm", "xgemm_direct": "XgemmDirect", "copy": "Copy", "pad": "Pad", "transpose": "Transpose",
        "padtranspose": "Padtranspose", "xaxpy": "Xaxpy", "xdot": "Xdot", "xgemv": "Xgemv", "xgemv_fast": "XgemvFast",
        "xgemv_fast_rot": "XgemvFastRot", "xger": "Xger", "invert": "Invert", "xconvgemm": "Xconvgemm",
        "gemm_routine": "GemmRoutine", "trsv_routine": "TrsvRoutine",
    ]

    /// The tuning folder of the device called `deviceName`.
    public static func folder(forDevice deviceName: String,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let root = environment[environmentVariable]
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config/condense/clblast"
        let safe = String(deviceName.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" })
        return root + "/" + safe
    }

    /// The single-precision entries of every `*.json` file in `folder` (none when the folder does not exist).
    /// - Throws: `CondenseError.file` naming the file and the field for a file that is not a tuner's output.
    public static func load(folder: String) throws -> CLBlastTuning {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let entries = try names.filter { $0.hasSuffix(".json") }.sorted().compactMap { name in
            let path = folder + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CondenseError.file(path: path, "cannot be read")
            }
            return try entry(json: data, path: path)
        }
        return CLBlastTuning(entries: entries)
    }

    /// One tuner file: `kernel_family`, `precision` and `best_parameters` ("NAME=value …"); nil for a precision
    /// other than 32 (Condense's GEMMs are single precision).
    static func entry(json data: Data, path: String) throws -> Entry? {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw CondenseError.file(path: path, "is not a JSON object (expected the output of a CLBlast tuner)")
        }
        func field(_ name: String) throws -> String {
            guard let value = object[name] as? String else {
                throw CondenseError.file(path: path, "field '\(name)' is missing or not a string (expected the " +
                                         "output of a CLBlast tuner)")
            }
            return value
        }
        guard try field("precision") == "32" else { return nil }
        let family = try field("kernel_family")
        let base = family.replacingOccurrences(of: #"_[0-9]+$"#, with: "", options: .regularExpression)
        guard let kernel = kernelNames[base] else {
            throw CondenseError.file(path: path, "field 'kernel_family': unknown family '\(family)'; known: " +
                                     kernelNames.keys.sorted().joined(separator: ", "))
        }
        let parameters = try field("best_parameters").split(separator: " ").compactMap { pair -> (String, Int)? in
            let parts = pair.split(separator: "=")
            guard parts.count == 2, let value = Int(parts[1]) else {
                throw CondenseError.file(path: path, "field 'best_parameters': '\(pair)' is not NAME=integer")
            }
            return parts[0] == "PRECISION" ? nil : (String(parts[0]), value)
        }
        return Entry(kernel: kernel, parameters: parameters, path: path)
    }

    /// Drops every parameter set applied so far, with CLBlast's compiled kernels: later calls use CLBlast's own
    /// database again.
    public static func reset() throws {
        try check(CLBlastClearCache().rawValue, "CLBlastClearCache")
    }

    /// Hands every entry to CLBlast for `device`; later calls of the tuned routines recompile with them.
    /// - Throws: `CondenseError.file` naming the file CLBlast rejected (wrong parameter set for the kernel).
    public func apply(to device: cl_device_id) throws {
        for entry in entries {
            let names = entry.parameters.map { strdup($0.name) }
            defer { names.forEach { free($0) } }
            var pointers = names.map { UnsafePointer($0) }
            var values = entry.parameters.map { $0.value }
            let status = CLBlastOverrideParameters(device, entry.kernel, CLBlastPrecisionSingle, values.count,
                                                   &pointers, &values)
            guard status.rawValue == 0 else {
                throw CondenseError.file(path: entry.path, "CLBlast rejected the parameters for kernel " +
                                         "\(entry.kernel) (status \(status.rawValue)); re-run the tuner for this " +
                                         "device and CLBlast version")
            }
        }
    }
}
