import CondenseCore
import CondenseNN

/// Weight quantization: int8 symmetric per output channel (axis 0), zero point 0, range [−127, 127], the scale of
/// each channel `max(|min|, |max|)/127` from the weights as they are (a min/max observer on the current values: the
/// weights are known exactly, so nothing is averaged or frozen).
///
/// Per-channel symmetric quantization commutes with scaling a channel, so a batch norm folded into the convolution
/// later (`w·γ/√(σ² + ε)`) leaves the integer weights unchanged: the fake-quantized weights of training are the
/// deployed ones.
public enum WeightQuantization {
    /// The weight range.
    public static let range = QuantizedGraph.weightRange

    /// `weight` fake-quantized with its own per-channel scales, with the straight-through gradient.
    public static func fakeQuantized(_ weight: Variable) throws -> Variable {
        let backend = weight.backend, channels: Shape = [weight.shape[0]]
        let minimum = try backend.allocate(channels, dtype: .float32), maximum = try backend.allocate(channels, dtype: .float32)
        let scale = try backend.allocate(channels, dtype: .float32), zeroPoint = try backend.allocate(channels, dtype: .float32)
        try backend.minMax(input: weight.value, axis: 0, minimum: minimum, maximum: maximum)
        try backend.quantizationParameters(minimum: minimum, maximum: maximum, qmin: range.lowerBound,
                                           qmax: range.upperBound, symmetric: true, scale: scale, zeroPoint: zeroPoint)
        return try fakeQuantize(weight, scale: Variable(scale), zeroPoint: zeroPoint, axis: 0, qmin: range.lowerBound,
                                qmax: range.upperBound)
    }

    /// Host weights (`[O, …]`, C order) quantized the same way: the int8 values and each channel's scale. A channel
    /// of zeros (pruned) gets scale 1 instead of the observers' floor of 1.1920929e-7, so that its bias stays within
    /// int32 at scale `s_in·s_w`; its integers are zeros either way.
    public static func quantize(_ weight: [Float], outputChannels: Int) -> (values: [Int8], scales: [Float]) {
        let perChannel = weight.count / max(outputChannels, 1)
        var minimum = [Float](repeating: 0, count: outputChannels), maximum = minimum
        var scales = minimum, zeroPoints = minimum
        for channel in 0..<outputChannels {
            let values = weight[(channel * perChannel)..<((channel + 1) * perChannel)]
            (minimum[channel], maximum[channel]) = (values.min() ?? 0, values.max() ?? 0)
        }
        QuantizationPolicy.quantizationParameters(minimum: minimum, maximum: maximum, count: outputChannels,
                                                  qmin: range.lowerBound, qmax: range.upperBound, symmetric: true,
                                                  scale: &scales, zeroPoint: &zeroPoints)
        for channel in 0..<outputChannels where minimum[channel] == 0 && maximum[channel] == 0 { scales[channel] = 1 }
        let values = weight.indices.map { index -> Int8 in
            let q = (weight[index] * (1 / scales[index / perChannel])).rounded(.toNearestOrEven)
            return Int8(min(max(q, Float(range.lowerBound)), Float(range.upperBound)))
        }
        return (values, scales)
    }
}
