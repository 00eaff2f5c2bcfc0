import CondenseCore
import CondenseNN

/// Writes an `InferenceGraph` as a TensorFlow Lite model (`.tflite`, schema version 3) for LiteRT, with a
/// resizable batch and NHWC images: the FP32 model takes float32 pixels in [0, 1] (`image`, `[N, H, W, C]`) and
/// normalizes them itself, like the ONNX export; the INT8 model takes uint8 pixels 0–255 and is integer from there
/// to the classifier's int32 sums, which it dequantizes per class (`TFLiteInt8Encoding`). Both return float32
/// `logits` `[N, classes]` and carry the checkpoint's metadata (class names, normalization, input shape, …) and
/// `condense_version` as named metadata buffers.
///
/// Each inference node becomes TFLite builtin operators: normalize → `SUB`, `DIV` (FP32) or a lookup table
/// (INT8); conv → `CONV_2D` (filter OHWI) or, when every channel is its own group, `DEPTHWISE_CONV_2D` (filter
/// `[1, kh, kw, C·m]`), with the ReLU/ReLU6 after it fused, SAME padding where it pads as PyTorch does, else an
/// explicit `PAD` and VALID; relu, relu6 → `RELU`, `RELU6` where not fused (FP32 only); add → `ADD` (ReLU fused);
/// maxpool → `MAX_POOL_2D` (padding as convolutions, an explicit `PADV2` with the lowest value); avgpool → `MEAN`
/// over H and W; flatten → `RESHAPE` to `[−1, C]`; gemm → `FULLY_CONNECTED` (weights `[out, in]`; INT8:
/// `BATCH_MATMUL` into int32, `ADD`, `CAST`, `MUL`).
public enum TFLiteExport {
    /// The FP32 `.tflite` bytes of a trained float model.
    public static func float32(_ model: TrainedModel) throws -> [UInt8] {
        var writer = try TFLiteGraphWriter(try InferenceGraph(lowering: model), encoding: TFLiteFloatEncoding())
        return try writer.serialized(name: model.configuration.architecture.rawValue, description: description,
                                     metadata: ONNXExport.metadata(of: model))
    }

    /// The full-integer INT8 `.tflite` bytes of a quantized model, with its metadata but the `quantization` entry
    /// (the tensors' quantization carries it).
    public static func int8(_ model: TrainedModel) throws -> [UInt8] {
        let graph = try InferenceGraph(quantized: model)
        var writer = try TFLiteGraphWriter(graph, encoding: try TFLiteInt8Encoding(graph))
        return try writer.serialized(name: model.configuration.architecture.rawValue, description: description,
                                     metadata: ONNXExport.metadata(of: model).filter {
                                         $0.key != Checkpoint.Key.quantization
                                     })
    }

    private static var description: String { "condense \(CondenseVersion.current)" }
}
