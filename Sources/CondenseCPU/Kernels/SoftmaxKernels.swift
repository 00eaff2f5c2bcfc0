import CondenseCore
import Glibc

/// The floating-point types the reference math runs in: Float for the CPU backend, Double for gradient checks.
public protocol SoftmaxReal: BinaryFloatingPoint {
    /// eˣ (`expf` / `exp`).
    static func referenceExp(_ x: Self) -> Self
    /// The natural logarithm (`logf` / `log`).
    static func referenceLog(_ x: Self) -> Self
    /// log(1 + x), accurate for small x (`log1pf` / `log1p`).
    static func referenceLog1p(_ x: Self) -> Self
}

extension Float: SoftmaxReal {
    @inline(__always) public static func referenceExp(_ x: Float) -> Float { expf(x) }
    @inline(__always) public static func referenceLog(_ x: Float) -> Float { logf(x) }
    @inline(__always) public static func referenceLog1p(_ x: Float) -> Float { log1pf(x) }
}

extension Double: SoftmaxReal {
    @inline(__always) public static func referenceExp(_ x: Double) -> Double { exp(x) }
    @inline(__always) public static func referenceLog(_ x: Double) -> Double { log(x) }
    @inline(__always) public static func referenceLog1p(_ x: Double) -> Double { log1p(x) }
}

/// The CPU math of `SoftmaxOps`, generic so the same code runs in Float (the CPU backend) and Double (gradient
/// checks). Rows `[rows, classes]`, row-major. Every row is max-subtracted; `1/T` and `1/B` are formed once and
/// multiplied, exactly as the OpenCL kernels do, so the two backends round alike. Rows are independent and may run
/// in parallel; batch means are summed in row order afterwards, so results do not depend on the thread count.
public enum SoftmaxKernels {
    // MARK: - Softmax

    /// `output = softmax(z / T)` per row. `output` may be `z` (in place).
    public static func softmax<T: SoftmaxReal>(_ z: UnsafePointer<T>, rows: Int, classes k: Int, temperature: T,
                                               output: UnsafeMutablePointer<T>) {
        let invT = 1 / temperature
        forEachRow(rows, classes: k) { row in
            let x = z + row * k, y = output + row * k
            let m = rowMax(x, k)
            var sum: T = 0
            for j in 0..<k {
                let e = T.referenceExp((x[j] - m) * invT)
                y[j] = e
                sum += e
            }
            let invSum = 1 / sum
            for j in 0..<k { y[j] *= invSum }
        }
    }

    // MARK: - Losses

    /// Mean cross entropy with label smoothing ε; per row `(1 − ε)·(log s − (z_y − m)) + ε·(log s − mean(z − m))`
    /// with `m = max z`, `s = Σ exp(z − m)`. Writes `(softmax(z) − q)/B` to `gradLogits` unless nil.
    /// - Throws: `CondenseError.invalidArgument` for a label outside `[0, classes)`, before writing anything.
    public static func crossEntropy<T: SoftmaxReal>(_ z: UnsafePointer<T>, labels: UnsafePointer<Int32>, rows: Int,
                                                    classes k: Int, labelSmoothing epsilon: T,
                                                    gradLogits: UnsafeMutablePointer<T>?) throws -> T {
        try checkLabels("crossEntropy", labels, rows: rows, classes: k)
        let invB = 1 / T(rows), invK = 1 / T(k)
        let onTarget = 1 - epsilon, offTarget = epsilon * invK
        var rowLoss = [T](repeating: 0, count: rows)
        rowLoss.withUnsafeMutableBufferPointer { losses in
            forEachRow(rows, classes: k) { row in
                let x = z + row * k, label = Int(labels[row])
                let m = rowMax(x, k)
                var sum: T = 0, shifted: T = 0
                for j in 0..<k {
                    sum += T.referenceExp(x[j] - m)
                    shifted += x[j] - m
                }
                let logSum = T.referenceLog(sum)
                losses[row] = onTarget * (logSum - (x[label] - m)) + epsilon * (logSum - shifted * invK)
                guard let gradLogits else { return }
                let g = gradLogits + row * k, invSum = 1 / sum
                for j in 0..<k {
                    let target = j == label ? onTarget + offTarget : offTarget
                    g[j] = (T.referenceExp(x[j] - m) * invSum - target) * invB
                }
            }
        }
        return rowLoss.reduce(0, +) * invB
    }

