import CondenseCore
import CondenseNN

/// How `TFLiteGraphWriter` types the tensors of an export: `TFLiteFloatEncoding` (float32 throughout) or
/// `TFLiteInt8Encoding` (uint8 pixels in, int8 activations and weights, int32 biases, float32 logits out), and the
/// nodes whose operators differ between the two (the input's normalization and the classifier).
protocol TFLiteTensorEncoding {
    /// Whether the operators work on integers (their int8 kernel versions).
    var isInteger: Bool { get }
    /// The type of the model's input, `image`.
    var inputType: TFLiteTensorType { get }
    /// The type of every activation between the normalization and the logits.
    var activationType: TFLiteTensorType { get }

    /// The quantization of the tensor holding `value` (nil for float).
    func quantization(of value: String) throws -> TFLiteModelBuilder.Quantization?

    /// Adds the operators that normalize the pixels in `input` (NHWC `shape`) into `output`.
    func normalize(_ node: InferenceNode, mean: [Float], std: [Float], input: Int, shape: [Int], output: Int,
                   into builder: inout TFLiteModelBuilder) throws

    /// The filter tensor of a convolution: OHWI, or `[1, kh, kw, C·m]` for a depthwise one.
    func filter(_ weight: NamedTensorData, of node: InferenceNode, depthwise: Bool,
                into builder: inout TFLiteModelBuilder) throws -> Int

    /// The bias tensor of a convolution.
    func bias(_ bias: NamedTensorData, of node: InferenceNode, into builder: inout TFLiteModelBuilder) throws -> Int

    /// A one-element constant holding the lowest value of `value`'s tensor type (max pooling's padding).
    func lowest(_ name: String, of value: String, into builder: inout TFLiteModelBuilder) throws -> Int

    /// Adds the classifier (`gemm`) reading `input` and writing the float32 logits tensor `output`.
    func classifier(_ node: InferenceNode, weight: NamedTensorData, bias: NamedTensorData, input: Int, output: Int,
                    into builder: inout TFLiteModelBuilder) throws
}

/// The FP32 export: float32 NHWC pixels in [0, 1], the normalization as `SUB` and `DIV` by per-channel constants,
/// float32 weights and activations.
struct TFLiteFloatEncoding: TFLiteTensorEncoding {
    let isInteger = false
    let inputType = TFLiteTensorType.float32
    let activationType = TFLiteTensorType.float32

    func quantization(of value: String) -> TFLiteModelBuilder.Quantization? { nil }

    func normalize(_ node: InferenceNode, mean: [Float], std: [Float], input: Int, shape: [Int], output: Int,
                   into builder: inout TFLiteModelBuilder) {
        let means = builder.addConstant("\(node.name).mean", type: .float32, shape: [mean.count], bytes: floatBytes(mean))
        let stds = builder.addConstant("\(node.name).std", type: .float32, shape: [std.count], bytes: floatBytes(std))
        let centered = builder.addActivation("\(node.name).centered", type: .float32, shape: shape)
        builder.addOperator(.sub, integer: false, inputs: [input, means], outputs: [centered], options: FlatBufferTable())
        builder.addOperator(.div, integer: false, inputs: [centered, stds], outputs: [output], options: FlatBufferTable())
    }

    func filter(_ weight: NamedTensorData, of node: InferenceNode, depthwise: Bool,
                into builder: inout TFLiteModelBuilder) -> Int {
        let (shape, bytes) = filterLayout(weight, depthwise: depthwise)
        return builder.addConstant(weight.name, type: .float32, shape: shape, bytes: bytes)
    }

    func bias(_ bias: NamedTensorData, of node: InferenceNode, into builder: inout TFLiteModelBuilder) -> Int {
        builder.addConstant(bias.name, type: .float32, shape: bias.shape, bytes: bias.bytes)
    }

    func lowest(_ name: String, of value: String, into builder: inout TFLiteModelBuilder) -> Int {
        builder.addConstant(name, type: .float32, shape: [1], bytes: floatBytes([-Float.greatestFiniteMagnitude]))
    }

    func classifier(_ node: InferenceNode, weight: NamedTensorData, bias: NamedTensorData, input: Int, output: Int,
                    into builder: inout TFLiteModelBuilder) {
        let weights = builder.addConstant(weight.name, type: .float32, shape: weight.shape, bytes: weight.bytes)
        let biases = builder.addConstant(bias.name, type: .float32, shape: bias.shape, bytes: bias.bytes)
        builder.addOperator(.fullyConnected, integer: false, inputs: [input, weights, biases], outputs: [output],
                            options: FlatBufferTable())
    }
}

/// A convolution weight `[O, I, kh, kw]` (elements of any size) in TFLite's layout: OHWI, or for a depthwise one
/// (`I` = 1) `[1, kh, kw, O]`; its shape and bytes.
func filterLayout(_ weight: NamedTensorData, depthwise: Bool) -> (shape: [Int], bytes: [UInt8]) {
    let (o, i, h, w) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
    let size = weight.dtype.byteSize
    var bytes = [UInt8](repeating: 0, count: weight.bytes.count)
    for oc in 0..<o {
        for ic in 0..<i {
            for y in 0..<h {
                for x in 0..<w {
                    let source = ((oc * i + ic) * h + y) * w + x
                    let target = depthwise ? (y * w + x) * o + oc : ((oc * h + y) * w + x) * i + ic
                    bytes.replaceSubrange(target * size..<(target + 1) * size,
                                          with: weight.bytes[source * size..<(source + 1) * size])
                }
            }
        }
    }
    return (depthwise ? [1, h, w, o] : [o, h, w, i], bytes)
}

/// Little-endian float32 bytes.
func floatBytes(_ values: [Float]) -> [UInt8] { values.flatMap { FlatBufferObject.littleEndian($0.bitPattern) } }
