/// The numbers of TensorFlow Lite's schema (`tensorflow/lite/schema/schema.fbs`, version 3) that Condense writes.

/// `TensorType`.
public enum TFLiteTensorType: Int8, Sendable {
    case float32 = 0
    case int32 = 2
    case uint8 = 3
    case int8 = 9
}

/// The builtin operators Condense writes (`BuiltinOperator`), each with its options table's `BuiltinOptions` union
/// index (0: none).
public enum TFLiteOperator: Int32, Sendable {
    case add = 0
    case conv2d = 3
    case depthwiseConv2d = 4
    case fullyConnected = 9
    case maxPool2d = 17
    case mul = 18
    case relu = 19
    case relu6 = 21
    case reshape = 22
    case pad = 34
    case gather = 36
    case mean = 40
    case sub = 41
    case div = 42
    case cast = 53
    case padV2 = 60
    case batchMatmul = 126

    /// The `BuiltinOptions` type of this operator's options table.
    var optionsType: UInt8 {
        switch self {
        case .conv2d: 1
        case .depthwiseConv2d: 2
        case .maxPool2d: 5
        case .fullyConnected: 8
        case .add: 11
        case .reshape: 17
        case .mul: 21
        case .pad: 22
        case .gather: 23
        case .mean: 27  // ReducerOptions
        case .sub: 28
        case .div: 29
        case .cast: 37
        case .padV2: 43
        case .batchMatmul: 101
        case .relu, .relu6: 0
        }
    }

    /// The operator version the kernels need for these tensor types: TFLite registers int8 kernels under higher
    /// versions (int8 convolutions 3, fully connected 4, the others 2).
    func version(integer: Bool) -> Int32 {
        switch self {
        case .conv2d, .depthwiseConv2d: integer ? 3 : 2
        case .fullyConnected: integer ? 4 : 1
        case .add, .mean, .pad, .padV2, .maxPool2d, .gather, .batchMatmul: integer ? 2 : 1
        case .mul, .relu, .relu6, .reshape, .sub, .div, .cast: 1
        }
    }
}

/// `Padding`.
enum TFLitePadding: Int8 {
    case same = 0
    case valid = 1
}

/// `ActivationFunctionType`: the clamp an operator applies to its output.
enum TFLiteActivation: Int8 {
    case none = 0
    case relu = 1
    case relu6 = 3
}
