import CondenseCompress
import CondenseCore
import CondenseData
import CondenseNN
import Foundation

/// What a search produced.
public struct SearchResult: Sendable {
    public let document: SearchDocument
    /// `search.json` and the chart, in the output folder.
    public let recordPath: String
    public let chartPath: String
}

/// `condense search`: the most accurate student within a budget. Measures candidates (`GreedySearch` with the
/// `DistillationProxy`, refinement starting from the start width's fully distilled student), trains the best `fullyTrained` of those within the budget as `condense run` trains its
/// student (`FullTraining`), scores them on the test split, reports how the proxy ranked them (Spearman), picks the
/// one with the best validation accuracy whose INT8 file fits, and exports it as `condense run` does. The folder is
/// locked while it works; a rerun skips measured candidates and trained ones.
public final class ArchitectureSearch {
    public let settings: SearchSettings
    public let teacher: TrainedModel
    public let dataset: ImageDataset
    public let folder: URL
    private let progress: (SearchEvent) -> Void
    private let training: (TrainingEvent) -> Void
    private let lock: RunFolderLock
    private var document: SearchDocument

    /// Opens and locks `folder` (created if needed) and reads an earlier search there, refusing one with other
    /// settings.
    public init(settings: SearchSettings, teacher: TrainedModel, dataset: ImageDataset, folder: String,
                progress: @escaping (SearchEvent) -> Void, training: @escaping (TrainingEvent) -> Void) throws {
        self.settings = settings
        self.teacher = teacher
        self.dataset = dataset
        self.folder = URL(fileURLWithPath: folder, isDirectory: true)
        self.progress = progress
        self.training = training
        for sub in ["", "/candidates", "/students", "/full"] { try Pipeline.createFolder(folder + sub) }
        lock = try RunFolderLock(folder: folder)
        let recordPath = self.folder.appendingPathComponent("search.json").path
        document = SearchDocument(settings: settings.recorded)
        if let earlier = try SearchDocument.read(recordPath) {
            let changed = settings.recorded.filter { earlier.settings[$0.key] != $0.value }.keys.sorted()
            guard changed.isEmpty else {
                throw CondenseError.file(path: recordPath, "an earlier search in \(folder) used other settings (" +
                                         changed.map { "\($0): \(earlier.settings[$0] ?? "none") → " +
                                                       "\(settings.recorded[$0]!)" }.joined(separator: "; ") +
                                         "); choose another --out folder or delete this one to start over")
            }
            document = earlier
        }
    }

    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    public func run() throws -> SearchResult {
        let start = Stopwatch.now()
        let earlierSeconds = document.wallSeconds
        let deadline = settings.timeLimitMinutes.map { start + $0 * 60 }
        let proxy = try DistillationProxy(teacher: teacher, dataset: dataset, settings: settings.proxy,
                                          folder: path("candidates"), latency: settings.budget.needsLatency,
                                          progress: training)
        let full = FullTraining(settings: settings, teacher: teacher, dataset: dataset, folder: folder,
                                progress: training)
        proxy.startingWeights = { [teacher] architecture in
            try TrainedModel.load(full.path(try full.distilledStudent(architecture)), on: teacher.module.backend)
        }
        var options = GreedySearchOptions(architecture: settings.architecture, widths: settings.gridWidths)
        options.trials = settings.trials
        options.depths = settings.gridDepths
        options.proposalsPerRound = settings.proposalsPerRound
        options.sensitivityRatio = settings.sensitivityRatio
        options.roundReduction = settings.roundReduction
        options.minimumRoundReduction = settings.minimumRoundReduction
        options.landingMargin = settings.landingMargin
        let known = document.candidates.filter { FileManager.default.fileExists(atPath: proxy.checkpointPath($0.key)) }
        var timeRanOut = false
        let search = GreedySearch(budget: settings.budget, options: options, evaluator: proxy, known: known,
                                  shouldStop: {
                                      timeRanOut = deadline.map { Stopwatch.now() >= $0 } ?? false
                                      return timeRanOut
                                  }) { [self] event in
            if case let .measured(candidate) = event { try? record(candidate, start: start, earlier: earlierSeconds) }
            progress(event)
        }
        try search.run()
        document.candidates = search.candidates
        document.pareto = settings.budget.paretoFront(search.candidates)
        let fitting = search.candidates.filter { settings.budget.admits($0.cost) }
        guard !fitting.isEmpty else {
            try save(start: start, earlier: earlierSeconds)
            throw settings.budget.unmeetable(search.candidates)
        }
        let count = timeRanOut ? 1 : settings.fullyTrained
        let best = fitting.sorted { ($0.proxyAccuracy, $1.key) > ($1.proxyAccuracy, $0.key) }.prefix(count)
        for (index, candidate) in best.enumerated() {
            if let done = document.full.first(where: { $0.key == candidate.key }),
               FileManager.default.fileExists(atPath: path(done.int8Checkpoint)) {
                progress(.note("full training \(index + 1)/\(best.count): \(candidate.key) done earlier"))
                continue
            }
            progress(.note("full training \(index + 1)/\(best.count): \(candidate.key) (proxy " +
                           String(format: "%.4f", candidate.proxyAccuracy) + ")"))
            let trained = try full.run(candidate)
            document.full.removeAll { $0.key == trained.key }
            document.full.append(trained)
            progress(.note(String(format: "   %@: test ACC %.4f, validation %.4f, INT8 ONNX %d bytes", trained.key,
                                  trained.testAccuracy, trained.validationAccuracy, trained.int8Bytes)))
            try save(start: start, earlier: earlierSeconds)
        }
        let trained = best.compactMap { candidate in document.full.first { $0.key == candidate.key } }
        document.spearman = spearmanCorrelation(trained.map(\.proxyAccuracy), trained.map(\.testAccuracy))
        try choose(from: trained)
        try save(start: start, earlier: earlierSeconds)
        let chart = path("search.svg")
        try SearchChart(budget: settings.budget, document: document).chart().write(to: chart)
        return SearchResult(document: document, recordPath: path("search.json"), chartPath: chart)
    }

