import CondenseCore

/// A device choice as users write it: `auto`, `cpu`, `opencl` or `opencl:K`.
public enum DeviceRequest: Equatable, CustomStringConvertible {
    /// The first OpenCL GPU, else the CPU backend.
    case auto
    case cpu
    /// The first OpenCL device of any type.
    case openCL
    /// The OpenCL device at this index of `condense devices`.
    case openCLIndex(Int)

    /// Environment variable that sets the default when no `--device` is given.
    public static let environmentVariable = "CONDENSE_DEVICE"
    static let choices = "auto, cpu, opencl, opencl:K (K = index of an OpenCL device from `condense devices`)"

    /// Parses a request; `source` names where it came from (`--device`, `CONDENSE_DEVICE`) for the error message.
    public init(parsing text: String, source: String) throws {
        switch text.lowercased() {
        case "auto", "": self = .auto
        case "cpu": self = .cpu
        case "opencl": self = .openCL
        case let value where value.hasPrefix("opencl:"):
            guard let index = Int(value.dropFirst("opencl:".count)), index >= 0 else { fallthrough }
            self = .openCLIndex(index)
        default:
            throw CondenseError.deviceSelection("\(source): unknown device '\(text)'; valid choices: \(Self.choices)")
        }
    }

    public var description: String {
        switch self {
        case .auto: "auto"
        case .cpu: "cpu"
        case .openCL: "opencl"
        case .openCLIndex(let index): "opencl:\(index)"
        }
    }
}
