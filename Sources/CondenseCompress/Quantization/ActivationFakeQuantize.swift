import CondenseCore
import CondenseNN

/// Fake quantization of one activation tensor, uint8 affine per tensor (ARCHITECTURE.md §4), with PyTorch's names
/// (`min_val`, `max_val`, `scale`, `zero_point`): while `observing`, a moving-average min/max observer (averaging
/// constant 0.01, the first batch taken as is) updates the range and the scale and zero point are recomputed from
/// it before the batch is fake-quantized, as PyTorch's `FakeQuantize` does. With a learned scale (LSQ, Esser et al.
/// 2020) the scale is a parameter trained by the LSQ gradient once the observer stops overwriting it.
public final class ActivationFakeQuantize: Module {
    /// The observer's averaging constant: `running += c·(batch − running)`.
    public static let averagingConstant: Float = 0.01
    /// The uint8 range.
    public static let range = QuantizedGraph.activationRange

    public let minimum: Variable
    public let maximum: Variable
    /// `[1]`; a trained parameter with a learned scale, a buffer otherwise.
    public let scale: Variable
    /// `[1]`, an integer in [0, 255].
    public let zeroPoint: Variable
    /// Whether forward passes update the range (set by `FakeQuantizedClassifier`'s schedule).
    public var observing = false
    /// Batches observed so far.
    public private(set) var observations = 0

    public init(learnsScale: Bool, on backend: Backend) throws {
        minimum = Variable(try backend.full([1], value: .infinity))
        maximum = Variable(try backend.full([1], value: -.infinity))
        scale = Variable(try backend.full([1], value: 1), requiresGrad: learnsScale)
        zeroPoint = Variable(try backend.full([1], value: 0))
    }

    override public var ownParameters: [(name: String, variable: Variable)] {
        scale.requiresGrad ? [("scale", scale)] : []
    }

    override public var ownBuffers: [(name: String, variable: Variable)] {
        [("min_val", minimum), ("max_val", maximum)] + (scale.requiresGrad ? [] : [("scale", scale)])
            + [("zero_point", zeroPoint)]
    }

    override public func forward(_ x: Variable) throws -> Variable {
        if observing { try observe(x.value) }
        return try fakeQuantize(x, scale: scale, zeroPoint: zeroPoint.value, axis: nil, qmin: Self.range.lowerBound,
                                qmax: Self.range.upperBound)
    }

    /// Folds one batch into the running range and recomputes the scale and zero point from it.
    public func observe(_ x: Tensor) throws {
        let backend = x.backend
        if observations == 0 {
            try backend.minMax(input: x, axis: nil, minimum: minimum.value, maximum: maximum.value)
        } else {
            let batchMinimum = try backend.allocate([1], dtype: .float32)
            let batchMaximum = try backend.allocate([1], dtype: .float32)
            try backend.minMax(input: x, axis: nil, minimum: batchMinimum, maximum: batchMaximum)
            for (running, batch) in [(minimum.value, batchMinimum), (maximum.value, batchMaximum)] {
                try backend.axpy(alpha: -1, x: running, y: batch)
                try backend.axpy(alpha: Self.averagingConstant, x: batch, y: running)
            }
        }
        observations += 1
        try backend.quantizationParameters(minimum: minimum.value, maximum: maximum.value, qmin: Self.range.lowerBound,
                                           qmax: Self.range.upperBound, symmetric: false, scale: scale.value,
                                           zeroPoint: zeroPoint.value)
    }

    /// The current scale and zero point, read to the host.
    public func quantization() throws -> QuantizedGraph.TensorQuantization {
        QuantizedGraph.TensorQuantization(scale: try scale.value.toHost()[0],
                                          zeroPoint: Int(try zeroPoint.value.toHost()[0].rounded(.toNearestOrEven)))
    }
}
