import CondenseCore
import CondenseNN

/// An ONNX `TensorProto`: a named constant (an initializer), its element type, dims and raw little-endian data.
public struct ONNXTensor: Equatable, Sendable {
    public var name: String
    public var dataType: ONNXDataType
    public var dims: [Int]
    /// Elements in C order, little-endian, as ONNX's `raw_data` holds them.
    public var rawData: [UInt8]

    public init(name: String, dataType: ONNXDataType, dims: [Int], rawData: [UInt8]) {
        self.name = name
        self.dataType = dataType
        self.dims = dims
        self.rawData = rawData
    }

    /// The tensor of a named host tensor (any Condense dtype; the bytes are already in ONNX's `raw_data` layout).
    public init(_ tensor: NamedTensorData) {
        self.init(name: tensor.name, dataType: ONNXDataType(tensor.dtype), dims: tensor.shape, rawData: tensor.bytes)
    }

    /// `TensorProto` fields: dims = 1 (repeated int64), data_type = 2, name = 8, raw_data = 9.
    public func encode(into writer: inout ProtobufWriter) {
        writer.ints(1, dims.map(Int64.init))
        writer.int(2, Int64(dataType.rawValue))
        writer.string(8, name)
        writer.bytes(9, rawData)
    }
}

/// ONNX's `TensorProto.DataType` codes for the element types Condense stores, and int16, which only the INT8
/// export writes (biases that fit it, `QDQEncoding`).
public enum ONNXDataType: Int32, Sendable {
    case float = 1
    case uint8 = 2
    case int8 = 3
    case int16 = 5
    case int32 = 6
    case float16 = 10

    public init(_ dtype: DType) {
        switch dtype {
        case .float32: self = .float
        case .uint8: self = .uint8
        case .int8: self = .int8
        case .int32: self = .int32
        case .float16: self = .float16
        }
    }
}
