import CondenseCore
import Foundation

/// The figures MedMNIST reports: top-1 accuracy (ACC) and the macro average of one-vs-rest ROC AUCs.
public enum ClassificationMetrics {
    /// Fraction of rows of `probabilities` (`count × classes`, row-major) whose argmax is the label. Throws for no
    /// labels (an empty set has no accuracy) or a number of scores that is not `labels.count × classes`.
    public static func accuracy(probabilities: [Float], labels: [Int32], classes: Int) throws -> Double {
        try checkShape(probabilities, labels, classes, metric: "accuracy")
        guard !labels.isEmpty else {
            throw CondenseError.invalidArgument(op: "accuracy", "no labels to score: an empty set has no accuracy")
        }
        var correct = 0
        for (row, label) in labels.enumerated() {
            let scores = probabilities[(row * classes)..<((row + 1) * classes)]
            if let best = scores.indices.max(by: { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 > $1) }),
               best - row * classes == Int(label) { correct += 1 }
        }
        return Double(correct) / Double(labels.count)
    }

    /// Mean over classes of the ROC AUC of "this class against the rest", each computed as the Mann–Whitney
    /// statistic with ties counted half (scikit-learn's `roc_auc_score(..., multi_class="ovr", average="macro")`).
    /// Classes absent from `labels` (or present in every row) have no AUC and are skipped; when no class has one
    /// (a single class among the labels, or none) the macro AUC is undefined: nil.
    public static func macroAUC(probabilities: [Float], labels: [Int32], classes: Int) throws -> Double? {
        try checkShape(probabilities, labels, classes, metric: "AUC")
        var aucs: [Double] = []
        for c in 0..<classes {
            let scores = labels.indices.map { (score: probabilities[$0 * classes + c], positive: labels[$0] == Int32(c)) }
            let positives = scores.filter(\.positive).count, negatives = scores.count - positives
            guard positives > 0, negatives > 0 else { continue }
            let sorted = scores.sorted { $0.score < $1.score }
            var rankSum = 0.0, index = 0
            while index < sorted.count {
                var end = index
                while end + 1 < sorted.count, sorted[end + 1].score == sorted[index].score { end += 1 }
                let averageRank = Double(index + end) / 2 + 1
                rankSum += averageRank * Double(sorted[index...end].filter(\.positive).count)
                index = end + 1
            }
            let u = rankSum - Double(positives * (positives + 1)) / 2
            aucs.append(u / Double(positives * negatives))
        }
        return aucs.isEmpty ? nil : aucs.reduce(0, +) / Double(aucs.count)
    }

    /// A macro AUC as reports print it: `0.9812`, or `undefined (one class)`.
    public static func describe(auc: Double?) -> String {
        auc.map { String(format: "%.4f", $0) } ?? "undefined (one class)"
    }

    private static func checkShape(_ probabilities: [Float], _ labels: [Int32], _ classes: Int, metric: String) throws {
        guard classes >= 1, probabilities.count == labels.count * classes else {
            throw CondenseError.invalidArgument(op: metric, "expected \(labels.count) labels × \(classes) classes " +
                                                "= \(labels.count * max(classes, 0)) scores, got \(probabilities.count)")
        }
    }
}
