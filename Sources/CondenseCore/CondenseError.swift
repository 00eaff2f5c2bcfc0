/// Every failure Condense reports: each case names what was wrong and what was expected.
public enum CondenseError: Error, Equatable, CustomStringConvertible {
    /// Tensor shapes that do not fit the op.
    case shapeMismatch(op: String, expected: String, got: String)
    /// A parameter outside its domain (stride 0, scale ≤ 0, qmin ≥ qmax, …).
    case invalidArgument(op: String, String)
    /// A tensor of the wrong element type for the op.
    case dtypeMismatch(op: String, expected: DType, got: DType)
    /// Tensors that live on different backends.
    case backendMismatch(op: String)
    /// An OpenCL call that returned an error status, with the status's name (`CL_OUT_OF_RESOURCES`).
    case openCL(call: String, status: String)
    /// An OpenCL program that failed to build, with the driver's build log.
    case kernelBuild(program: String, log: String)
    /// A device request that matches no device, with the valid choices.
    case deviceSelection(String)
    /// A file that could not be read or written, or whose contents are not what was expected.
    case file(path: String, String)
    /// An OpenCL kernel launch the driver's limits do not allow (its work-group size or local memory), with the limit.
    case driverLimit(kernel: String, String)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, expected, got): "\(op): expected \(expected), got \(got)"
        case let .invalidArgument(op, detail): "\(op): \(detail)"
        case let .dtypeMismatch(op, expected, got): "\(op): expected \(expected.rawValue) tensor, got \(got.rawValue)"
        case let .backendMismatch(op): "\(op): tensors live on different backends; move them with to(_:) first"
        case let .openCL(call, status): "OpenCL \(call) failed with \(status)"
        case let .kernelBuild(program, log): "OpenCL program '\(program)' failed to build:\n\(log)"
        case let .deviceSelection(detail): detail
        case let .file(path, detail): "\(path): \(detail)"
        case let .driverLimit(kernel, detail): "OpenCL kernel \(kernel) cannot run on this driver: \(detail)"
        }
    }
}
