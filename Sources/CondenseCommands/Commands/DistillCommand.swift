import Condense
import CondenseCompress
import CondenseCore
import CondenseData
import CondenseDistributed
import CondenseNN
import Foundation

/// `condense distill`: trains a small student from a trained teacher with Hinton's distillation loss or decoupled KD.
enum DistillCommand: Command {
    struct Options: CommandOptions {
        var teacher = ""
        var architecture = Architecture.mobilenetv2
        var width = 0.35
        var temperature = Distillation.defaultTemperature
        var alpha = Distillation.defaultAlpha
        var loss = DistillationLossKind.kd
        var dkdAlpha = DecoupledDistillation.defaultAlpha
        var dkdBeta = DecoupledDistillation.defaultBeta
        var dkdWarmup: DistillationWarmup?
        var attention: Float = 0
        var hint: Float = 0
        var pairs: [FeaturePair]?
        var cacheTeacher = false
        var out = "student.safetensors"
        var data = DatasetOption()
        var training = TrainingOptions()
        var common = CommonOptions()

        func validate() throws {
            guard loss == .dkd || dkdWarmup == nil else {
                throw UsageError("--dkd-warmup needs --loss dkd")
            }
            guard !cacheTeacher || !training.augment else {
                throw UsageError("--cache-teacher needs --no-augment: the teacher must see the images the student sees")
            }
        }
    }

    static func runsDataParallel(_ options: Options) -> Bool { true }
    static let name = "distill"
    static let usage = "distill --teacher C --student M [--width W] --data F --epochs N [--temperature 4] " +
        "[--alpha 0.9] [--loss kd|dkd [--dkd-alpha 1] [--dkd-beta 8] [--dkd-warmup 0.08]] [--attention β] [--hint γ] " +
        "[--cache-teacher] --out C"
    static let summary = "distil a trained teacher into a smaller student (Hinton KD or DKD, attention transfer, " +
        "FitNets hints)"
    static let options: [OptionSpec<Options>] = [
        .value("teacher", \.teacher, placeholder: "C", help: "teacher checkpoint written by condense train",
               required: true),
        .choice("student", \.architecture, placeholder: "NAME",
                help: "student architecture"),
        .value("width", \.width, bounds: ModelWidth.bounds, help: "student width multiplier"),
    ] + DistillationOptionGroup.specs(temperature: \.temperature, alpha: \.alpha) + [
        .choice("loss", \.loss, placeholder: "NAME",
                help: "loss on the logits: Hinton's KD (--alpha) or decoupled KD (--dkd-alpha, --dkd-beta)"),
        .value("dkd-alpha", \.dkdAlpha, bounds: .within(0...1000), help: "DKD: weight α of the target-class term TCKD"),
        .value("dkd-beta", \.dkdBeta, bounds: .within(0...1000), help: "DKD: weight β of the non-target term NCKD"),
        .parsed("dkd-warmup", \.dkdWarmup, placeholder: "F|N",
                help: "DKD: steps over which the distillation term ramps in, a fraction of all steps below 1 or a " +
                "number of steps (default \(DecoupledDistillation.defaultWarmupFraction))",
                convert: DistillationWarmup.parse),
        .value("attention", \.attention, bounds: .within(0...1000),
               help: "weight β of attention transfer on the paired stage outputs"),
        .value("hint", \.hint, bounds: .within(0...1000),
               help: "weight γ of the FitNets hint loss (learned 1×1 regressors) on the pairs"),
        .parsed("pairs", \.pairs, placeholder: "S:T,…",
                help: "stage pairs STUDENT:TEACHER,… for --attention/--hint (default: each student stage with the " +
                "teacher's last stage of its spatial size)", convert: FeaturePair.parse),
        .flag("cache-teacher", \.cacheTeacher,
              help: "compute the teacher's logits on the training set once (offline distillation; needs --no-augment)"),
        .value("out", \.out, placeholder: "C", help: "student checkpoint to write"),
    ] + DatasetOption.specs().lifted(\.data) + TrainingOptionGroup.specs().lifted(\.training)
        + CommonOptions.specs.lifted(\.common)

