import CondenseCore

extension KernelBenchmark {
    /// Softmax with temperature and the fused distillation loss on `batch` rows × 1000 classes (ImageNet-sized
    /// logits; BloodMNIST's 8 classes are too small to measure bandwidth).
    static func softmaxCases(batch rows: Int) -> [Case] {
        let classes = 1000, logitBytes = rows * classes * 4
        return [
            Case(name: "softmax_temperature_forward", bytes: 2 * logitBytes) { backend, generator in
                let logits = try backend.tensor(generator.floats(rows * classes, in: -8...8), shape: [rows, classes])
                let output = try backend.allocate([rows, classes], dtype: .float32)
                return ({ try backend.softmax(logits: logits, temperature: 4, output: output) }, output)
            },
            Case(name: "softmax_temperature_distillation_loss", bytes: 3 * logitBytes) { backend, generator in
                let student = try backend.tensor(generator.floats(rows * classes, in: -8...8), shape: [rows, classes])
                let teacher = try backend.tensor(generator.floats(rows * classes, in: -8...8), shape: [rows, classes])
                let labels = try backend.allocate([rows], dtype: .int32)
                try generator.labels(rows, classes: classes).withUnsafeBytes { try backend.write($0, to: labels) }
                let loss = try backend.allocate([1], dtype: .float32)
                let gradient = try backend.allocate([rows, classes], dtype: .float32)
                return ({
                    try backend.distillationLoss(student: student, teacher: teacher, labels: labels, temperature: 4,
                                                 alpha: 0.9, loss: loss, gradStudent: gradient)
                }, gradient)
            },
        ]
    }
}
