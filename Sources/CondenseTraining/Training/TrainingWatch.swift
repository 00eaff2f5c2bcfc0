/// Watches a run for the signs `TrainingWarning` names. The loss is read at the end of every window of steps (a
/// tenth of an epoch, so reading it does not drain a device queue every step) and each window's mean loss is compared
/// with the previous window's; the check starts after the learning rate's warm-up (`TrainingOptions.warmupSteps`: the
/// first epoch, or the first quarter of a run shorter than 4 epochs), during which
/// the loss of a distillation objective may legitimately grow (DKD's own warm-up). After every epoch, validation
/// accuracy is compared with the epoch's training accuracy. What it sees depends only on the steps, never on
/// timing, so a seeded run reports the same warnings every time.
struct TrainingWatch {
    /// Windows per epoch at which the loss is read.
    static let windowsPerEpoch = 10
    /// A window's mean loss this many times the previous window's, and at least `minimumLossRise` higher, is a jump.
    static let lossJumpFactor = 2.0
    static let minimumLossRise = 0.5
    /// Validation accuracy more than this below the epoch's training accuracy is a gap.
    static let maximumValidationGap = 0.25

    /// Steps in a window: a tenth of an epoch, at least one.
    let windowSteps: Int
    private let warmupSteps: Int
    /// The loss sum and image count of the epoch's tally at the last window's end.
    private var lastSum = 0.0, lastImages = 0
    /// The previous window's mean loss (nil at the start of a run).
    private var lastMean: Double?
    private(set) var warnings: [TrainingWarning] = []

    init(stepsPerEpoch: Int, warmupSteps: Int) {
        windowSteps = max(1, stepsPerEpoch / Self.windowsPerEpoch)
        self.warmupSteps = warmupSteps
    }

    /// Starts an epoch's tally afresh (the previous window's mean carries over).
    mutating func startEpoch() { (lastSum, lastImages) = (0, 0) }

    /// Whether the loss is read after `step` (from 1) of an epoch of `steps`.
    func readsLoss(afterStep step: Int, of steps: Int) -> Bool { step % windowSteps == 0 || step == steps }

    /// Compares the window that ends with the tally's `meanLoss` over `images` images with the previous one; returns
    /// a warning when the loss jumped. `stepsDone` counts the run's steps so far.
    mutating func observeLoss(meanLoss: Double, images: Int, epoch: Int, step: Int,
                              stepsDone: Int) -> TrainingWarning? {
        let sum = meanLoss * Double(images)
        let mean = (sum - lastSum) / Double(images - lastImages)
        defer { (lastSum, lastImages, lastMean) = (sum, images, mean) }
        guard stepsDone > warmupSteps, let lastMean, mean.isFinite,
              mean > lastMean * Self.lossJumpFactor, mean > lastMean + Self.minimumLossRise else { return nil }
        return record(TrainingWarning(symptom: .lossJump(from: lastMean, to: mean), epoch: epoch, step: step))
    }

    /// Compares validation with training accuracy after `epoch`; returns a warning when they are far apart.
    mutating func observeEpoch(_ epoch: Int, step: Int, trainingAccuracy: Double,
                               validationAccuracy: Double) -> TrainingWarning? {
        guard trainingAccuracy - validationAccuracy > Self.maximumValidationGap else { return nil }
        return record(TrainingWarning(symptom: .validationGap(training: trainingAccuracy, validation: validationAccuracy),
                                      epoch: epoch, step: step))
    }

    private mutating func record(_ warning: TrainingWarning) -> TrainingWarning {
        warnings.append(warning)
        return warning
    }
}
