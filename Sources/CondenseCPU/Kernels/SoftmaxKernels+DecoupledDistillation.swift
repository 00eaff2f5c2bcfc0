extension SoftmaxKernels {
    /// Decoupled knowledge distillation (DKD, Zhao et al., CVPR 2022), returned as its three batch-mean terms
    /// `(α·T²·TCKD, β·T²·NCKD, CE)` (the loss is their sum). With `p = softmax(z/T)`: TCKD is the KL divergence of
    /// the teacher's binary split `(p_y, 1 − p_y)` from the student's, NCKD the KL divergence over the non-target
    /// classes renormalised, CE the plain cross entropy of the student.
    ///
    /// Each row is summed over its non-target classes only, shifted by their maximum, and the target enters through
    /// its log-odds against the rest, `d = z_y − log Σ_{k≠y} e^{z_k}`: `log p_y = −softplus(−d)` and
    /// `log(1 − p_y) = −softplus(d)`, so a target whose probability rounds to 1 (1 − p_y below float epsilon) still
    /// gives finite, exact terms and gradients. Writes the gradient with respect to the student logits to
    /// `gradStudent` unless nil: off the label `(T·(α·Δ + β)·q̂ₛ − T·β·q̂ₜ + σ(−d₁)·r)/B` with `q̂` the non-target
    /// softmax at T, `r` at temperature 1, `Δ = σ(dₜ) − σ(dₛ)` and `d₁` the student's log-odds at T = 1; at the
    /// label `(−T·α·Δ − σ(−d₁))/B`.
    /// - Throws: `CondenseError.invalidArgument` for a label outside `[0, classes)`, before writing anything.
    public static func decoupledDistillation<T: SoftmaxReal>(
        student s: UnsafePointer<T>, teacher t: UnsafePointer<T>, labels: UnsafePointer<Int32>, rows: Int,
        classes k: Int, temperature: T, alpha: T, beta: T, gradStudent: UnsafeMutablePointer<T>?
    ) throws -> (tckd: T, nckd: T, ce: T) {
        try checkLabels("decoupledDistillationLoss", labels, rows: rows, classes: k)
        let invB = 1 / T(rows), invT = 1 / temperature
        let scales = DecoupledScales(temperature: temperature, alpha: alpha, beta: beta)
        var rowTerms = [T](repeating: 0, count: 3 * rows)
        rowTerms.withUnsafeMutableBufferPointer { terms in
            forEachRow(rows, classes: k) { row in
                let x = s + row * k, u = t + row * k, label = Int(labels[row])
                var ms = -T.infinity, mt = -T.infinity
                for j in 0..<k where j != label {
                    ms = max(ms, x[j])
                    mt = max(mt, u[j])
                }
                let (teacherSum, studentSumT, studentSum, weighted) = distillationSums(x, u, k, ms: ms, mt: mt,
                                                                                       invT: invT, skipping: label)
                let dt = (u[label] - mt) * invT - T.referenceLog(teacherSum)
                let ds = (x[label] - ms) * invT - T.referenceLog(studentSumT)
                let d1 = (x[label] - ms) - T.referenceLog(studentSum)
                let tckd = sigmoid(dt) * (softplus(-ds) - softplus(-dt)) + sigmoid(-dt) * (softplus(ds) - softplus(dt))
                let nckd = weighted / teacherSum - T.referenceLog(teacherSum) + T.referenceLog(studentSumT)
                terms[3 * row] = scales.tckd * tckd
                terms[3 * row + 1] = scales.nckd * nckd
                terms[3 * row + 2] = softplus(-d1)
                guard let gradStudent else { return }
                let g = gradStudent + row * k
                let difference = targetProbabilityDifference(teacher: dt, student: ds)
                let wrongClass = sigmoid(-d1)
                let studentWeight = (scales.tckdGradient * difference + scales.nckdGradient) / studentSumT
                let teacherWeight = scales.nckdGradient / teacherSum, ceWeight = wrongClass / studentSum
                for j in 0..<k where j != label {
                    let qs = T.referenceExp((x[j] - ms) * invT), qt = T.referenceExp((u[j] - mt) * invT)
                    let r = T.referenceExp(x[j] - ms)
                    g[j] = (qs * studentWeight - qt * teacherWeight + r * ceWeight) * invB
                }
                g[label] = (-scales.tckdGradient * difference - wrongClass) * invB
            }
        }
        var sums: (T, T, T) = (0, 0, 0)
        for row in 0..<rows {
            sums.0 += rowTerms[3 * row]
            sums.1 += rowTerms[3 * row + 1]
            sums.2 += rowTerms[3 * row + 2]
        }
        return (sums.0 * invB, sums.1 * invB, sums.2 * invB)
    }

    /// `σ(dₜ) − σ(dₛ)`, the teacher's target probability minus the student's, from their log-odds; as the
    /// difference of the complements `σ(−dₛ) − σ(−dₜ)` when the probabilities are mostly above ½, so that two
    /// targets near 1 keep their small difference.
    @inline(__always)
    static func targetProbabilityDifference<T: SoftmaxReal>(teacher dt: T, student ds: T) -> T {
        dt + ds > 0 ? sigmoid(-ds) - sigmoid(-dt) : sigmoid(dt) - sigmoid(ds)
    }

    /// `1 / (1 + e⁻ˣ)` without overflow for either sign.
    @inline(__always)
    static func sigmoid<T: SoftmaxReal>(_ x: T) -> T {
        if x >= 0 { return 1 / (1 + T.referenceExp(-x)) }
        let e = T.referenceExp(x)
        return e / (1 + e)
    }

    /// `log(1 + eˣ)` without overflow for either sign.
    @inline(__always)
    static func softplus<T: SoftmaxReal>(_ x: T) -> T {
        max(x, 0) + T.referenceLog1p(T.referenceExp(-abs(x)))
    }
}

/// DKD's loss and gradient weights from T, α and β, formed once per call as the OpenCL kernel receives them.
struct DecoupledScales<T: SoftmaxReal> {
    /// α·T² and β·T², the weights of TCKD and NCKD in the loss.
    let tckd: T, nckd: T
    /// α·T and β·T, their weights in the gradient with respect to the logits (the 1/T of z/T taken out).
    let tckdGradient: T, nckdGradient: T

    init(temperature: T, alpha: T, beta: T) {
        tckd = alpha * temperature * temperature
        nckd = beta * temperature * temperature
        tckdGradient = alpha * temperature
        nckdGradient = beta * temperature
    }
}