    /// Picks the fully trained candidate with the best validation accuracy whose INT8 file (or cost) fits, and
    /// exports it beside `search.json`.
    private func choose(from trained: [FullTrainingRecord]) throws {
        let fits = trained.filter { record in
            if case let .bytes(limit) = settings.budget { return record.int8Bytes <= limit }
            return true
        }
        guard let chosen = fits.max(by: { ($0.validationAccuracy, $1.key) < ($1.validationAccuracy, $0.key) }),
              let candidate = document.candidates.first(where: { $0.key == chosen.key }) else {
            throw CondenseError.invalidArgument(op: "search", "no fully trained candidate's INT8 file fits \(settings.budget) " +
                                                "(their files: " + trained.map { "\($0.key) \($0.int8Bytes) bytes" }
                                                .joined(separator: ", ") + "); raise the budget a little")
        }
        try DeploymentExports.write(float: path(chosen.floatCheckpoint), int8: path(chosen.int8Checkpoint),
                                    into: folder, on: try teacher.module.backend) { progress(.note($0)) }
        document.chosen = SearchDocument.Chosen(key: chosen.key, architecture: candidate.architecture,
                                                checkpoint: chosen.int8Checkpoint, int8Bytes: chosen.int8Bytes,
                                                testAccuracy: chosen.testAccuracy,
                                                exports: DeploymentExports.files.map(\.name))
    }

    /// Adds a measured candidate to `search.json` at once, so an interrupted search keeps it.
    private func record(_ candidate: SearchCandidate, start: Double, earlier: Double) throws {
        document.candidates.removeAll { $0.key == candidate.key }
        document.candidates.append(candidate)
        try save(start: start, earlier: earlier)
    }

    private func save(start: Double, earlier: Double) throws {
        document.wallSeconds = earlier + Stopwatch.now() - start
        try document.write(to: path("search.json"))
    }
}
