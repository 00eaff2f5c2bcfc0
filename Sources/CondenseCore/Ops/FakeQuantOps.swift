/// Fake quantization (quantize, then dequantize, in float32) per tensor or per channel, its straight-through and
/// learned-scale (LSQ) gradients, and the observer pieces (min/max, scale and zero point), exactly as PyTorch's
/// kernels compute them (ARCHITECTURE.md §4):
///
///     inv = 1/s (float32),  q = z + nearbyint(x·inv),  y = (clamp(q, qmin, qmax) − z)·s
///
/// `nearbyint` rounds half to even. `scale` and `zeroPoint` are float32 tensors on the op's backend of shape `[1]`
/// (per tensor, `axis` nil) or `[channels]` (per channel along `axis`: 0 for weights `[O, …]`, 1 for activations
/// `[N, C, H, W]`; any axis works). The zero point holds integral values; it is rounded half to even before use, as
/// PyTorch's learnable fake quant does, so a float zero point is never used fractionally.
///
/// Validation is shared (`FakeQuantValidation`): both backends reject bad parameters, shapes, dtypes and backends
/// with the same `CondenseError` before doing any work. The *values* in `scale` live on the device and are not
/// checked (that would need a read-back mid-step): a positive scale is guaranteed when it comes from
/// `quantizationParameters`, which clamps it below by float32 epsilon (1.1920929e-7).
public protocol FakeQuantOps {
    /// `output = (clamp(z + nearbyint(x·(1/s)), qmin, qmax) − z)·s` element-wise, with `s`, `z` the entries of
    /// `scale`, `zeroPoint` for the element's channel along `axis` (nil: per tensor). `output` has `input`'s shape.
    func fakeQuantize(input: Tensor, scale: Tensor, zeroPoint: Tensor, axis: Int?, qmin: Int, qmax: Int,
                      output: Tensor) throws

    /// The backward of `fakeQuantize`, recomputing `q = z + nearbyint(x·inv)` from `input`:
    /// - `gradInput` (straight-through estimator): `dx = dy` where `qmin ≤ q ≤ qmax`, else 0.
    /// - `gradScale`, unless nil (LSQ; PyTorch `_fake_quantize_learnable_per_{tensor,channel}_affine`), shaped like
    ///   `scale`: the sum over the elements (of each channel) of `dy·(y − x)·inv` where q is in range,
    ///   `dy·(qmin − z)` below, `dy·(qmax − z)` above, each times `g = 1/√(n·qmax)` with n the element count
    ///   (per channel: the count per channel, `numel/channels`). Requires `qmax > 0`. Summed on the device.
    func fakeQuantizeBackward(input: Tensor, gradOutput: Tensor, scale: Tensor, zeroPoint: Tensor, axis: Int?,
                              qmin: Int, qmax: Int, gradInput: Tensor, gradScale: Tensor?) throws

    /// The smallest and largest element of `input` (`axis` nil: into `[1]` tensors) or of each channel along
    /// `axis` (into `[channels]` tensors): what min/max observers need.
    func minMax(input: Tensor, axis: Int?, minimum: Tensor, maximum: Tensor) throws

    /// Scale and zero point from (already moving-averaged) `minimum` and `maximum` of shape `[1]` or `[C]`, as
    /// PyTorch's observers compute them (`_calculate_qparams`), element-wise:
    /// `min⁻ = min(min, 0)`, `max⁺ = max(max, 0)`, ε = 1.1920929e-7 (float32 epsilon);
    /// - affine: `s = max((max⁺ − min⁻)/(qmax − qmin), ε)`, `z = clamp(qmin − nearbyint(min⁻/s), qmin, qmax)`;
    /// - symmetric: `s = max(max(−min⁻, max⁺)/((qmax − qmin)/2), ε)`, `z = 0` for a signed range (`qmin < 0`);
    ///   for an unsigned one `z = 128` on `[0, 255]` (PyTorch's uint8 default) and `⌊(qmin + qmax)/2⌋` otherwise.
    /// An empty observation (`min > max`, e.g. +∞/−∞ before the first batch) gives `s = 1`, `z = 0` as PyTorch does.
    /// Divisions are correctly rounded float32 on both backends.
    func quantizationParameters(minimum: Tensor, maximum: Tensor, qmin: Int, qmax: Int, symmetric: Bool,
                                scale: Tensor, zeroPoint: Tensor) throws

