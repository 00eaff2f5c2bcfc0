import CondenseCore

extension KernelBenchmark {
    /// Softmax with temperature and the fused Hinton and decoupled (DKD) distillation losses on `batch` rows × 1000
    /// classes (ImageNet-sized logits; BloodMNIST's 8 classes are too small to measure bandwidth).
    static func softmaxCases(batch rows: Int) -> [Case] {
        let classes = 1000, logitBytes = rows * classes * 4
        return [
            Case(name: "softmax_temperature_forward", bytes: 2 * logitBytes) { backend, generator in
                let logits = try backend.tensor(generator.floats(rows * classes, in: -8...8), shape: [rows, classes])
                let output = try backend.allocate([rows, classes], dtype: .float32)
                return ({ try backend.softmax(logits: logits, temperature: 4, output: output) }, output)
            },
            distillationCase("softmax_temperature_distillation_loss", rows: rows, classes: classes) { backend, loss in
                try backend.distillationLoss(student: loss.student, teacher: loss.teacher, labels: loss.labels,
                                             temperature: 4, alpha: 0.9, loss: loss.value, gradStudent: loss.gradient)
            },
            distillationCase("softmax_temperature_decoupled_distillation_loss", rows: rows,
                             classes: classes) { backend, loss in
                try backend.decoupledDistillationLoss(student: loss.student, teacher: loss.teacher, labels: loss.labels,
                                                      temperature: 4, alpha: 1, beta: 8, loss: loss.value,
                                                      gradStudent: loss.gradient, terms: nil)
            },
        ]
    }

    /// The tensors of a distillation loss call: random student and teacher logits and labels, the loss and gradient.
    private struct DistillationTensors {
        let student: Tensor, teacher: Tensor, labels: Tensor, value: Tensor, gradient: Tensor
    }

    /// A fused distillation loss on `rows × classes` logits: it reads student and teacher and writes the gradient.
    private static func distillationCase(_ name: String, rows: Int, classes: Int,
                                         _ call: @escaping (Backend, DistillationTensors) throws -> Void) -> Case {
        Case(name: name, bytes: 3 * rows * classes * 4) { backend, generator in
            let student = try backend.tensor(generator.floats(rows * classes, in: -8...8), shape: [rows, classes])
            let teacher = try backend.tensor(generator.floats(rows * classes, in: -8...8), shape: [rows, classes])
            let labels = try backend.allocate([rows], dtype: .int32)
            try generator.labels(rows, classes: classes).withUnsafeBytes { try backend.write($0, to: labels) }
            let tensors = DistillationTensors(student: student, teacher: teacher, labels: labels,
                                              value: try backend.allocate([1], dtype: .float32),
                                              gradient: try backend.allocate([rows, classes], dtype: .float32))
            return ({ try call(backend, tensors) }, tensors.gradient)
        }
    }
}
