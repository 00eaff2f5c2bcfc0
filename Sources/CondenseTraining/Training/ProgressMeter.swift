import CondenseCore

/// Paces a run's step reports and measures its speed: a report at most once a second and at every epoch's last
/// step, with images per second since the start and the time the remaining steps take at that rate.
struct ProgressMeter {
    private let start = Stopwatch.now()
    private var lastReport: Double
    private let totalSteps: Int, batchSize: Int
    /// Images trained on since the start.
    private(set) var images = 0

    init(totalSteps: Int, batchSize: Int) {
        lastReport = start
        self.totalSteps = totalSteps
        self.batchSize = batchSize
    }

    /// Starts an epoch's reports afresh.
    mutating func startEpoch() { lastReport = Stopwatch.now() }

    /// Counts a step of `images` images; returns whether to report it, and if so the rate and the seconds left
    /// after `stepsDone` steps.
    mutating func step(images count: Int, stepsDone: Int,
                       endsEpoch: Bool) -> (imagesPerSecond: Double, etaSeconds: Double)? {
        images += count
        guard Stopwatch.now() - lastReport > 1 || endsEpoch else { return nil }
        lastReport = Stopwatch.now()
        let rate = Double(images) / max(lastReport - start, 1e-9)
        return (rate, Double(totalSteps - stepsDone) * Double(batchSize) / rate)
    }

    /// Seconds since the start.
    var wallSeconds: Double { Stopwatch.now() - start }
}
