import Condense
import CondenseDistributed
import CondenseCompress
import CondenseCore
import CondenseData
import CondenseNN
import Foundation

/// `condense quantize`: a float checkpoint to an INT8 one, by quantization-aware training or by post-training
/// calibration; the float and INT8 test accuracy and the size report.
enum QuantizeCommand: Command {
    struct Options: CommandOptions {
        var checkpoint = ""
        var qat = false
        /// `--calibrate K`: post-training calibration on K batches instead of QAT.
        var calibrationBatches: Int?
        var quantization = QuantizationOptions()
        var teacher: String?
        var out = "quantized.safetensors"
        var data = DatasetOption()
        var common = CommonOptions()

        func validate() throws {
            guard qat != (calibrationBatches != nil) else {
                throw UsageError("choose one of --qat (quantization-aware training) and --calibrate K (post-training " +
                                 "calibration on K batches)")
            }
        }

        /// `--freeze-observers-after` and `--freeze-bn-after` (never frozen when the schedule holds nil).
        var freezeObserversAfter: Int {
            get { quantization.schedule.freezeObserversAfter ?? 0 }
            set { quantization.schedule.freezeObserversAfter = newValue }
        }
        var freezeBatchNormAfter: Int {
            get { quantization.schedule.freezeBatchNormAfter ?? 0 }
            set { quantization.schedule.freezeBatchNormAfter = newValue }
        }
    }

    static func runsDataParallel(_ options: Options) -> Bool { true }
    static let name = "quantize"
    static let usage = "quantize --model C --data F (--qat --epochs N | --calibrate K) --out C"
    static let summary = "INT8 quantization (QAT or calibration): an integer-weight checkpoint; accuracy and size " +
        "before/after"
    static let options: [OptionSpec<Options>] = [
        .value("model", \.checkpoint, placeholder: "C", help: "float checkpoint written by condense (not a quantized one)",
               required: true),
        .flag("qat", \.qat, help: "quantization-aware training for --epochs"),
        .value("calibrate", \.calibrationBatches, bounds: .within(1...100_000),
               help: "post-training calibration on N training batches instead (at most the batches of the split)"),
        .flag("lsq", \.quantization.learnsScales, help: "QAT: learn the activation scales (LSQ) once the observers freeze"),
        .value("freeze-observers-after", \.freezeObserversAfter, bounds: .within(1...100_000_000),
               help: "QAT: steps the activation observers update"),
        .value("freeze-bn-after", \.freezeBatchNormAfter, bounds: .within(1...100_000_000),
               help: "QAT: steps batch norm uses batch statistics"),
        .value("teacher", \.teacher, placeholder: "C", help: "QAT: distil from this checkpoint (Hinton KD)"),
    ] + DistillationOptionGroup.specs(temperature: \.quantization.temperature, alpha: \.quantization.alpha) + [
        .value("out", \.out, placeholder: "C", help: "quantized checkpoint to write"),
    ] + DatasetOption.specs().lifted(\.data) + TrainingOptionGroup.specs().lifted(\.quantization.training)
        + CommonOptions.specs.lifted(\.common)

    static func run(_ options: Options, console: Console) throws {
        let checkpoint = options.checkpoint, out = options.out, training = options.quantization.training
        try OutputLocations.check(files: [NamedPath("--out", out)], inputs: [
            NamedPath("--model", checkpoint), NamedPath("--data", options.data.path),
        ] + [options.teacher.map { NamedPath("--teacher", $0) }].compactMap { $0 })
        let backend = try options.common.backend(console)
        let model = try TrainedModel.load(checkpoint, on: backend)
        guard !(model.module is QuantizedClassifier) else {
            throw CondenseError.file(path: checkpoint, "is already quantized (its metadata has a " +
                                     "'\(Checkpoint.Key.quantization)' entry); quantize its float checkpoint instead")
        }
        let dataset = try options.data.load(console, for: model)
        try Evaluation.checkCompatible(model, dataset)
        try TrainingOptionGroup.check(training, against: dataset)
        if let batches = options.calibrationBatches {
            let available = (dataset.train.count + training.batchSize - 1) / training.batchSize
            guard batches <= available else {
                throw CondenseError.invalidArgument(op: "--calibrate", "\(batches) batches of \(training.batchSize) " +
                    "is more than the training split holds (\(dataset.train.count) images: at most \(available) batches)")
            }
        }
        let reference = try ModelSize(checkpoint: checkpoint)
        let original = try Evaluation.evaluate(model, on: dataset.test, dataset: dataset, over: World.group)
        console.notice(String(format: "%@ width %g: test ACC %.4f (float32); %@", model.configuration.architecture.rawValue,
                              model.configuration.width, original.accuracy,
                              options.calibrationBatches.map { "calibrating on \($0) batches" }
                                  ?? "quantization-aware training"))
        let start = Stopwatch.now()
        let result: QuantizationResult
        if let calibrationBatches = options.calibrationBatches {
            result = try Quantization.calibrate(model, on: dataset, batches: calibrationBatches,
                                                batchSize: training.batchSize, seed: training.seed)
        } else {
            let teacher = try options.teacher.map { try TrainedModel.load($0, on: backend) }
            result = try Quantization.quantizeAwareTraining(model, on: dataset, options: options.quantization,
                                                            teacher: teacher,
                                                            progress: ProgressReporter(console: console).report)
        }
        let wall = Stopwatch.now() - start
        guard World.group.isPrimary else { return }  // rank 0 writes and reports for the job
        try result.model.save(to: out)
        let quantized = try Evaluation.evaluate(result.model, on: dataset.test, dataset: dataset)
        console.print(String(format: "test ACC %.4f (float32) → %.4f (INT8, integer inference)", original.accuracy,
                             quantized.accuracy))
        var extra: [String: Any] = ["original_accuracy": original.accuracy, "original_auc": jsonValue(auc: original.auc),
                                    "method": options.calibrationBatches == nil ? "qat" : "calibration", "wall_s": wall,
                                    "world_size": World.group.size]
        extra["fake_quant_accuracy"] = result.training?.test.accuracy
        extra["best_val_accuracy"] = result.training?.bestValidationAccuracy
        extra["warnings"] = jsonValue(warnings: result.training?.warnings)
        try reportResult(quantized, model: result.model, checkpoint: out, reference: reference, console: console,
                         extra: extra)
    }
}
