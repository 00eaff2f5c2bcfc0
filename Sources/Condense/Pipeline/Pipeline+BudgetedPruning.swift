import CondenseCompress
import CondenseCore
import CondenseNN
import Foundation

/// The pruned stage under a byte budget (`PipelineSettings.budgetBytes`): instead of removing a fixed fraction of the
/// channels, the search's greedy refinement (`GreedySearch.refine` with the `DistillationProxy`, candidates in
/// `search/`) shrinks the distilled student group by group until its INT8 ONNX file fits, then the stage prunes the
/// student to the channels it chose and fine-tunes with distillation as the fixed-ratio stage does.
extension Pipeline {
    func pruneStudent(toBudget bytes: Int) throws -> StageRecord {
        let what = "\(settings.studentArchitecture) ×\(settings.studentWidth), channels searched for an INT8 ONNX " +
            "file of at most \(bytes) bytes"
        return try stage("pruned", what: "\(what), \(settings.pruneEpochs) epochs of distillation fine-tuning") {
            let student = try TrainedModel.load(path("student.safetensors"), on: backend)
            let teacher = try TrainedModel.load(path("teacher.safetensors"), on: backend)
            try Self.createFolder(path("search"))
            var proxySettings = ProxySettings()
            proxySettings.seed = settings.seed
            let proxy = try DistillationProxy(teacher: teacher, dataset: dataset, settings: proxySettings,
                                              folder: path("search"), latency: false)
            let architecture = CandidateArchitecture(architecture: settings.studentArchitecture,
                                                     width: settings.studentWidth)
            try student.save(to: proxy.checkpointPath(architecture.key))
            let start = SearchCandidate(
                architecture: architecture, parent: nil, origin: "distilled student",
                cost: try CandidateCost(of: student, calibratingOn: proxy.data, latency: false),
                proxyAccuracy: try Evaluation.evaluate(student, on: proxy.data.validation, dataset: proxy.data).accuracy,
                wallSeconds: 0)
            let budget = SearchBudget.bytes(bytes)
            let search = GreedySearch(budget: budget, options: GreedySearchOptions(architecture: architecture.architecture,
                                                                                  widths: []),
                                      evaluator: proxy, progress: { [progress] event in
                                          if case let .measured(candidate) = event {
                                              progress(.note(String(format: "   %@ (%@): proxy ACC %.4f, %d INT8 bytes",
                                                                    candidate.key, candidate.origin,
                                                                    candidate.proxyAccuracy, candidate.cost.int8Bytes)))
                                          }
                                      })
            let chosen = try search.refine(from: start)
            guard budget.admits(chosen.cost) else { throw budget.unmeetable(search.candidates) }
            var options = trainingOptions(epochs: settings.pruneEpochs)
            options.learningRate = settings.fineTuningLearningRate
            let curve = CurveRecorder(progress)
            let summary = try PrunedFineTuning.run(student, to: try proxy.channelCounts(of: chosen.architecture),
                                                   teacher: teacher, dataset: dataset, options: options,
                                                   checkpointPath: path("pruned.safetensors"), progress: curve.handle)
            return try record("pruned", model: what, file: "pruned.safetensors", test: summary.test, curve: curve)
        }
    }
}