    /// The Hinton distillation loss, returned as its two batch-mean terms: `kd = α·T²·KL(softmax(t/T) ‖ softmax(s/T))`
    /// and `ce = (1 − α)·CE(s, y)` (the loss is `kd + ce`). Per row, with `a = (t − max t)/T`, `b = (s − max s)/T`:
    /// `KL = Σ eᵃ·(a − b) / Σ eᵃ − log Σ eᵃ + log Σ eᵇ`, `CE = log Σ exp(s − max s) − (s_y − max s)`.
    /// Writes `α·T·(softmax(s/T) − softmax(t/T))/B + (1 − α)·(softmax(s) − onehot)/B` to `gradStudent` unless nil.
    /// - Throws: `CondenseError.invalidArgument` for a label outside `[0, classes)`, before writing anything.
    public static func distillation<T: SoftmaxReal>(student s: UnsafePointer<T>, teacher t: UnsafePointer<T>,
                                                    labels: UnsafePointer<Int32>, rows: Int, classes k: Int,
                                                    temperature: T, alpha: T,
                                                    gradStudent: UnsafeMutablePointer<T>?) throws -> (kd: T, ce: T) {
        try checkLabels("distillationLoss", labels, rows: rows, classes: k)
        let invB = 1 / T(rows), invT = 1 / temperature
        let kdScale = alpha * temperature * temperature, ceScale = 1 - alpha
        let kdGradScale = alpha * temperature
        var rowTerms = [T](repeating: 0, count: 2 * rows)
        rowTerms.withUnsafeMutableBufferPointer { terms in
            forEachRow(rows, classes: k) { row in
                let x = s + row * k, u = t + row * k, label = Int(labels[row])
                let ms = rowMax(x, k), mt = rowMax(u, k)
                let (teacherSum, studentSumT, studentSum, weighted) = distillationSums(x, u, k, ms: ms, mt: mt,
                                                                                       invT: invT, skipping: nil)
                let kl = weighted / teacherSum - T.referenceLog(teacherSum) + T.referenceLog(studentSumT)
                let ce = T.referenceLog(studentSum) - (x[label] - ms)
                terms[2 * row] = kdScale * kl
                terms[2 * row + 1] = ceScale * ce
                guard let gradStudent else { return }
                let g = gradStudent + row * k
                let invTeacher = 1 / teacherSum, invStudentT = 1 / studentSumT, invStudent = 1 / studentSum
                for j in 0..<k {
                    let pt = T.referenceExp((u[j] - mt) * invT) * invTeacher
                    let psT = T.referenceExp((x[j] - ms) * invT) * invStudentT
                    let ps = T.referenceExp(x[j] - ms) * invStudent
                    g[j] = (kdGradScale * (psT - pt) + ceScale * (ps - (j == label ? 1 : 0))) * invB
                }
            }
        }
        var kd: T = 0, ce: T = 0
        for row in 0..<rows {
            kd += rowTerms[2 * row]
            ce += rowTerms[2 * row + 1]
        }
        return (kd * invB, ce * invB)
    }

    /// The four row sums of both distillation losses over the classes of a row other than `skipped`, with
    /// `a = (t − mt)/T` and `b = (s − ms)/T`: `(Σ eᵃ, Σ eᵇ, Σ exp(s − ms), Σ eᵃ·(a − b))`.
    @inline(__always)
    static func distillationSums<T: SoftmaxReal>(_ x: UnsafePointer<T>, _ u: UnsafePointer<T>, _ k: Int, ms: T, mt: T,
                                                 invT: T, skipping skipped: Int?) -> (T, T, T, T) {
        var teacherSum: T = 0, studentSumT: T = 0, studentSum: T = 0, weighted: T = 0
        for j in 0..<k where j != skipped {
            let a = (u[j] - mt) * invT, b = (x[j] - ms) * invT
            let ea = T.referenceExp(a)
            teacherSum += ea
            studentSumT += T.referenceExp(b)
            studentSum += T.referenceExp(x[j] - ms)
            weighted += ea * (a - b)
        }
        return (teacherSum, studentSumT, studentSum, weighted)
    }

    /// Throws unless every label lies in `[0, classes)`, naming the first row that does not.
    public static func checkLabels(_ op: String, _ labels: UnsafePointer<Int32>, rows: Int, classes: Int) throws {
        for row in 0..<rows where labels[row] < 0 || Int(labels[row]) >= classes {
            throw CondenseError.invalidArgument(op: op, "label \(labels[row]) at row \(row) lies outside [0, \(classes))")
        }
    }

    // MARK: - Helpers

    @inline(__always)
    static func rowMax<T: SoftmaxReal>(_ x: UnsafePointer<T>, _ k: Int) -> T {
        var m = x[0]
        for j in 1..<k where x[j] > m { m = x[j] }
        return m
    }

    /// Runs `body` for every row, splitting the rows over threads when the problem is large enough to pay.
    static func forEachRow(_ rows: Int, classes: Int, _ body: (Int) -> Void) {
        let chunks = rows * classes >= 1 << 15 ? min(rows, 32) : 1
        guard chunks > 1 else {
            for row in 0..<rows { body(row) }
            return
        }
        concurrentlyPerform(iterations: chunks) { chunk in
            for row in stride(from: chunk, to: rows, by: chunks) { body(row) }
        }
    }
}
