/// One split of an image classification dataset: uint8 pixels in NCHW order and int32 labels.
public struct ImageSplit: Sendable {
    /// `count × channels × height × width` bytes, NCHW.
    public let pixels: [UInt8]
    public let labels: [Int32]

    public init(pixels: [UInt8], labels: [Int32]) {
        self.pixels = pixels
        self.labels = labels
    }

    public var count: Int { labels.count }
}

/// An image classification dataset with train, validation and test splits (MedMNIST, CIFAR).
public struct ImageDataset: Sendable {
    /// Short name (`bloodmnist`), from the file name.
    public let name: String
    public let channels: Int, height: Int, width: Int
    public let classNames: [String]
    public let train: ImageSplit, validation: ImageSplit, test: ImageSplit
    /// The split an image-folder import drew (nil when the source gave every split, as MedMNIST and CIFAR do).
    public var drawnSplit: DataSplit?

    public init(name: String, channels: Int, height: Int, width: Int, classNames: [String], train: ImageSplit,
                validation: ImageSplit, test: ImageSplit) {
        self.name = name
        self.channels = channels
        self.height = height
        self.width = width
        self.classNames = classNames
        self.train = train
        self.validation = validation
        self.test = test
    }

    public var classes: Int { classNames.count }

    /// The split called `train`, `val`/`validation` or `test`.
    public func split(named name: String) -> ImageSplit? {
        switch name {
        case "train": train
        case "val", "validation": validation
        case "test": test
        default: nil
        }
    }
}
