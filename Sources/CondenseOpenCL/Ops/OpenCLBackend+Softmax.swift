import CondenseCore

/// `SoftmaxOps` through `Kernels/softmax.cl`: one work-group per row (on a CPU driver one work-item, see
/// `rowGroup`) walking it in vectors with local-memory reductions, and for the losses a second one-work-group kernel
/// that averages the per-row values on the device (no read-back).
///
/// Labels are not validated here: checking them would need a read-back mid-step. The kernels clamp each label into
/// `[0, K)` so nothing is read out of bounds; the data loader is responsible for labels in range.
extension OpenCLBackend: SoftmaxOps {
    public func softmax(logits: Tensor, temperature: Float, output: Tensor) throws {
        let e = try SoftmaxValidation.forward("softmax", logits: logits, temperature: temperature, output: output,
                                              on: self)
        try launchForward(logits, output, e, temperature: temperature)
    }

    public func crossEntropy(logits: Tensor, labels: Tensor, labelSmoothing: Float, loss: Tensor,
                             gradLogits: Tensor?) throws {
        let e = try SoftmaxValidation.crossEntropy(logits: logits, labels: labels, labelSmoothing: labelSmoothing,
                                                   loss: loss, gradLogits: gradLogits, on: self)
        let group = rowGroup(for: e.classes)
        let invB = 1 / Float(e.rows), invK = 1 / Float(e.classes)
        let rowLoss = try allocate([e.rows], dtype: .float32)
        try launch("cross_entropy_rows", file: "softmax",
                   defines: rowDefines(group, ["HAS_GRAD": gradLogits == nil ? 0 : 1]),
                   arguments: [.buffer(logits), .buffer(labels), .buffer(rowLoss), .buffer(gradLogits ?? rowLoss),
                               .int(e.classes), .float(labelSmoothing), .float(invK), .float(1 - labelSmoothing),
                               .float(labelSmoothing * invK), .float(invB)],
                   global: [e.rows * group], local: [group])
        try launchMean(rowLoss, rows: e.rows, terms: 1, loss: loss, termsOutput: nil)
    }

    public func distillationLoss(student: Tensor, teacher: Tensor, labels: Tensor, temperature: Float, alpha: Float,
                                 loss: Tensor, gradStudent: Tensor?, terms: Tensor?) throws {
        let e = try SoftmaxValidation.distillation(student: student, teacher: teacher, labels: labels,
                                                   temperature: temperature, alpha: alpha, loss: loss,
                                                   gradStudent: gradStudent, terms: terms, on: self)
        try launchDistillation("distillation_rows", e, student: student, teacher: teacher, labels: labels,
                               temperature: temperature,
                               weights: [alpha * temperature * temperature, 1 - alpha, alpha * temperature],
                               terms: 2, loss: loss, gradStudent: gradStudent, termsOutput: terms)
    }

    public func decoupledDistillationLoss(student: Tensor, teacher: Tensor, labels: Tensor, temperature: Float,
                                          alpha: Float, beta: Float, loss: Tensor, gradStudent: Tensor?,
                                          terms: Tensor?) throws {
        let e = try SoftmaxValidation.decoupledDistillation(student: student, teacher: teacher, labels: labels,
                                                            temperature: temperature, alpha: alpha, beta: beta,
                                                            loss: loss, gradStudent: gradStudent, terms: terms,
                                                            on: self)
        let squared = temperature * temperature
        try launchDistillation("decoupled_distillation_rows", e, student: student, teacher: teacher, labels: labels,
                               temperature: temperature,
                               weights: [alpha * squared, beta * squared, alpha * temperature, beta * temperature],
                               terms: 3, loss: loss, gradStudent: gradStudent, termsOutput: terms)
    }

    // MARK: - Launch helpers

    /// Work-group size for reductions over `count` elements: the next power of two, from 32 (a warp) to 256.
    static func softmaxWorkGroup(for count: Int) -> Int {
        var size = 32
        while size < count, size < 256 { size *= 2 }
        return size
    }

