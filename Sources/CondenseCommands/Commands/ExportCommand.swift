import CondenseCompress
import CondenseCore
import CondenseNN
import Foundation

/// `condense export`: a checkpoint as a deployment file (ONNX FP32, ONNX INT8 QDQ, TFLite FP32 or INT8, or FP16
/// safetensors).
enum ExportCommand: Command {
    struct Options: CommandOptions {
        var checkpoint = ""
        var format = ExportFormat.onnx
        var out = ""
        var common = CommonOptions()
    }

    static let name = "export"
    static let usage = "export --model C --format onnx|onnx-int8|tflite|tflite-int8|fp16 --out FILE"
    static let summary = "write a checkpoint as ONNX (FP32 or INT8 QDQ), TFLite (FP32 or INT8) or FP16 safetensors for deployment"
    static let options: [OptionSpec<Options>] = [
        .value("model", \.checkpoint, placeholder: "C", help: "checkpoint (.safetensors) written by condense",
               required: true),
        .value("format", \.format, help: "onnx (float32), onnx-int8 (QDQ, from a quantized checkpoint), tflite " +
               "(float32), tflite-int8 (full integer, from a quantized checkpoint) or fp16 (safetensors, from a " +
               "float checkpoint)"),
        .value("out", \.out, placeholder: "FILE", help: "file to write (.onnx, .tflite or .safetensors)", required: true),
    ] + CommonOptions.specs.lifted(\.common)

    static func run(_ options: Options, console: Console) throws {
        let format = options.format, out = options.out
        try OutputLocations.check(files: [NamedPath("--out", out)], inputs: [NamedPath("--model", options.checkpoint)])
        if format == .fp16, try Checkpoint(contentsOf: options.checkpoint).metadata[Checkpoint.Key.quantization] != nil {
            throw CondenseError.file(path: options.checkpoint, "is quantized (INT8); --format fp16 needs a float " +
                                     "checkpoint: export this one with --format onnx-int8, or its float checkpoint " +
                                     "with --format fp16")
        }
        let summary = try ModelExport.export(options.checkpoint, as: format, to: out,
                                             on: try options.common.backend(console))
        console.print("wrote \(out): \(format.rawValue), \(summary.sizeBytes) bytes (checkpoint " +
                      "\(summary.sourceSizeBytes) bytes), \(summary.parameters) parameters")
        try console.emit(["format": format.rawValue, "out": out, "size_bytes": summary.sizeBytes,
                          "parameters": summary.parameters, "source_size_bytes": summary.sourceSizeBytes])
    }
}
