import CondenseCore
import CondenseData
import CondenseNN

/// Freshly initialized models, set up for the data they will see.
public enum ModelFactory {
    /// A model for `dataset`: its classes, input shape and class names, normalized with its training split's
    /// per-channel statistics (stored in the checkpoint), recording the split an image-folder import drew.
    public static func model(_ architecture: Architecture, width: Double, for dataset: ImageDataset, seed: UInt64,
                             on backend: Backend) throws -> TrainedModel {
        guard dataset.height == dataset.width else {
            throw CondenseError.file(path: dataset.name, "images are \(dataset.height)×\(dataset.width); square images expected")
        }
        let configuration = ModelConfiguration(architecture: architecture, width: width, classes: dataset.classes,
                                               inputChannels: dataset.channels, imageSize: dataset.height)
        let normalization = Normalization(of: dataset.train, channels: dataset.channels)
        let model = TrainedModel(configuration: configuration, module: try configuration.build(on: backend, seed: seed),
                                 normalizationMean: normalization.mean, normalizationStd: normalization.std,
                                 classNames: dataset.classNames)
        model.dataSplit = dataset.drawnSplit?.description
        return model
    }

    /// A student for `teacher`: the same classes, input shape, normalization, class names and data split, on its
    /// backend; `blocksPerStage` makes it shallower than its family (`ModelConfiguration.blocksPerStage`).
    public static func student(_ architecture: Architecture, width: Double, blocksPerStage: [Int]? = nil,
                               of teacher: TrainedModel, seed: UInt64) throws -> TrainedModel {
        let t = teacher.configuration
        let configuration = ModelConfiguration(architecture: architecture, width: width, classes: t.classes,
                                               inputChannels: t.inputChannels, imageSize: t.imageSize,
                                               blocksPerStage: blocksPerStage)
        let backend = try teacher.module.backend
        return teacher.derived(configuration: configuration, module: try configuration.build(on: backend, seed: seed))
    }
}
