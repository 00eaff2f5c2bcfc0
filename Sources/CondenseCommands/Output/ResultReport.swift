import Condense
import CondenseCore
import CondenseNN
import Foundation

/// Prints a model's test figures and size (and `--json`'s object): accuracy, AUC, parameters, non-zero parameters,
/// checkpoint bytes, and the ratios to `reference` (the model it came from) when given.
func reportResult(_ result: EvaluationResult, model: TrainedModel, checkpoint: String, reference: ModelSize? = nil,
                  console: Console, extra: [String: Any]) throws {
    let size = ModelSizeReport(try ModelSize(of: model, checkpoint: checkpoint), reference: reference)
    console.print(String(format: "test ACC %.4f  AUC %@  checkpoint %@", result.accuracy,
                         ClassificationMetrics.describe(auc: result.auc), checkpoint))
    console.print(size.summary)
    try console.emit(extra.merging(size.jsonFields) { $1 }.merging(["accuracy": result.accuracy,
                                                                    "auc": jsonValue(auc: result.auc),
                                                                    "checkpoint": checkpoint]) { $1 })
}

/// An AUC for `--json`: the number, or `null` where it is undefined (one class among the labels scored).
func jsonValue(auc: Double?) -> Any { auc ?? NSNull() }

/// A run's training warnings for `--json`: one sentence each, in order (empty for a healthy run).
func jsonValue(warnings: [TrainingWarning]?) -> [String] { (warnings ?? []).map(\.description) }
