import Condense
import CondenseCompress
import CondenseCore
import CondenseData
import CondenseNN

/// `condense quantize`: a float checkpoint to an INT8 one, by quantization-aware training or by post-training
/// calibration; the float and INT8 test accuracy and the size report.
let quantizeCommand = Command(
    name: "quantize",
    usage: "quantize --model C --data F (--qat --epochs N | --calibrate K) --out C",
    summary: "INT8 quantization (QAT or calibration): an integer-weight checkpoint; accuracy and size before/after",
    options: [OptionSpec(name: "model", help: "float checkpoint written by condense (not a quantized one)"),
              OptionSpec(name: "qat", help: "quantization-aware training for --epochs", takesValue: false),
              OptionSpec(name: "calibrate", help: "post-training calibration on K training batches instead"),
              OptionSpec(name: "lsq", help: "QAT: learn the activation scales (LSQ) once the observers freeze",
                         takesValue: false),
              OptionSpec(name: "freeze-observers-after", help: "QAT: steps the activation observers update",
                         defaultValue: "\(defaultSchedule.freezeObserversAfter!)"),
              OptionSpec(name: "freeze-bn-after", help: "QAT: steps batch norm uses batch statistics",
                         defaultValue: "\(defaultSchedule.freezeBatchNormAfter!)"),
              OptionSpec(name: "teacher", help: "QAT: distil from this checkpoint (Hinton KD)"),
              OptionSpec(name: "temperature", help: "distillation temperature T", defaultValue: "4"),
              OptionSpec(name: "alpha", help: "distillation weight α", defaultValue: "0.9"),
              OptionSpec(name: "out", help: "quantized checkpoint to write", defaultValue: "quantized.safetensors")]
        + trainingOptions(defaults: ["epochs": "1", "lr": "\(QuantizationOptions().training.learningRate)"])
        + commonOptions
) { arguments, console in
    guard let checkpoint = arguments.values["model"] else { throw UsageError("--model CHECKPOINT is required") }
    let calibrationBatches = try arguments.value("calibrate", "a positive number of batches") {
        Int($0).flatMap { $0 > 0 ? $0 : nil }
    }
    guard arguments.flag("qat") != (calibrationBatches != nil) else {
        throw UsageError("choose one of --qat (quantization-aware training) and --calibrate K (post-training " +
                         "calibration on K batches)")
    }
    let backend = try selectBackend(arguments, console)
    let model = try TrainedModel.load(checkpoint, on: backend)
    guard !(model.module is QuantizedClassifier) else {
        throw CondenseError.file(path: checkpoint, "is already quantized (its metadata has a " +
                                 "'\(Checkpoint.Key.quantization)' entry); quantize its float checkpoint instead")
    }
    let dataset = try loadImageDataset(arguments.values["data"]!)
    try Evaluation.checkCompatible(model, dataset)
    let reference = try ModelSize(checkpoint: checkpoint)
    let original = try Evaluation.evaluate(model, on: dataset.test, dataset: dataset)
    console.notice(String(format: "%@ width %g: test ACC %.4f (float32); %@", model.configuration.architecture,
                          model.configuration.width, original.accuracy,
                          calibrationBatches.map { "calibrating on \($0) batches" } ?? "quantization-aware training"))
    let start = Stopwatch.now()
    let result: QuantizationResult
    if let calibrationBatches {
        let training = try parseTrainingOptions(arguments)
        result = try Quantization.calibrate(model, on: dataset, batches: calibrationBatches,
                                            batchSize: training.batchSize, seed: training.seed)
    } else {
        var options = QuantizationOptions()
        options.training = try parseTrainingOptions(arguments)
        options.learnsScales = arguments.flag("lsq")
        options.schedule = QuantizationSchedule(
            freezeObserversAfter: try arguments.value("freeze-observers-after", "a positive number of steps") {
                Int($0).flatMap { $0 > 0 ? $0 : nil }
            },
            freezeBatchNormAfter: try arguments.value("freeze-bn-after", "a positive number of steps") {
                Int($0).flatMap { $0 > 0 ? $0 : nil }
            })
        options.temperature = try arguments.value("temperature", "a number") { Float($0) } ?? 4
        options.alpha = try arguments.value("alpha", "a number") { Float($0) } ?? 0.9
        let teacher = try arguments.values["teacher"].map { try TrainedModel.load($0, on: backend) }
        result = try Quantization.quantizeAwareTraining(model, on: dataset, options: options, teacher: teacher,
                                                        progress: ProgressReporter(console: console).report)
    }
    let wall = Stopwatch.now() - start
    let out = arguments.values["out"]!
    try result.model.save(to: out)
    let quantized = try Evaluation.evaluate(result.model, on: dataset.test, dataset: dataset)
    console.print(String(format: "test ACC %.4f (float32) → %.4f (INT8, integer inference)", original.accuracy,
                         quantized.accuracy))
    var extra: [String: Any] = ["original_accuracy": original.accuracy, "original_auc": original.auc,
                                "method": calibrationBatches == nil ? "qat" : "calibration", "wall_s": wall]
    extra["fake_quant_accuracy"] = result.training?.test.accuracy
    extra["best_val_accuracy"] = result.training?.bestValidationAccuracy
    try reportResult(quantized, model: result.model, checkpoint: out, reference: reference, console: console,
                     extra: extra)
}

private let defaultSchedule = QuantizationOptions().schedule
