import CondenseCore
import CondenseData
import Foundation

/// `condense data import|info`: an image folder or CSV manifest written as one MedMNIST `.npz` to ship, or
/// described — classes, images per split and class, sizes, channels, and the files skipped and ignored.
enum DataCommand: Command {
    /// What `data` does.
    enum Action: String, ChoiceArgument {
        case `import`, info
    }

    struct Options: CommandOptions {
        var action: Action?
        var data = DatasetOption()
        var out: String?
        var common = CommonOptions()

        func validate() throws {
            if action == .info, out != nil { throw UsageError("--out goes with data import, not data info") }
            if action == .import, out == nil { throw UsageError("data import needs --out FILE.npz") }
        }
    }

    static let name = "data"
    static let usage = "data import|info --data DIR|CSV [--out FILE.npz] [--image-size S]"
    static let summary = "write an image folder or CSV manifest as one MedMNIST .npz, or describe what it holds"
    static let positional: PositionalSpec<Options>? = .choice(\.action)
    static let options: [OptionSpec<Options>] = DatasetOption.specs(
        help: "folder of class folders (or train/val/test folders) of PNG/JPEG/DICOM images, or CSV path,label[,split]"
    ).lifted(\.data) + [
        .value("out", \.out, placeholder: "F", help: "data import: the .npz to write"),
        CommonOptions.jsonSpec.lifted(\.common),
    ]

    static func run(_ options: Options, console: Console) throws {
        guard let action = options.action else { throw UsageError("expected an action: import or info") }
        let source = options.data.path
        guard isImageSource(source) else {
            throw UsageError("--data: '\(source)' is not an image folder or a .csv manifest (a .npz or CIFAR folder " +
                             "is read by every command as it is)")
        }
        if let out = options.out {
            try OutputLocations.check(files: [NamedPath("--out", out)], inputs: [NamedPath("--data", source)])
        }
        let (dataset, summary) = try ImageFolderLoader.load(source, options: options.data.images,
                                                            observer: ImportProgress.observer(console))
        switch action {
        case .import:
            let out = options.out!
            try MedMNISTWriter.write(dataset, to: out)
            console.print("wrote \(out): \(dataset.classes) classes, \(dataset.train.count) train / " +
                          "\(dataset.validation.count) val / \(dataset.test.count) test images of " +
                          "\(dataset.channels)×\(dataset.height)×\(dataset.width)")
            try console.emit(["out": out, "classes": dataset.classNames, "train": dataset.train.count,
                              "val": dataset.validation.count, "test": dataset.test.count,
                              "image_size": dataset.height, "channels": dataset.channels,
                              "skipped": summary.skipped.count])
        case .info:
            console.print(describe(summary))
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            let object = try JSONSerialization.jsonObject(with: try encoder.encode(summary))
            try console.emit(object as? [String: Any] ?? [:])
        }
    }

    /// The summary as text: a table of images per class and split, then sizes, channels, skipped and ignored files.
    static func describe(_ summary: ImportSummary) -> String {
        let splits = ["train", "val", "test"], width = max(5, summary.classNames.map(\.count).max() ?? 0) + 2
        var lines = ["\(summary.source): \(summary.classNames.count) classes, split \(summary.split)",
                     "  " + "class".padding(to: width) + splits.map { $0.padding(to: 8) }.joined()]
        for (label, name) in summary.classNames.enumerated() {
            lines.append("  " + name.padding(to: width) +
                         splits.map { String(summary.counts[$0]?[label] ?? 0).padding(to: 8) }.joined())
        }
        let sizes = summary.sizes.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) (\($0.value))" }
        lines.append("sizes: " + sizes.joined(separator: ", ") + "; imported at \(summary.imageSize)×\(summary.imageSize)")
        lines.append("channels: \(summary.channelsFound["1"] ?? 0) grey, \(summary.channelsFound["3"] ?? 0) colour; " +
                     "imported as \(summary.channels == 1 ? "grey" : "RGB")")
        lines.append("skipped as bad: \(summary.skipped.count)")
        lines += summary.skipped.map { "  \($0.path): \($0.reason)" }
        lines.append("ignored as not images: \(summary.ignored.count)" +
                     (summary.ignored.isEmpty ? "" : " (\(summary.ignored.prefix(5).joined(separator: ", "))" +
                                                     (summary.ignored.count > 5 ? ", …)" : ")")))
        return lines.joined(separator: "\n")
    }
}