    /// Integer requantization as INT8 runtimes do it (ONNX `QLinearConv`, `QLinearAdd`): `input` holds integer
    /// accumulators (or their float mean) in float32, `multiplier` (`[1]`, or `[channels]` along `axis`) the float
    /// factor `s_in·s_w/s_out` of each channel, and
    /// `output = clamp(z + nearbyint(x·m), qmin, qmax) − z` element-wise:
    /// the quantized value centred on its zero point, an integer the next layer's integer arithmetic takes as is (its
    /// real value is `s_out·output`). `nearbyint` rounds half to even; `zeroPoint` lies in `[qmin, qmax]`.
    func requantize(input: Tensor, multiplier: Tensor, zeroPoint: Int, axis: Int?, qmin: Int, qmax: Int,
                    output: Tensor) throws
}

/// How a fake-quant problem splits its input: `outer × channels × inner` elements, the channel of flat index i being
/// `(i / inner) % channels`. Per tensor is `1 × 1 × count`.
public struct FakeQuantLayout: Equatable, Sendable {
    public let outer: Int
    public let channels: Int
    public let inner: Int

    public init(outer: Int, channels: Int, inner: Int) {
        self.outer = outer
        self.channels = channels
        self.inner = inner
    }

    /// The layout of `shape` quantized along `axis` (nil: per tensor). The axis must be valid.
    public init(shape: Shape, axis: Int?) {
        guard let axis else {
            self.init(outer: 1, channels: 1, inner: shape.count)
            return
        }
        self.init(outer: shape.dims[..<axis].reduce(1, *), channels: shape[axis],
                  inner: shape.dims[(axis + 1)...].reduce(1, *))
    }

    /// Total elements.
    public var count: Int { outer * channels * inner }
    /// Elements per channel (`count` per tensor).
    public var perChannel: Int { outer * inner }
    /// Whether there is more than one (scale, zero point) pair.
    public var isPerChannel: Bool { channels > 1 }
}

/// The checks every `FakeQuantOps` method runs first on both backends: backends, dtypes (float32), shapes
/// (`scale`/`zeroPoint` `[1]` or `[channels]`), the axis and the integer range.
public enum FakeQuantValidation {
    /// Largest |qmin|, |qmax| accepted: integers up to 2²⁴ are exact in float32, which the kernels compute in.
    public static let rangeLimit = 1 << 24

    /// `fakeQuantize`: output shaped like input.
    public static func forward(input: Tensor, scale: Tensor, zeroPoint: Tensor, axis: Int?, qmin: Int, qmax: Int,
                               output: Tensor, on backend: Backend) throws -> FakeQuantLayout {
        let op = "fakeQuantize"
        let layout = try parameters(op, input: input, scale: scale, zeroPoint: zeroPoint, axis: axis, qmin: qmin,
                                    qmax: qmax, on: backend)
        try requireSameShape(op, "output", output, as: input, on: backend)
        return layout
    }

    /// `fakeQuantizeBackward`: gradOutput and gradInput shaped like input, gradScale like scale, qmax > 0 for LSQ.
    public static func backward(input: Tensor, gradOutput: Tensor, scale: Tensor, zeroPoint: Tensor, axis: Int?,
                                qmin: Int, qmax: Int, gradInput: Tensor, gradScale: Tensor?,
                                on backend: Backend) throws -> FakeQuantLayout {
        let op = "fakeQuantizeBackward"
        let layout = try parameters(op, input: input, scale: scale, zeroPoint: zeroPoint, axis: axis, qmin: qmin,
                                    qmax: qmax, on: backend)
        try requireSameShape(op, "gradOutput", gradOutput, as: input, on: backend)
        try requireSameShape(op, "gradInput", gradInput, as: input, on: backend)
        if let gradScale {
            try requireSameShape(op, "gradScale", gradScale, as: scale, on: backend)
            guard qmax > 0 else {
                throw CondenseError.invalidArgument(op: op, "gradScale (LSQ) needs qmax > 0 for its gradient factor "
                                                    + "1/sqrt(n·qmax), got qmax = \(qmax)")
            }
        }
        return layout
    }

    /// `minMax`: minimum and maximum `[1]` per tensor or `[channels]` per channel.
    public static func minMax(input: Tensor, axis: Int?, minimum: Tensor, maximum: Tensor,
                              on backend: Backend) throws -> FakeQuantLayout {
        let op = "minMax"
        let layout = try inputLayout(op, input, axis: axis, on: backend)
        try perChannelVector(op, "minimum", minimum, layout: layout, axis: axis, on: backend)
        try perChannelVector(op, "maximum", maximum, layout: layout, axis: axis, on: backend)
        return layout
    }

