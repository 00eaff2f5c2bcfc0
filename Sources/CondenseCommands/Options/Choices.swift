import Condense
import CondenseCompress
import CondenseData
import CondenseNN

/// A split of a dataset; `validation` is accepted for `val`.
public enum DatasetSplit: String, ChoiceArgument {
    case train, val, test

    public init?(argument text: String) {
        self.init(rawValue: text == "validation" ? "val" : text)
    }

    /// This split of `dataset`.
    func images(of dataset: ImageDataset) -> ImageSplit {
        switch self {
        case .train: dataset.train
        case .val: dataset.validation
        case .test: dataset.test
        }
    }
}

extension Architecture: ChoiceArgument {}

extension DistillationLossKind: ChoiceArgument {}

extension PipelinePreset: ChoiceArgument {}

extension OptimizerKind: ChoiceArgument {}

extension ExportFormat: ChoiceArgument {}

extension PruningScope: ChoiceArgument {}
