/// Element type of a tensor's storage. Arithmetic is float32; the narrow types store quantized or half weights.
public enum DType: String, Sendable, CaseIterable {
    case float32, float16, int8, uint8, int32

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float32, .int32: 4
        case .float16: 2
        case .int8, .uint8: 1
        }
    }
}
