/// Layout changes between the NCHW tensors layers keep and the channel-major matrices convolution GEMMs want.
public protocol LayoutOps {
    /// Reads `a·b·plane` elements of `input` from `inputOffset` as `[a, b, plane]` and writes them into `output` from
    /// `outputOffset` as `[b, a, plane]`: planes keep their contents, the two leading axes swap. With `a` samples and
    /// `b` channels this turns NCHW into CNHW (all samples' planes of a channel side by side), and back.
    func swapLeadingAxes(input: Tensor, inputOffset: Int, output: Tensor, outputOffset: Int, a: Int, b: Int,
                         plane: Int) throws
}

/// Checks shared by both backends' layout ops.
public enum LayoutValidation {
    /// Throws unless both tensors are float32, on one backend, the sizes are non-negative and both ranges lie inside
    /// their tensors and do not overlap when the tensors share storage.
    public static func swap(_ input: Tensor, _ inputOffset: Int, _ output: Tensor, _ outputOffset: Int, a: Int, b: Int,
                            plane: Int) throws {
        let op = "swapLeadingAxes"
        try requireFloat32(op, input, output)
        guard input.backend === output.backend else { throw CondenseError.backendMismatch(op: op) }
        guard a >= 0, b >= 0, plane >= 0, inputOffset >= 0, outputOffset >= 0 else {
            throw CondenseError.invalidArgument(op: op, "a=\(a) b=\(b) plane=\(plane) and the offsets " +
                                                "(\(inputOffset), \(outputOffset)) must be ≥ 0")
        }
        let count = a * b * plane
        for (label, tensor, offset) in [("input", input, inputOffset), ("output", output, outputOffset)]
        where offset + count > tensor.count {
            throw CondenseError.shapeMismatch(op: op, expected: "\(label) with ≥ \(offset + count) elements",
                                              got: "\(tensor.shape)")
        }
        if input.storage === output.storage, count > 0, inputOffset < outputOffset + count, outputOffset < inputOffset + count {
            throw CondenseError.invalidArgument(op: op, "input and output ranges overlap")
        }
    }
}
