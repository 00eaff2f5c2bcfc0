import CondenseCore
import CondenseNN
import Foundation

/// How big a model is: its parameters (trainable tensors: weights and biases, not batch-norm running statistics),
/// how many of them are non-zero (what unstructured pruning lowers), and the bytes of its checkpoint on disk.
public struct ModelSize: Equatable, Sendable {
    public var parameters: Int
    public var nonZeroParameters: Int
    /// Bytes of the checkpoint file (0 when there is none).
    public var bytes: Int

    public init(parameters: Int, nonZeroParameters: Int, bytes: Int) {
        self.parameters = parameters
        self.nonZeroParameters = nonZeroParameters
        self.bytes = bytes
    }

    /// Measures a model in memory (its parameters read back from the device) and the file it was saved to, if any.
    public init(of model: TrainedModel, checkpoint: String?) throws {
        var parameters = 0, nonZero = 0
        for (name, variable) in model.module.namedParameters() {
            let values = try NamedTensorData(name: name, tensor: variable.value).floats()  // any dtype (INT8 models)
            parameters += values.count
            nonZero += values.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        }
        self.init(parameters: parameters, nonZeroParameters: nonZero, bytes: try checkpoint.map(Self.fileBytes) ?? 0)
    }

    /// Measures a checkpoint file alone, whatever its dtypes (float, half or quantized integers): every tensor
    /// except batch-norm running statistics counts as parameters.
    public init(checkpoint path: String) throws {
        var parameters = 0, nonZero = 0
        for tensor in try Checkpoint(contentsOf: path).tensors where !Self.isRunningStatistic(tensor.name) {
            parameters += tensor.count
            nonZero += tensor.floats().reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        }
        self.init(parameters: parameters, nonZeroParameters: nonZero, bytes: try Self.fileBytes(path))
    }

    /// Batch-norm buffers (PyTorch's names), which are state, not parameters.
    static func isRunningStatistic(_ name: String) -> Bool {
        ["running_mean", "running_var", "num_batches_tracked"].contains { name.hasSuffix("." + $0) || name == $0 }
    }

    /// The size of the file at `path` in bytes.
    static func fileBytes(_ path: String) throws -> Int {
        guard let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int else {
            throw CondenseError.file(path: path, "cannot read the file's size")
        }
        return size
    }
}

/// A model's size beside the model it came from (the teacher of a distilled student, the checkpoint a pruned or
/// quantized model was made from). Ratios are reference ÷ this model: "how many times smaller", above 1 when smaller.
public struct ModelSizeReport: Sendable {
    public let size: ModelSize
    public let reference: ModelSize?

    public init(_ size: ModelSize, reference: ModelSize? = nil) {
        self.size = size
        self.reference = reference
    }

    /// Reference parameters ÷ parameters.
    public var parameterRatio: Double? { reference.map { Self.ratio($0.parameters, size.parameters) } }
    /// Reference non-zero parameters ÷ non-zero parameters.
    public var nonZeroRatio: Double? { reference.map { Self.ratio($0.nonZeroParameters, size.nonZeroParameters) } }
    /// Reference checkpoint bytes ÷ checkpoint bytes.
    public var sizeRatio: Double? { reference.map { Self.ratio($0.bytes, size.bytes) } }

    /// The figures under ARCHITECTURE.md §7's `--json` names: `parameters`, `nonzero_parameters`, `size_bytes`, and with a
    /// reference `reference_parameters`, `reference_nonzero_parameters`, `reference_size_bytes`, `parameter_ratio`,
    /// `nonzero_ratio`, `size_ratio`.
    public var jsonFields: [String: Any] {
        var fields: [String: Any] = ["parameters": size.parameters, "nonzero_parameters": size.nonZeroParameters,
                                     "size_bytes": size.bytes]
        if let reference, let parameterRatio, let nonZeroRatio, let sizeRatio {
            fields["reference_parameters"] = reference.parameters
            fields["reference_nonzero_parameters"] = reference.nonZeroParameters
            fields["reference_size_bytes"] = reference.bytes
            fields["parameter_ratio"] = parameterRatio
            fields["nonzero_ratio"] = nonZeroRatio
            fields["size_ratio"] = sizeRatio
        }
        return fields
    }

    /// One line for people: `parameters P (non-zero N), B bytes`, then the three ratios when there is a reference.
    public var summary: String {
        var text = "parameters \(size.parameters) (non-zero \(size.nonZeroParameters)), \(size.bytes) bytes"
        if let parameterRatio, let nonZeroRatio, let sizeRatio {
            text += String(format: "; vs reference: %.2f× fewer parameters, %.2f× fewer non-zero, %.2f× fewer bytes",
                           parameterRatio, nonZeroRatio, sizeRatio)
        }
        return text
    }

    private static func ratio(_ reference: Int, _ value: Int) -> Double { Double(reference) / Double(max(value, 1)) }
}
