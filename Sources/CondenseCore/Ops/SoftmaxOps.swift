/// Softmax with temperature, cross entropy and the fused Hinton and decoupled distillation losses, on rows of
/// logits `[B, K]` (float32, B ≥ 1, K ≥ 1), with PyTorch's conventions (ARCHITECTURE.md §4). Every softmax is
/// max-subtracted, so logits of any magnitude give finite results.
///
/// Validation is shared (`SoftmaxValidation`): both backends reject the same bad input with the same error before
/// doing any work.
public protocol SoftmaxOps {
    /// `output = softmax(logits / T)` along each row.
    func softmax(logits: Tensor, temperature: Float, output: Tensor) throws

    /// Cross entropy with label smoothing ε (PyTorch `cross_entropy(z, y, label_smoothing=ε)`, mean over the batch):
    /// target `q = (1 − ε)·onehot(y) + ε/K`, `loss = mean_b −Σₖ qₖ·log_softmax(z)ₖ` written to a 1-element tensor,
    /// and, unless `gradLogits` is nil, `gradLogits = (softmax(z) − q) / B`.
    ///
    /// `labels` is int32 `[B]`. The CPU backend throws for a label outside `[0, K)`; the OpenCL backend cannot check
    /// without a read-back, so it validates nothing on the device (the index is clamped so no kernel reads out of
    /// bounds, and the result for such a row is meaningless): the data loader checks labels.
    func crossEntropy(logits: Tensor, labels: Tensor, labelSmoothing: Float, loss: Tensor, gradLogits: Tensor?) throws

    /// The fused Hinton distillation loss in one pass over the logits:
    /// `L = α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(s, y)`, KL summed over classes and averaged over the
    /// batch (PyTorch `kl_div(log_softmax(s/T), softmax(t/T), reduction="batchmean")`), CE the mean cross entropy
    /// without smoothing. Writes `L` to the 1-element `loss`; unless nil, the gradient with respect to the student
    /// logits `α·T·(softmax(s/T) − softmax(t/T))/B + (1 − α)·(softmax(s) − onehot(y))/B` to `gradStudent`, and the
    /// two terms `[α·T²·KL, (1 − α)·CE]` to the 2-element `terms`. Labels as in `crossEntropy`.
    func distillationLoss(student: Tensor, teacher: Tensor, labels: Tensor, temperature: Float, alpha: Float,
                          loss: Tensor, gradStudent: Tensor?, terms: Tensor?) throws

    /// The fused decoupled distillation loss (DKD, Zhao et al., CVPR 2022; mdistiller's formula) in one pass over the
    /// logits: `L = α·T²·TCKD + β·T²·NCKD + CE(s, y)`, with `p = softmax(z/T)`, TCKD the KL divergence of the
    /// teacher's binary split `(p_y, 1 − p_y)` from the student's, NCKD the KL divergence of the teacher's non-target
    /// probabilities renormalised `p_k/(1 − p_y)`, `k ≠ y`, from the student's, both summed per row and averaged over
    /// the batch, CE the mean cross entropy without smoothing. Stable where `1 − p_y` underflows (the terms come from
    /// the target's log-odds against the non-target classes, never from `1 − p_y`). A warm-up scales α and β.
    /// Writes `L` to the 1-element `loss`; unless nil, the gradient with respect to the student logits to
    /// `gradStudent` and the three terms `[α·T²·TCKD, β·T²·NCKD, CE]` to the 3-element `terms`. Needs K ≥ 2.
    /// Labels as in `crossEntropy`.
    func decoupledDistillationLoss(student: Tensor, teacher: Tensor, labels: Tensor, temperature: Float, alpha: Float,
                                   beta: Float, loss: Tensor, gradStudent: Tensor?, terms: Tensor?) throws
}

public extension SoftmaxOps {
    /// The distillation loss and its gradient without the separate terms.
    func distillationLoss(student: Tensor, teacher: Tensor, labels: Tensor, temperature: Float, alpha: Float,
                          loss: Tensor, gradStudent: Tensor?) throws {
        try distillationLoss(student: student, teacher: teacher, labels: labels, temperature: temperature,
                             alpha: alpha, loss: loss, gradStudent: gradStudent, terms: nil)
    }
}

/// The extents of a softmax problem: `rows` (batch B) rows of `classes` (K) logits.
public struct SoftmaxRows: Equatable, Sendable {
    public let rows: Int
    public let classes: Int

    public init(rows: Int, classes: Int) {
        self.rows = rows
        self.classes = classes
    }
}

/// The checks every `SoftmaxOps` method runs first on both backends: dtypes, backends, shapes, parameter domains.
public enum SoftmaxValidation {
    /// `softmax`: logits `[B, K]`, output of the same shape, T > 0.
    public static func forward(_ op: String, logits: Tensor, temperature: Float, output: Tensor,
                               on backend: Backend) throws -> SoftmaxRows {
        let extents = try matrix(op, "logits", logits, on: backend)
        try requireSameShape(op, "output", output, as: logits, on: backend)
        try checkTemperature(op, temperature)
        return extents
    }

    /// `crossEntropy`: logits `[B, K]`, labels int32 `[B]`, loss 1 element, gradLogits `[B, K]`, 0 ≤ ε < 1.
    public static func crossEntropy(logits: Tensor, labels: Tensor, labelSmoothing: Float, loss: Tensor,
                                    gradLogits: Tensor?, on backend: Backend) throws -> SoftmaxRows {
        let op = "crossEntropy"
        let extents = try matrix(op, "logits", logits, on: backend)
        try checkLabels(op, labels, rows: extents.rows, on: backend)
        try checkScalars(op, "loss", loss, count: 1, on: backend)
        if let gradLogits { try requireSameShape(op, "gradLogits", gradLogits, as: logits, on: backend) }
        guard labelSmoothing >= 0, labelSmoothing < 1 else {
            throw CondenseError.invalidArgument(op: op, "labelSmoothing must lie in [0, 1), got \(labelSmoothing)")
        }
        return extents
    }

