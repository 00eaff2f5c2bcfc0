import Condense
import CondenseCompress
import CondenseCore
import CondenseData
import CondenseNN
import Foundation

/// `condense distill`: trains a small student from a trained teacher with Hinton's distillation loss.
let distillCommand = Command(
    name: "distill",
    usage: "distill --teacher C --student M [--width W] --data F --epochs N [--temperature 4] [--alpha 0.9] " +
        "[--attention β] --out C",
    summary: "distil a trained teacher into a smaller student (Hinton KD); teacher, student and size ratio",
    options: [OptionSpec(name: "teacher", help: "teacher checkpoint written by condense train"),
              OptionSpec(name: "student", help: ModelConfiguration.architectures.joined(separator: " | "),
                         defaultValue: "mobilenetv2"),
              OptionSpec(name: "width", help: "student width multiplier", defaultValue: "0.35"),
              OptionSpec(name: "temperature", help: "softmax temperature T", defaultValue: "4"),
              OptionSpec(name: "alpha", help: "weight α of the distillation term (1 − α on cross entropy)",
                         defaultValue: "0.9"),
              OptionSpec(name: "attention", help: "weight β of attention transfer on stage outputs of equal size",
                         defaultValue: "0"),
              OptionSpec(name: "out", help: "student checkpoint to write", defaultValue: "student.safetensors")]
        + trainingOptions + commonOptions
) { arguments, console in
    guard let teacherPath = arguments.values["teacher"] else { throw UsageError("--teacher CHECKPOINT is required") }
    let temperature = try arguments.value("temperature", "a number") { Float($0) } ?? 4
    let alpha = try arguments.value("alpha", "a number") { Float($0) } ?? 0.9
    let attention = try arguments.value("attention", "a number") { Float($0) } ?? 0
    let backend = try selectBackend(arguments, console)
    let teacher = try TrainedModel.load(teacherPath, on: backend)
    let dataset = try loadImageDataset(arguments.values["data"]!)
    let options = try parseTrainingOptions(arguments)
    let configuration = ModelConfiguration(
        architecture: arguments.values["student"]!,
        width: try arguments.value("width", "a positive number") { Double($0) } ?? 0.35,
        classes: teacher.configuration.classes, inputChannels: teacher.configuration.inputChannels,
        imageSize: teacher.configuration.imageSize)
    let student = TrainedModel(configuration: configuration, module: try configuration.build(on: backend, seed: options.seed),
                               normalizationMean: teacher.normalizationMean, normalizationStd: teacher.normalizationStd,
                               classNames: teacher.classNames)
    let distillation = try HintonDistillation(teacher: teacher, student: student, temperature: temperature, alpha: alpha,
                                              attention: attention)
    let teacherResult = try Evaluation.evaluate(teacher, on: dataset.test, dataset: dataset)
    console.notice("teacher \(teacher.configuration.architecture) width \(teacher.configuration.width): " +
                   String(format: "test ACC %.4f, %d parameters", teacherResult.accuracy, teacher.module.parameterCount))
    console.notice("student \(configuration.architecture) width \(configuration.width): " +
                   "\(student.module.parameterCount) parameters; T = \(temperature), α = \(alpha), β = \(attention)")
    let out = arguments.values["out"]!
    let reporter = ProgressReporter(console: console)
    let summary = try Training.train(student, on: dataset, options: options, checkpointPath: out,
                                     objective: distillation.objective, progress: reporter.report)
    let teacherSize = try ModelSize(of: teacher, checkpoint: teacherPath)
    console.print(String(format: "teacher test ACC %.4f → student %.4f", teacherResult.accuracy, summary.test.accuracy))
    try reportResult(summary.test, model: student, checkpoint: out, reference: teacherSize, console: console, extra: [
        "teacher_accuracy": teacherResult.accuracy, "teacher_auc": teacherResult.auc,
        "best_val_accuracy": summary.bestValidationAccuracy, "images_per_s": summary.imagesPerSecond,
        "wall_s": summary.wallSeconds,
    ])
}
