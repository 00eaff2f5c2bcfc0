// Host-side float16 ↔ float32 conversion for FP16 checkpoints and exports (IEEE 754 binary16 storage, as
// OpenCL's vload_half/vstore_half and NumPy's float16 store it).

/// Converts between `Float` values and IEEE half-precision bit patterns on the host.
///
/// Float → half rounds to nearest, ties to even (Swift's `Float16(_:)`, the same rounding as NumPy's
/// `astype(np.float16)` and PyTorch's `.half()`): values beyond the largest half (65504) by half an ulp or more
/// become ±infinity, values below 2⁻²⁴ become subnormals or ±0, NaN stays NaN. Half → float is exact.
public enum Float16Conversion {
    /// The half-precision bit pattern of each value.
    public static func halfBits(_ values: [Float]) -> [UInt16] {
        values.map { Float16($0).bitPattern }
    }

    /// The float value of each half-precision bit pattern (exact).
    public static func floats(halfBits bits: [UInt16]) -> [Float] {
        bits.map { Float(Float16(bitPattern: $0)) }
    }

    /// The values as little-endian half-precision bytes (two per value), the layout of an F16 safetensors tensor.
    public static func halfBytes(_ values: [Float]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: values.count * 2)
        for (index, value) in values.enumerated() {
            let bits = Float16(value).bitPattern
            bytes[2 * index] = UInt8(truncatingIfNeeded: bits)
            bytes[2 * index + 1] = UInt8(truncatingIfNeeded: bits >> 8)
        }
        return bytes
    }

    /// The float values of little-endian half-precision bytes; `bytes.count` must be even.
    public static func floats(halfBytes bytes: [UInt8]) -> [Float] {
        precondition(bytes.count % 2 == 0, "float16 data needs an even number of bytes, got \(bytes.count)")
        return (0..<(bytes.count / 2)).map { index in
            Float(Float16(bitPattern: UInt16(bytes[2 * index]) | UInt16(bytes[2 * index + 1]) << 8))
        }
    }
}