    /// `distillationLoss`: student and teacher `[B, K]`, labels int32 `[B]`, loss 1 element, gradStudent `[B, K]`,
    /// terms 2 elements, T > 0, 0 ≤ α ≤ 1.
    public static func distillation(student: Tensor, teacher: Tensor, labels: Tensor, temperature: Float,
                                    alpha: Float, loss: Tensor, gradStudent: Tensor?, terms: Tensor?,
                                    on backend: Backend) throws -> SoftmaxRows {
        let op = "distillationLoss"
        let extents = try matrix(op, "student", student, on: backend)
        try checkDistillationOperands(op, student: student, teacher: teacher, labels: labels, rows: extents.rows,
                                      temperature: temperature, loss: loss, gradStudent: gradStudent, terms: terms,
                                      termCount: 2, on: backend)
        guard alpha >= 0, alpha <= 1 else {
            throw CondenseError.invalidArgument(op: op, "alpha must lie in [0, 1], got \(alpha)")
        }
        return extents
    }

    /// `decoupledDistillationLoss`: student and teacher `[B, K]` with K ≥ 2, labels int32 `[B]`, loss 1 element,
    /// gradStudent `[B, K]`, terms 3 elements, T > 0, α, β ≥ 0 and finite.
    public static func decoupledDistillation(student: Tensor, teacher: Tensor, labels: Tensor, temperature: Float,
                                             alpha: Float, beta: Float, loss: Tensor, gradStudent: Tensor?,
                                             terms: Tensor?, on backend: Backend) throws -> SoftmaxRows {
        let op = "decoupledDistillationLoss"
        let extents = try matrix(op, "student", student, on: backend)
        guard extents.classes >= 2 else {
            throw CondenseError.shapeMismatch(op: op, expected: "student of shape [B, K] with K ≥ 2 (DKD splits the " +
                                              "target class from the others)", got: "\(student.shape)")
        }
        try checkDistillationOperands(op, student: student, teacher: teacher, labels: labels, rows: extents.rows,
                                      temperature: temperature, loss: loss, gradStudent: gradStudent, terms: terms,
                                      termCount: 3, on: backend)
        for (name, weight) in [("alpha", alpha), ("beta", beta)] where !(weight >= 0 && weight.isFinite) {
            throw CondenseError.invalidArgument(op: op, "\(name) must be ≥ 0 and finite, got \(weight)")
        }
        return extents
    }

    // MARK: - Pieces

    /// What both distillation losses check beyond the student: the teacher's shape, the labels, the outputs
    /// (`terms` of `termCount` elements) and the temperature.
    private static func checkDistillationOperands(_ op: String, student: Tensor, teacher: Tensor, labels: Tensor,
                                                  rows: Int, temperature: Float, loss: Tensor, gradStudent: Tensor?,
                                                  terms: Tensor?, termCount: Int, on backend: Backend) throws {
        try requireSameShape(op, "teacher", teacher, as: student, on: backend)
        try checkLabels(op, labels, rows: rows, on: backend)
        try checkScalars(op, "loss", loss, count: 1, on: backend)
        if let gradStudent { try requireSameShape(op, "gradStudent", gradStudent, as: student, on: backend) }
        if let terms { try checkScalars(op, "terms", terms, count: termCount, on: backend) }
        try checkTemperature(op, temperature)
    }

    private static func matrix(_ op: String, _ name: String, _ tensor: Tensor,
                               on backend: Backend) throws -> SoftmaxRows {
        try requireOwned(op, tensor, by: backend)
        try requireFloat32(op, tensor)
        guard tensor.shape.rank == 2, tensor.shape[0] >= 1, tensor.shape[1] >= 1 else {
            throw CondenseError.shapeMismatch(op: op, expected: "\(name) of shape [B, K] with B ≥ 1 and K ≥ 1",
                                              got: "\(tensor.shape)")
        }
        return SoftmaxRows(rows: tensor.shape[0], classes: tensor.shape[1])
    }

    private static func checkScalars(_ op: String, _ name: String, _ tensor: Tensor, count: Int,
                                     on backend: Backend) throws {
        try requireOwned(op, tensor, by: backend)
        try requireFloat32(op, tensor)
        guard tensor.count == count else {
            throw CondenseError.shapeMismatch(op: op, expected: "\(name) of \(count) element\(count == 1 ? "" : "s")",
                                              got: "\(tensor.shape)")
        }
    }

    private static func checkLabels(_ op: String, _ labels: Tensor, rows: Int, on backend: Backend) throws {
        try requireOwned(op, labels, by: backend)
        guard labels.dtype == .int32 else {
            throw CondenseError.dtypeMismatch(op: "\(op) labels", expected: .int32, got: labels.dtype)
        }
        guard labels.shape == [rows] else {
            throw CondenseError.shapeMismatch(op: op, expected: "labels of shape [\(rows)]", got: "\(labels.shape)")
        }
    }

    private static func checkTemperature(_ op: String, _ temperature: Float) throws {
        guard temperature > 0, temperature.isFinite else {
            throw CondenseError.invalidArgument(op: op, "temperature must be positive and finite, got \(temperature)")
        }
    }
}