    /// `quantizationParameters`: minimum `[C]` (C ≥ 1), maximum, scale and zeroPoint of the same shape; the range.
    /// Returns C.
    public static func quantizationParameters(minimum: Tensor, maximum: Tensor, qmin: Int, qmax: Int,
                                              symmetric: Bool, scale: Tensor, zeroPoint: Tensor,
                                              on backend: Backend) throws -> Int {
        let op = "quantizationParameters"
        try requireOwned(op, minimum, by: backend)
        try requireFloat32(op, minimum)
        guard minimum.shape.rank == 1, minimum.count >= 1 else {
            throw CondenseError.shapeMismatch(op: op, expected: "minimum of shape [1] or [channels]",
                                              got: "\(minimum.shape)")
        }
        try requireSameShape(op, "maximum", maximum, as: minimum, on: backend)
        try requireSameShape(op, "scale", scale, as: minimum, on: backend)
        try requireSameShape(op, "zeroPoint", zeroPoint, as: minimum, on: backend)
        try range(op, qmin: qmin, qmax: qmax)
        return minimum.count
    }

    /// `requantize`: multiplier `[1]` or `[channels]`, output shaped like input, the zero point inside the range.
    public static func requantize(input: Tensor, multiplier: Tensor, zeroPoint: Int, axis: Int?, qmin: Int, qmax: Int,
                                  output: Tensor, on backend: Backend) throws -> FakeQuantLayout {
        let op = "requantize"
        let layout = try inputLayout(op, input, axis: axis, on: backend)
        try perChannelVector(op, "multiplier", multiplier, layout: layout, axis: axis, on: backend)
        try range(op, qmin: qmin, qmax: qmax)
        guard (qmin...qmax).contains(zeroPoint) else {
            throw CondenseError.invalidArgument(op: op, "zero point \(zeroPoint) lies outside [\(qmin), \(qmax)]")
        }
        try requireSameShape(op, "output", output, as: input, on: backend)
        return layout
    }

    // MARK: - Pieces

    private static func parameters(_ op: String, input: Tensor, scale: Tensor, zeroPoint: Tensor, axis: Int?,
                                   qmin: Int, qmax: Int, on backend: Backend) throws -> FakeQuantLayout {
        let layout = try inputLayout(op, input, axis: axis, on: backend)
        try perChannelVector(op, "scale", scale, layout: layout, axis: axis, on: backend)
        try perChannelVector(op, "zeroPoint", zeroPoint, layout: layout, axis: axis, on: backend)
        try range(op, qmin: qmin, qmax: qmax)
        return layout
    }

    private static func inputLayout(_ op: String, _ input: Tensor, axis: Int?,
                                    on backend: Backend) throws -> FakeQuantLayout {
        try requireOwned(op, input, by: backend)
        try requireFloat32(op, input)
        guard input.count >= 1 else {
            throw CondenseError.shapeMismatch(op: op, expected: "input with at least one element",
                                              got: "\(input.shape)")
        }
        if let axis, !(0..<input.shape.rank).contains(axis) {
            throw CondenseError.invalidArgument(op: op, "axis \(axis) is out of range for input of shape "
                                                + "\(input.shape) (expected 0..<\(input.shape.rank), or nil per tensor)")
        }
        return FakeQuantLayout(shape: input.shape, axis: axis)
    }

    private static func perChannelVector(_ op: String, _ name: String, _ tensor: Tensor, layout: FakeQuantLayout,
                                         axis: Int?, on backend: Backend) throws {
        try requireOwned(op, tensor, by: backend)
        try requireFloat32(op, tensor)
        let expected: Shape = axis == nil ? [1] : [layout.channels]
        guard tensor.shape == expected else {
            let what = axis == nil ? "per tensor" : "one per channel along axis \(axis!)"
            throw CondenseError.shapeMismatch(op: op, expected: "\(name) of shape \(expected) (\(what))",
                                              got: "\(tensor.shape)")
        }
    }

    private static func range(_ op: String, qmin: Int, qmax: Int) throws {
        guard qmin < qmax else {
            throw CondenseError.invalidArgument(op: op, "qmin must be less than qmax, got qmin = \(qmin), "
                                                + "qmax = \(qmax)")
        }
        guard qmin >= -rangeLimit, qmax <= rangeLimit else {
            throw CondenseError.invalidArgument(op: op, "qmin and qmax must lie in [-2^24, 2^24] (exact in "
                                                + "float32), got [\(qmin), \(qmax)]")
        }
    }

}
