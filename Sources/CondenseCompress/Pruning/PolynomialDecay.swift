import CondenseCore
import Foundation

/// The sparsity schedule of TensorFlow Model Optimization's `PolynomialDecay` (Zhu & Gupta, 2017): sparsity rises
/// from `initialSparsity` at `beginStep` to `finalSparsity` at `endStep` as
/// `s(t) = final + (initial − final)·(1 − p)^power`, `p = clamp((t − begin)/(end − begin), 0, 1)`, and masks are
/// recomputed only at steps `begin ≤ t ≤ end` with `(t − begin) % frequency == 0` (and then held).
public struct PolynomialDecay: Equatable, Sendable {
    public let initialSparsity: Double
    public let finalSparsity: Double
    public let beginStep: Int
    public let endStep: Int
    public let power: Double
    public let frequency: Int

    /// Checks sparsities in [0, 1), `0 ≤ begin ≤ end`, power > 0 and frequency ≥ 1.
    public init(initialSparsity: Double = 0, finalSparsity: Double, beginStep: Int = 0, endStep: Int,
                power: Double = 3, frequency: Int = 100) throws {
        for (name, value) in [("initial sparsity", initialSparsity), ("final sparsity", finalSparsity)]
        where !(value >= 0 && value < 1) {
            throw CondenseError.invalidArgument(op: "PolynomialDecay", "\(name) must be in [0, 1), got \(value)")
        }
        guard beginStep >= 0, endStep >= beginStep else {
            throw CondenseError.invalidArgument(op: "PolynomialDecay", "steps must satisfy 0 ≤ begin ≤ end, got " +
                                                "begin \(beginStep), end \(endStep)")
        }
        guard power > 0, power.isFinite, frequency >= 1 else {
            throw CondenseError.invalidArgument(op: "PolynomialDecay", "power must be > 0 and frequency ≥ 1, got " +
                                                "power \(power), frequency \(frequency)")
        }
        self.initialSparsity = initialSparsity
        self.finalSparsity = finalSparsity
        self.beginStep = beginStep
        self.endStep = endStep
        self.power = power
        self.frequency = frequency
    }

    /// The target sparsity at `step`.
    public func sparsity(at step: Int) -> Double {
        let progress = endStep == beginStep ? (step >= beginStep ? 1 : 0)
            : min(1, max(0, Double(step - beginStep) / Double(endStep - beginStep)))
        return finalSparsity + (initialSparsity - finalSparsity) * pow(1 - progress, power)
    }

    /// Whether masks are recomputed at `step`. The end step always is, so the final sparsity is reached even when
    /// the frequency does not divide the schedule's length.
    public func updatesMasks(at step: Int) -> Bool {
        step >= beginStep && step <= endStep && ((step - beginStep) % frequency == 0 || step == endStep)
    }
}
