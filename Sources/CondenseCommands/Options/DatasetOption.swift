import CondenseData
import CondenseNN

/// `--data` and how an image folder or CSV becomes a dataset (`--image-size`, `--data-split`, `--split-seed`,
/// `--window`, `--skip-bad`), with the defaults every command shares.
public struct DatasetOption {
    public var path = "Data/bloodmnist.npz"
    public var images = ImageFolderOptions()
    /// `--data-split` and `--split-seed` as given (nil: the model's recorded split, else the default).
    public var splitFractions: SplitFractions?
    public var splitSeed: UInt64?

    public init() {}

    static func specs(help: String = "MedMNIST .npz file (any 2-D subset and size), CIFAR binary folder, folder of " +
                                     "class folders of PNG/JPEG/DICOM images, or CSV manifest path,label[,split]")
        -> [OptionSpec<DatasetOption>] {
        [
            .value("data", \.path, placeholder: "F", help: help),
            .value("image-size", \.images.imageSize, bounds: .within(1...1024),
                   help: "image folders: side to resize to (default: the most common size, at most " +
                         "\(ImageFolderOptions.defaultSideCap))"),
            .value("data-split", \.splitFractions, help: "image folders without split folders: train,val,test " +
                   "fractions per class (default: the model's recorded split, else \(SplitFractions.standard))"),
            .value("split-seed", \.splitSeed, help: "image folders: seed of the stratified split (default: the " +
                   "model's recorded seed, else 0)"),
            .value("window", \.images.window,
                   help: "DICOM: VOI window center,width (default: the file's, else min–max)"),
            .flag("skip-bad", \.images.skipBad,
                  help: "image folders: skip unreadable images (counted, listed by condense data info)"),
        ]
    }

    /// The dataset at `--data`, telling progress and notices on `console`'s standard error. For a command scoring or
    /// refining `model`, an image folder is imported as the model saw it: at its input size and with the split its
    /// checkpoint records, unless the flags say otherwise (then a notice says the test images may differ).
    func load(_ console: Console, for model: TrainedModel? = nil) throws -> ImageDataset {
        var images = self.images
        let recorded = model?.dataSplit.flatMap(DataSplit.init(parsing:))
        images.imageSize = images.imageSize ?? model?.configuration.imageSize
        images.split = DataSplit(fractions: splitFractions ?? recorded?.fractions ?? SplitFractions.standard,
                                 seed: splitSeed ?? recorded?.seed ?? 0)
        let dataset = try loadImageDataset(path, images: images, observer: ImportProgress.observer(console))
        if let recorded, let drawn = dataset.drawnSplit, drawn != recorded {
            console.notice("note: the model was trained on the split \(recorded) of its folder; this is \(drawn), so " +
                           "its test images may include training images")
        }
        return dataset
    }
}

extension SplitFractions: ArgumentValue {
    public init?(argument text: String) { self.init(parsing: text) }
    public static var expectation: String { "three fractions train,val,test, each in (0, 1), summing to 1" }
    public static var placeholder: String { "T,V,E" }
    public var argumentText: String { description }
}

extension DicomWindow: ArgumentValue {
    public init?(argument text: String) { self.init(parsing: text) }
    public static var expectation: String { "center,width in the image's units (HU for CT), width at least 1" }
    public static var placeholder: String { "C,W" }
    public var argumentText: String { "\(center),\(width)" }
}
