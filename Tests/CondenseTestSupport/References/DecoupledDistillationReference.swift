import Foundation

/// Decoupled knowledge distillation (Zhao et al., CVPR 2022) written out from its definition in Double, one row at a
/// time, with no stabilisation beyond the max-subtracted softmax: `p = softmax(z/T)`, the binary split
/// `b = (p_y, 1 − p_y)`, the non-target softmax `q_k = p_k / (1 − p_y)` for `k ≠ y`, and
/// `TCKD = KL(bₜ ‖ bₛ)`, `NCKD = KL(qₜ ‖ qₛ)`, `CE = −log softmax(s)_y`. It forms `1 − p_y` by subtraction, so it
/// holds only for rows whose target probability stays clear of 1; the kernels are checked against it there and
/// against the JAX fixture beyond.
public enum DecoupledDistillationReference {
    /// The batch means `(α·T²·TCKD, β·T²·NCKD, CE)` of row-major `[rows, classes]` logits.
    public static func terms(student: [Double], teacher: [Double], labels: [Int32], classes: Int, temperature: Double,
                             alpha: Double, beta: Double) -> (tckd: Double, nckd: Double, ce: Double) {
        let rows = labels.count
        var tckd = 0.0, nckd = 0.0, ce = 0.0
        for row in 0..<rows {
            let range = row * classes..<(row + 1) * classes, label = Int(labels[row])
            let ps = softmax(student[range].map { $0 / temperature })
            let pt = softmax(teacher[range].map { $0 / temperature })
            let bs = [ps[label], 1 - ps[label]], bt = [pt[label], 1 - pt[label]]
            tckd += zip(bt, bs).map { $0 * log($0 / $1) }.reduce(0, +)
            for k in 0..<classes where k != label {
                let qs = ps[k] / bs[1], qt = pt[k] / bt[1]
                nckd += qt * log(qt / qs)
            }
            ce -= log(softmax(Array(student[range]))[label])
        }
        let scale = temperature * temperature / Double(rows)
        return (alpha * scale * tckd, beta * scale * nckd, ce / Double(rows))
    }

    private static func softmax(_ x: [Double]) -> [Double] {
        let m = x.max() ?? 0, e = x.map { exp($0 - m) }, sum = e.reduce(0, +)
        return e.map { $0 / sum }
    }
}
