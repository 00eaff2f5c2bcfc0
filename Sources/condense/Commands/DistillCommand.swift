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
        "[--attention β] [--hint γ] [--cache-teacher] --out C",
    summary: "distil a trained teacher into a smaller student (Hinton KD, attention transfer, FitNets hints)",
    options: [OptionSpec(name: "teacher", help: "teacher checkpoint written by condense train"),
              OptionSpec(name: "student", help: ModelConfiguration.architectures.joined(separator: " | "),
                         defaultValue: "mobilenetv2"),
              OptionSpec(name: "width", help: "student width multiplier", defaultValue: "0.35"),
              OptionSpec(name: "temperature", help: "softmax temperature T", defaultValue: "4"),
              OptionSpec(name: "alpha", help: "weight α of the distillation term (1 − α on cross entropy)",
                         defaultValue: "0.9"),
              OptionSpec(name: "attention", help: "weight β of attention transfer on the paired stage outputs",
                         defaultValue: "0"),
              OptionSpec(name: "hint", help: "weight γ of the FitNets hint loss (learned 1×1 regressors) on the pairs",
                         defaultValue: "0"),
              OptionSpec(name: "pairs", help: "stage pairs STUDENT:TEACHER,… for --attention/--hint (default: each " +
                         "student stage with the teacher's last stage of its spatial size)"),
              OptionSpec(name: "cache-teacher", help: "compute the teacher's logits on the training set once " +
                         "(offline distillation; needs --no-augment)", takesValue: false),
              OptionSpec(name: "out", help: "student checkpoint to write", defaultValue: "student.safetensors")]
        + trainingOptions + commonOptions
) { arguments, console in
    guard let teacherPath = arguments.values["teacher"] else { throw UsageError("--teacher CHECKPOINT is required") }
    let temperature = try arguments.value("temperature", "a number") { Float($0) } ?? 4
    let alpha = try arguments.value("alpha", "a number") { Float($0) } ?? 0.9
    let attention = try arguments.value("attention", "a number") { Float($0) } ?? 0
    let hint = try arguments.value("hint", "a number") { Float($0) } ?? 0
    let pairs = try arguments.values["pairs"].map(FeaturePair.parse)
    let options = try parseTrainingOptions(arguments)
    let cacheTeacher = arguments.flag("cache-teacher")
    guard !cacheTeacher || !options.augment else {
        throw UsageError("--cache-teacher needs --no-augment: the teacher must see the images the student sees")
    }
    let backend = try selectBackend(arguments, console)
    let teacher = try TrainedModel.load(teacherPath, on: backend)
    let dataset = try loadImageDataset(arguments.values["data"]!)
    let student = try ModelFactory.student(arguments.values["student"]!,
                                           width: try arguments.value("width", "a positive number") { Double($0) } ?? 0.35,
                                           of: teacher, seed: options.seed)
    let configuration = student.configuration
    let teacherLogits = cacheTeacher
        ? try TeacherLogitCache(logits: Evaluation.predictions(of: teacher, on: dataset.train, dataset: dataset, batchSize: 256).logits,
                                classes: teacher.configuration.classes)
        : nil
    let distillation = try Distillation(teacher: teacher, student: student, temperature: temperature, alpha: alpha,
                                              attention: attention, hint: hint, pairs: pairs,
                                              teacherLogits: teacherLogits, seed: options.seed)
    let teacherResult = try Evaluation.evaluate(teacher, on: dataset.test, dataset: dataset)
    console.notice("teacher \(teacher.configuration.architecture) width \(teacher.configuration.width): " +
                   String(format: "test ACC %.4f, %d parameters", teacherResult.accuracy, teacher.module.parameterCount))
    console.notice("student \(configuration.architecture) width \(configuration.width): " +
                   "\(student.module.parameterCount) parameters; T = \(temperature), α = \(alpha), β = \(attention), " +
                   "γ = \(hint)" + (distillation.pairs.isEmpty ? "" : ", stage pairs \(distillation.pairs)") +
                   (cacheTeacher ? ", teacher logits cached" : ""))
    let out = arguments.values["out"]!
    let reporter = ProgressReporter(console: console)
    let summary = try Training.train(student, on: dataset, options: options, checkpointPath: out,
                                     objective: distillation.objective,
                                     auxiliaryParameters: distillation.auxiliaryParameters, progress: reporter.report)
    let teacherSize = try ModelSize(of: teacher, checkpoint: teacherPath)
    console.print(String(format: "teacher test ACC %.4f → student %.4f", teacherResult.accuracy, summary.test.accuracy))
    try reportResult(summary.test, model: student, checkpoint: out, reference: teacherSize, console: console, extra: [
        "teacher_accuracy": teacherResult.accuracy, "teacher_auc": teacherResult.auc,
        "best_val_accuracy": summary.bestValidationAccuracy, "images_per_s": summary.imagesPerSecond,
        "wall_s": summary.wallSeconds,
    ])
}
