import Condense
import CondenseCore
import CondenseData
import CondenseNN

/// `condense import`: turns a PyTorch/torchvision `state_dict` saved as safetensors into a Condense checkpoint (for
/// example a teacher trained elsewhere), scored on the dataset's test split.
enum ImportCommand: Command {
    struct Options: CommandOptions {
        var weights = ""
        var architecture = Architecture.resnet20  // required: the default is never used
        var width = 1.0
        var mean: [Float] = [0.5]
        var std: [Float] = [0.5]
        var out = "imported.safetensors"
        var data = DatasetOption()
        var common = CommonOptions()
    }

    static let name = "import"
    static let usage = "import --weights F --model M [--width W] [--data F] [--mean m,…] [--std s,…] --out C"
    static let summary = "make a Condense checkpoint from a PyTorch state_dict in safetensors (torchvision names)"
    static let options: [OptionSpec<Options>] = [
        .value("weights", \.weights, placeholder: "F", help: "safetensors file of a PyTorch state_dict", required: true),
        .choice("model", \.architecture, placeholder: "NAME",
                help: "architecture", required: true),
        .value("width", \.width, bounds: ModelWidth.bounds, help: "width multiplier the weights were trained with"),
    ] + DatasetOption.specs(help: "dataset giving classes, input shape and class names").lifted(\.data) + [
        .list("mean", \.mean, bounds: .within(0...1),
              help: "per-channel input mean the weights were trained with (pixels in [0, 1]): 1 or one per channel"),
        .list("std", \.std, bounds: .above(0, upTo: 10), help: "per-channel input standard deviation"),
        .value("out", \.out, placeholder: "C", help: "Condense checkpoint to write"),
    ] + CommonOptions.specs.lifted(\.common)

    static func run(_ options: Options, console: Console) throws {
        try OutputLocations.check(files: [NamedPath("--out", options.out)],
                                  inputs: [NamedPath("--weights", options.weights), NamedPath("--data", options.data.path)])
        let dataset = try options.data.load(console)
        let mean = try perChannel(options.mean, "mean", channels: dataset.channels)
        let std = try perChannel(options.std, "std", channels: dataset.channels)
        let configuration = ModelConfiguration(architecture: options.architecture, width: options.width,
                                               classes: dataset.classes, inputChannels: dataset.channels,
                                               imageSize: dataset.height)
        let backend = try options.common.backend(console)
        let model = try PyTorchImport.load(options.weights, as: configuration, normalizationMean: mean,
                                           normalizationStd: std, classNames: dataset.classNames, on: backend)
        try model.save(to: options.out)
        let result = try Evaluation.evaluate(model, on: dataset.test, dataset: dataset)
        try reportResult(result, model: model, checkpoint: options.out, console: console,
                         extra: ["weights": options.weights])
    }

    /// One value for every channel, or one per channel of the dataset.
    private static func perChannel(_ values: [Float], _ flag: String, channels: Int) throws -> [Float] {
        guard values.count == 1 || values.count == channels else {
            throw UsageError("--\(flag): expected 1 or \(channels) values, got \(values.count)")
        }
        return values.count == 1 ? Array(repeating: values[0], count: channels) : values
    }
}