    static func run(_ options: Options, console: Console) throws {
        let teacherPath = options.teacher
        try OutputLocations.check(files: [NamedPath("--out", options.out)],
                                  inputs: [NamedPath("--teacher", teacherPath), NamedPath("--data", options.data.path)])
        let backend = try options.common.backend(console)
        let teacher = try TrainedModel.load(teacherPath, on: backend)
        let dataset = try options.data.load(console, for: teacher)
        try TrainingOptionGroup.check(options.training, against: dataset)
        let student = try ModelFactory.student(options.architecture, width: options.width, of: teacher,
                                               seed: options.training.seed)
        let configuration = student.configuration
        let teacherLogits = options.cacheTeacher
            ? try TeacherLogitCache(logits: Evaluation.predictions(of: teacher, on: dataset.train, dataset: dataset,
                                                                   batchSize: 256, over: World.group).logits,
                                    classes: teacher.configuration.classes)
            : nil
        let decoupled = try options.decoupled(trainingImages: dataset.train.count)
        let distillation = try Distillation(teacher: teacher, student: student, temperature: options.temperature,
                                                  alpha: options.alpha, decoupled: decoupled, attention: options.attention,
                                                  hint: options.hint, pairs: options.pairs,
                                                  teacherLogits: teacherLogits, seed: options.training.seed)
        let teacherResult = try Evaluation.evaluate(teacher, on: dataset.test, dataset: dataset, over: World.group)
        console.notice("teacher \(teacher.configuration.architecture) width \(teacher.configuration.width): " +
                       String(format: "test ACC %.4f, %d parameters", teacherResult.accuracy,
                              teacher.module.parameterCount))
        console.notice("student \(configuration.architecture) width \(configuration.width): " +
                       "\(student.module.parameterCount) parameters; T = \(options.temperature), " +
                       (decoupled.map { "DKD α = \($0.alpha), β = \($0.beta), warm-up \($0.warmupSteps) steps, " +
                                        "attention β = \(options.attention)" }
                        ?? "α = \(options.alpha), β = \(options.attention)") +
                       ", γ = \(options.hint)" +
                       (distillation.pairs.isEmpty ? "" : ", stage pairs \(distillation.pairs)") +
                       (options.cacheTeacher ? ", teacher logits cached" : ""))
        let reporter = ProgressReporter(console: console)
        let summary = try Training.train(student, on: dataset, options: options.training, checkpointPath: options.out,
                                         objective: distillation.objective,
                                         auxiliaryParameters: distillation.auxiliaryParameters,
                                         progress: reporter.report)
        guard World.group.isPrimary else { return }  // rank 0 writes and reports for the job
        let teacherSize = try ModelSize(of: teacher, checkpoint: teacherPath)
        console.print(String(format: "teacher test ACC %.4f → student %.4f", teacherResult.accuracy,
                             summary.test.accuracy))
        try reportResult(summary.test, model: student, checkpoint: options.out, reference: teacherSize,
                         console: console, extra: [
                             "teacher_accuracy": teacherResult.accuracy, "teacher_auc": jsonValue(auc: teacherResult.auc),
                             "best_val_accuracy": summary.bestValidationAccuracy, "loss": options.loss.rawValue,
                             "warnings": jsonValue(warnings: summary.warnings),
                             "images_per_s": summary.imagesPerSecond, "wall_s": summary.wallSeconds,
                             "world_size": World.group.size,
                         ])
    }
}

extension DistillCommand.Options {
    /// The DKD settings for `--loss dkd` (nil for Hinton's KD), the warm-up resolved against the run's steps.
    func decoupled(trainingImages: Int) throws -> DecoupledDistillation? {
        guard loss == .dkd else { return nil }
        let warmup = dkdWarmup ?? .fraction(DecoupledDistillation.defaultWarmupFraction)
        return try DecoupledDistillation(alpha: dkdAlpha, beta: dkdBeta,
                                         warmupSteps: warmup.steps(epochs: training.epochs,
                                                                   trainingImages: trainingImages,
                                                                   batchSize: training.batchSize))
    }
}
