import Condense
import CondenseCore
import CondenseData
import CondenseNN

/// `condense evaluate`: a checkpoint's accuracy and macro AUC on one split of a MedMNIST file.
let evaluateCommand = Command(
    name: "evaluate", usage: "evaluate --model C --data F [--split test] [--logits FILE.npy]",
    summary: "accuracy and macro AUC of a checkpoint on a dataset split",
    options: [OptionSpec(name: "model", help: "checkpoint (.safetensors) written by condense"),
              OptionSpec(name: "data", help: "MedMNIST .npz file or CIFAR binary folder", defaultValue: "Data/bloodmnist.npz"),
              OptionSpec(name: "split", help: "train | val | test", defaultValue: "test"),
              OptionSpec(name: "batch", help: "batch size", defaultValue: "256"),
              OptionSpec(name: "logits", help: "also write the split's logits as a float32 [images, classes] .npy")]
        + commonOptions
) { arguments, console in
    guard let checkpoint = arguments.values["model"] else { throw UsageError("--model CHECKPOINT is required") }
    let backend = try selectBackend(arguments, console)
    let model = try TrainedModel.load(checkpoint, on: backend)
    let dataset = try loadImageDataset(arguments.values["data"]!)
    let splitName = arguments.values["split"]!
    guard let split = dataset.split(named: splitName) else {
        throw UsageError("--split: expected train, val or test, got '\(splitName)'")
    }
    let batch = try arguments.value("batch", "a positive integer") { Int($0).flatMap { $0 > 0 ? $0 : nil } } ?? 256
    let (result, logits) = try Evaluation.evaluateWithLogits(model, on: split, dataset: dataset, batchSize: batch)
    if let logitsPath = arguments.values["logits"] {
        try AtomicFileWriter.write(NPYArray.float32File(shape: [split.count, model.configuration.classes], values: logits),
                                   to: logitsPath)
        console.notice("wrote the \(splitName) logits to \(logitsPath)")
    }
    try reportResult(result, model: model, checkpoint: checkpoint, console: console,
                     extra: ["split": splitName, "images_per_s": result.imagesPerSecond])
}
