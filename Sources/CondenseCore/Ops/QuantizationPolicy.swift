/// The quantization choices the backends and the host-side weight quantizer share, so that they all quantize alike:
/// PyTorch's observer formulas for scale and zero point (`_calculate_qparams`) and LSQ's gradient factor.
public enum QuantizationPolicy {
    /// LSQ's gradient factor `1/√(n·qmax)`, n the elements per (scale, zero point) pair: the whole count per
    /// tensor, `count/channels` per channel. Formed in Double as PyTorch forms it in Python.
    public static func gradientFactor(_ layout: FakeQuantLayout, qmax: Int) -> Double {
        let n = layout.isPerChannel ? layout.perChannel : layout.count
        return 1 / (Double(n) * Double(qmax)).squareRoot()
    }

    /// float32 epsilon, PyTorch observers' lower bound on the scale.
    public static let minimumScale = Float.ulpOfOne

    /// The zero point of a symmetric scheme (PyTorch's observers): 0 for a signed range (`qmin < 0`), 128 for
    /// `[0, 255]` (the uint8 default), `⌊(qmin + qmax)/2⌋` for another unsigned range.
    public static func symmetricZeroPoint(qmin: Int, qmax: Int) -> Int {
        qmin < 0 ? 0 : (qmin == 0 && qmax == 255 ? 128 : (qmin + qmax) / 2)
    }

    /// `quantizationParameters` on `count` (min, max) pairs; see `FakeQuantOps` for the formulas.
    public static func quantizationParameters<T: BinaryFloatingPoint>(
        minimum: UnsafePointer<T>, maximum: UnsafePointer<T>, count: Int, qmin: Int, qmax: Int, symmetric: Bool,
        scale: UnsafeMutablePointer<T>, zeroPoint: UnsafeMutablePointer<T>
    ) {
        let lo = T(qmin), hi = T(qmax), eps = T(minimumScale)
        let symmetricZero = T(symmetricZeroPoint(qmin: qmin, qmax: qmax))
        for c in 0..<count {
            guard minimum[c] <= maximum[c] else {
                scale[c] = 1
                zeroPoint[c] = 0
                continue
            }
            let minNeg = Swift.min(minimum[c], 0), maxPos = Swift.max(maximum[c], 0)
            if symmetric {
                scale[c] = Swift.max(Swift.max(-minNeg, maxPos) / ((hi - lo) / 2), eps)
                zeroPoint[c] = symmetricZero
            } else {
                let s = Swift.max((maxPos - minNeg) / (hi - lo), eps)
                scale[c] = s
                zeroPoint[c] = Swift.min(Swift.max(lo - (minNeg / s).rounded(.toNearestOrEven), lo), hi)
            }
        }
    }
}
