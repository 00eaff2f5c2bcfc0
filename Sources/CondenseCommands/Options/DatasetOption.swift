/// `--data`: the dataset a command reads, with the default every command shares.
public struct DatasetOption {
    public var path = "Data/bloodmnist.npz"

    public init() {}

    static func specs(help: String = "MedMNIST .npz file (any 2-D subset and size) or CIFAR binary folder")
        -> [OptionSpec<DatasetOption>] {
        [.value("data", \.path, placeholder: "F", help: help)]
    }
}
