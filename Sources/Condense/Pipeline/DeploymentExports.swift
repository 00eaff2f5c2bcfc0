import CondenseCompress
import CondenseCore
import Foundation

/// The deployment files `condense run` (and `condense search`, for its chosen model) writes: ONNX and TFLite FP32
/// and FP16 safetensors of the float model, ONNX INT8 (QDQ) and TFLite INT8 of the quantized one.
enum DeploymentExports {
    /// (source: the float or the INT8 checkpoint, format, file name), in the order they are written.
    static let files: [(int8Source: Bool, format: ExportFormat, name: String)] = [
        (false, .onnx, "model-fp32.onnx"), (false, .fp16, "model-fp16.safetensors"), (true, .onnxInt8, "model-int8.onnx"),
        (false, .tflite, "model-fp32.tflite"), (true, .tfliteInt8, "model-int8.tflite"),
    ]

    /// Writes every file into `folder` from the checkpoints `float` and `int8`, noting each file's size.
    static func write(float: String, int8: String, into folder: URL, on backend: Backend,
                      note: (String) -> Void) throws {
        for file in files {
            let summary = try ModelExport.export(file.int8Source ? int8 : float, as: file.format,
                                                 to: folder.appendingPathComponent(file.name).path, on: backend)
            note("   \(file.name): \(summary.sizeBytes) bytes")
        }
    }
}
