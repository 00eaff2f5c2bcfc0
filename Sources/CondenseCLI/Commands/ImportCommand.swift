import Condense
import CondenseCore
import CondenseData
import CondenseNN

/// `condense import`: turns a PyTorch/torchvision `state_dict` saved as safetensors into a Condense checkpoint (for
/// example a teacher trained elsewhere), scored on the dataset's test split.
let importCommand = Command(
    name: "import", usage: "import --weights F --model M [--width W] [--data F] [--mean m,…] [--std s,…] --out C",
    summary: "make a Condense checkpoint from a PyTorch state_dict in safetensors (torchvision names)",
    options: [OptionSpec(name: "weights", help: "safetensors file of a PyTorch state_dict"),
              OptionSpec(name: "model", help: ModelConfiguration.architectures.joined(separator: " | ")),
              OptionSpec(name: "width", help: "width multiplier the weights were trained with", defaultValue: "1"),
              OptionSpec(name: "data", help: "dataset giving classes, input shape and class names",
                         defaultValue: "Data/bloodmnist.npz"),
              OptionSpec(name: "mean", help: "per-channel input mean the weights were trained with (pixels in [0, 1])",
                         defaultValue: "0.5"),
              OptionSpec(name: "std", help: "per-channel input standard deviation", defaultValue: "0.5"),
              OptionSpec(name: "out", help: "Condense checkpoint to write", defaultValue: "imported.safetensors")]
        + commonOptions
) { arguments, console in
    guard let weights = arguments.values["weights"] else { throw UsageError("--weights FILE is required") }
    guard let architecture = arguments.values["model"] else { throw UsageError("--model is required") }
    let dataset = try loadImageDataset(arguments.values["data"]!)
    func perChannel(_ name: String) throws -> [Float] {
        let values: [Float] = try arguments.value(name, "comma-separated numbers") { text -> [Float]? in
            let items = text.split(separator: ",")
            let numbers = items.compactMap { Float($0) }
            return numbers.count == items.count ? numbers : nil
        } ?? []
        guard values.count == 1 || values.count == dataset.channels else {
            throw UsageError("--\(name): expected 1 or \(dataset.channels) values, got \(values.count)")
        }
        return values.count == 1 ? Array(repeating: values[0], count: dataset.channels) : values
    }
    let configuration = ModelConfiguration(
        architecture: architecture, width: try arguments.value("width", "a positive number") { Double($0) } ?? 1,
        classes: dataset.classes, inputChannels: dataset.channels, imageSize: dataset.height)
    let backend = try selectBackend(arguments, console)
    let model = try PyTorchImport.load(weights, as: configuration, normalizationMean: try perChannel("mean"),
                                       normalizationStd: try perChannel("std"), classNames: dataset.classNames,
                                       on: backend)
    let out = arguments.values["out"]!
    try model.save(to: out)
    let result = try Evaluation.evaluate(model, on: dataset.test, dataset: dataset)
    try reportResult(result, model: model, checkpoint: out, console: console, extra: ["weights": weights])
}
