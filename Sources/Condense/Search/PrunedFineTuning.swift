import CondenseCompress
import CondenseCore
import CondenseData
import CondenseNN

/// A distilled student cut to the channel counts a search chose: pruned (lowest-L1 channels of each group), its batch
/// norms recalibrated on 1,024 training images, and fine-tuned with Hinton distillation from the teacher (live, on
/// the recipe's augmented images); the best weights on validation are written to `checkpointPath`.
enum PrunedFineTuning {
    static func run(_ student: TrainedModel, to channels: [Int], teacher: TrainedModel, dataset: ImageDataset,
                    options: TrainingOptions, checkpointPath: String,
                    progress: (TrainingEvent) -> Void) throws -> TrainingSummary {
        let pruned = try DistillationProxy.pruned(student, to: channels)
        try BatchNormRecalibration.run(pruned, on: dataset.train, dataset: dataset, images: 1024,
                                       batchSize: options.batchSize)
        let distillation = try Distillation(teacher: teacher, student: pruned,
                                            temperature: Distillation.defaultTemperature,
                                            alpha: Distillation.defaultAlpha)
        return try Training.train(pruned, on: dataset, options: options, checkpointPath: checkpointPath,
                                  objective: distillation.objective, progress: progress)
    }
}