    /// Work-items per row: `softmaxWorkGroup` on a GPU; one on a CPU driver (`tiling.groupSize` 1), where a
    /// work-group's barriers would split its loops and one work-item walks the row in `tiling.vectorWidth` vectors.
    private func rowGroup(for classes: Int) -> Int {
        tiling.isForCPUDriver ? 1 : group(Self.softmaxWorkGroup(for: classes))
    }

    /// The temperature as `TEMPERATURE_POWER` (softmax.cl): T when it is an integer from 1 to 16, so that
    /// exp(s − max s) is exp((s − max s)/T) to the T-th power; 0 otherwise.
    static func integerPower(of temperature: Float) -> Int {
        temperature.rounded() == temperature && (1...16).contains(temperature) ? Int(temperature) : 0
    }

    /// Whether the distillation kernels keep a row's teacher exponentials in local memory for the gradient pass: on a
    /// CPU driver (one work-item per row), where local memory is ordinary cached memory and a load is cheaper than
    /// an exponential, when the row takes at most half of it. GPUs recompute them, which costs less than the
    /// occupancy a large local buffer would take.
    private func cachesTeacherExponentials(classes: Int) -> Bool {
        tiling.isForCPUDriver && classes * MemoryLayout<Float>.size <= localMemoryBytes / 2
    }

    private func rowDefines(_ group: Int, _ extra: [String: Int]) -> [String: Int] {
        extra.merging(["WG": group, "VEC": tiling.vectorWidth]) { $1 }
    }

    private func launchForward(_ logits: Tensor, _ output: Tensor, _ e: SoftmaxRows, temperature: Float) throws {
        let group = rowGroup(for: e.classes)
        try launch("softmax_forward", file: "softmax", defines: rowDefines(group, [:]),
                   arguments: [.buffer(logits), .buffer(output), .int(e.classes), .float(1 / temperature)],
                   global: [e.rows * group], local: [group])
    }

    /// Runs a fused distillation kernel (`distillation_rows`, `decoupled_distillation_rows`) on the rows of `e`: the
    /// arguments both take, then `weights` (the kernel's loss and gradient scales) and 1/B; then averages its `terms`
    /// values per row into `loss` and `termsOutput`.
    private func launchDistillation(_ kernel: String, _ e: SoftmaxRows, student: Tensor, teacher: Tensor,
                                    labels: Tensor, temperature: Float, weights: [Float], terms: Int, loss: Tensor,
                                    gradStudent: Tensor?, termsOutput: Tensor?) throws {
        let group = rowGroup(for: e.classes)
        let rowTerms = try allocate([e.rows, terms], dtype: .float32)
        let cacheTeacher = cachesTeacherExponentials(classes: e.classes)
        try launch(kernel, file: "softmax",
                   defines: rowDefines(group, ["HAS_GRAD": gradStudent == nil ? 0 : 1,
                                               "TEMPERATURE_POWER": Self.integerPower(of: temperature),
                                               "CACHE_TEACHER": cacheTeacher ? 1 : 0]),
                   arguments: [.buffer(student), .buffer(teacher), .buffer(labels), .buffer(rowTerms),
                               .buffer(gradStudent ?? rowTerms),
                               .local(bytes: cacheTeacher ? e.classes * MemoryLayout<Float>.size : 4),
                               .int(e.classes), .float(1 / temperature)]
                       + weights.map { KernelArgument.float($0) } + [.float(1 / Float(e.rows))],
                   global: [e.rows * group], local: [group])
        try launchMean(rowTerms, rows: e.rows, terms: terms, loss: loss, termsOutput: termsOutput)
    }

    /// Averages per-row values `[rows, terms]` over the batch into `loss` (their sum) and, if given, `termsOutput`.
    private func launchMean(_ rowValues: Tensor, rows: Int, terms: Int, loss: Tensor, termsOutput: Tensor?) throws {
        let group = group(Self.softmaxWorkGroup(for: rows))
        try launch("mean_rows", file: "softmax",
                   defines: ["WG": group, "TERMS": terms, "WRITE_TERMS": termsOutput == nil ? 0 : 1],
                   arguments: [.buffer(rowValues), .buffer(loss), .buffer(termsOutput ?? loss), .int(rows),
                               .float(1 / Float(rows))],
                   global: [group], local: [group])
    }
}
