import CondenseCompress
import CondenseCore
import Foundation

/// `condense export`: a checkpoint as a deployment file (ONNX FP32, ONNX INT8 QDQ, or FP16 safetensors).
let exportCommand = Command(
    name: "export", usage: "export --model C --format onnx|onnx-int8|fp16 --out FILE",
    summary: "write a checkpoint as ONNX (FP32 or INT8 QDQ) or FP16 safetensors for deployment",
    options: [OptionSpec(name: "model", help: "checkpoint (.safetensors) written by condense"),
              OptionSpec(name: "format", help: ExportFormat.allCases.map(\.rawValue).joined(separator: " | "),
                         defaultValue: ExportFormat.onnx.rawValue),
              OptionSpec(name: "out", help: "file to write (.onnx or .safetensors)")] + commonOptions
) { arguments, console in
    guard let checkpoint = arguments.values["model"] else { throw UsageError("--model CHECKPOINT is required") }
    guard let out = arguments.values["out"] else { throw UsageError("--out FILE is required") }
    let format = try arguments.value("format", ExportFormat.allCases.map(\.rawValue).joined(separator: ", ")) {
        ExportFormat(rawValue: $0)
    } ?? .onnx
    let summary = try ModelExport.export(checkpoint, as: format, to: out, on: try selectBackend(arguments, console))
    console.print("wrote \(out): \(format.rawValue), \(summary.sizeBytes) bytes (checkpoint \(summary.sourceSizeBytes) " +
                  "bytes), \(summary.parameters) parameters")
    try console.emit(["format": format.rawValue, "out": out, "size_bytes": summary.sizeBytes,
                      "parameters": summary.parameters, "source_size_bytes": summary.sourceSizeBytes])
}
