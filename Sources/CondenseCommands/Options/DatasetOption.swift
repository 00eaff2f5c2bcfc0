import CondenseData

/// `--data` and how an image folder or CSV becomes a dataset (`--image-size`, `--data-split`, `--split-seed`,
/// `--window`, `--skip-bad`), with the defaults every command shares.
public struct DatasetOption {
    public var path = "Data/bloodmnist.npz"
    public var images = ImageFolderOptions()

    public init() {}

    static func specs(help: String = "MedMNIST .npz file (any 2-D subset and size), CIFAR binary folder, folder of " +
                                     "class folders of PNG/JPEG/DICOM images, or CSV manifest path,label[,split]")
        -> [OptionSpec<DatasetOption>] {
        [
            .value("data", \.path, placeholder: "F", help: help),
            .value("image-size", \.images.imageSize, bounds: .within(1...1024),
                   help: "image folders: side to resize to (default: the most common size, at most " +
                         "\(ImageFolderOptions.defaultSideCap))"),
            .value("data-split", \.images.splitFractions,
                   help: "image folders without split folders: train,val,test fractions per class"),
            .value("split-seed", \.images.splitSeed, help: "image folders: seed of the stratified split"),
            .value("window", \.images.window,
                   help: "DICOM: VOI window center,width (default: the file's, else min–max)"),
            .flag("skip-bad", \.images.skipBad,
                  help: "image folders: skip unreadable images (counted, listed by condense data info)"),
        ]
    }

    /// The dataset at `--data`, telling progress and notices on `console`'s standard error.
    func load(_ console: Console) throws -> ImageDataset {
        try loadImageDataset(path, images: images, observer: ImportProgress.observer(console))
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
