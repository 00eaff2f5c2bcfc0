import Condense
import CondenseCore
import CondenseData
import CondenseNN

/// `condense evaluate`: a checkpoint's accuracy and macro AUC on one split of a MedMNIST file.
enum EvaluateCommand: Command {
    struct Options: CommandOptions {
        var checkpoint = ""
        var split = DatasetSplit.test
        var batchSize = 256
        var logits: String?
        var data = DatasetOption()
        var common = CommonOptions()
    }

    static let name = "evaluate"
    static let usage = "evaluate --model C --data F [--split test] [--logits FILE.npy]"
    static let summary = "accuracy and macro AUC of a checkpoint on a dataset split"
    static let options: [OptionSpec<Options>] = [
        .value("model", \.checkpoint, placeholder: "C", help: "checkpoint (.safetensors) written by condense",
               required: true),
    ] + DatasetOption.specs().lifted(\.data) + [
        .value("split", \.split, help: "the split to score"),
        .value("batch", \.batchSize, bounds: .within(1...65_536), help: "batch size"),
        .value("logits", \.logits, placeholder: "F",
               help: "also write the split's logits as a float32 [images, classes] .npy"),
    ] + CommonOptions.specs.lifted(\.common)

    static func run(_ options: Options, console: Console) throws {
        let checkpoint = options.checkpoint
        try OutputLocations.check(files: [options.logits.map { NamedPath("--logits", $0) }].compactMap { $0 },
                                  inputs: [NamedPath("--model", checkpoint), NamedPath("--data", options.data.path)])
        let backend = try options.common.backend(console)
        let model = try TrainedModel.load(checkpoint, on: backend)
        let dataset = try options.data.load(console, for: model)
        let splitName = options.split.rawValue, split = options.split.images(of: dataset)
        let (result, logits) = try Evaluation.evaluateWithLogits(model, on: split, dataset: dataset,
                                                                 batchSize: options.batchSize)
        if let logitsPath = options.logits {
            try AtomicFileWriter.write(NPYArray.float32File(shape: [split.count, model.configuration.classes],
                                                            values: logits), to: logitsPath)
            console.notice("wrote the \(splitName) logits to \(logitsPath)")
        }
        try reportResult(result, model: model, checkpoint: checkpoint, console: console,
                         extra: ["split": splitName, "images_per_s": result.imagesPerSecond])
    }
}
