import CondenseCore
import CondenseNN
import Foundation

/// The deployment formats `condense export` writes.
public enum ExportFormat: String, CaseIterable, Sendable {
    /// ONNX, float32 weights and arithmetic (`ONNXExport.float32`).
    case onnx
    /// ONNX with INT8 `QuantizeLinear`/`DequantizeLinear` pairs, from a quantized checkpoint.
    case onnxInt8 = "onnx-int8"
    /// The checkpoint as safetensors with float16 weights and the same metadata.
    case fp16
    /// TensorFlow Lite, float32 (`TFLiteExport.float32`).
    case tflite
    /// TensorFlow Lite, full integer from uint8 pixels to the logits, from a quantized checkpoint
    /// (`TFLiteExport.int8`).
    case tfliteInt8 = "tflite-int8"

    /// Whether the format needs a quantized checkpoint.
    public var needsQuantized: Bool { self == .onnxInt8 || self == .tfliteInt8 }
}

/// What an export wrote.
public struct ExportSummary: Sendable {
    public let format: ExportFormat
    public let path: String
    public let sizeBytes: Int
    public let parameters: Int
    /// The size of the checkpoint it was made from.
    public let sourceSizeBytes: Int
}

/// Turns a checkpoint into a deployment file, writing it atomically: on any error no file (and no partial file) is
/// left at the destination, and a file already there is unchanged.
public enum ModelExport {
    /// Exports the checkpoint at `source` as `format` to `destination`, loading the model on `backend`.
    ///
    /// - Throws: `CondenseError.file` naming `source` for a checkpoint that cannot be read or rebuilt, one that is
    ///   not quantized (for `onnx-int8` and `tflite-int8`), or one that is (for `fp16`); `CondenseError.invalidArgument` for a model
    ///   the exporter cannot write; `CondenseError.file` naming `destination` when writing fails.
    public static func export(_ source: String, as format: ExportFormat, to destination: String,
                              on backend: Backend) throws -> ExportSummary {
        let checkpoint = try Checkpoint(contentsOf: source)
        let quantized = checkpoint.metadata[Checkpoint.Key.quantization] != nil
        if format.needsQuantized, !quantized {
            throw CondenseError.file(path: source, "is not quantized (its metadata has no '\(Checkpoint.Key.quantization)' " +
                                     "entry); run condense quantize first")
        }
        if format == .fp16, quantized {
            throw CondenseError.file(path: source, "is an INT8 checkpoint (its metadata has a " +
                                     "'\(Checkpoint.Key.quantization)' entry): fp16 would turn its float32 weight scales " +
                                     "into float16, which no INT8 model loads; export it as onnx-int8, or export the " +
                                     "float checkpoint it was quantized from as fp16")
        }
        let model: TrainedModel
        do {
            model = try TrainedModel.load(source, on: backend)
        } catch let error as CondenseError {
            if case .file = error { throw error }
            throw CondenseError.file(path: source, "cannot rebuild the model: \(error)")
        }
        switch format {
        case .onnx:
            try AtomicFileWriter.write(try ONNXExport.float32(model).serialized(), to: destination)
        case .onnxInt8:
            try AtomicFileWriter.write(try ONNXExport.int8(model).serialized(), to: destination)
        case .tflite:
            try AtomicFileWriter.write(try TFLiteExport.float32(model), to: destination)
        case .tfliteInt8:
            try AtomicFileWriter.write(try TFLiteExport.int8(model), to: destination)
        case .fp16:
            var half = checkpoint.halfPrecision()
            half.metadata[CondenseVersion.metadataKey] = CondenseVersion.current
            try half.write(to: destination)
        }
        return ExportSummary(format: format, path: destination, sizeBytes: try fileSize(destination),
                             parameters: model.module.parameterCount, sourceSizeBytes: try fileSize(source))
    }

    private static func fileSize(_ path: String) throws -> Int {
        guard let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int else {
            throw CondenseError.file(path: path, "cannot read the file's size")
        }
        return size
    }
}
