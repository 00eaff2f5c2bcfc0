import CondenseCore
import Foundation

/// Deterministic parameter initialization as torchvision does it: Kaiming-normal (fan-out, ReLU gain) for
/// convolutions, PyTorch's default uniform `±1/√fan_in` for linear layers unless a model says otherwise.
public struct Initializer {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A uniform value in [0, 1) (SplitMix64).
    public mutating func uniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }

    /// `count` normal values with standard deviation `std` (Box–Muller).
    public mutating func normal(_ count: Int, std: Double) -> [Float] {
        (0..<count).map { _ in
            let u = max(uniform(), .leastNormalMagnitude), v = uniform()
            return Float(std * (-2 * log(u)).squareRoot() * cos(2 * .pi * v))
        }
    }

    /// `count` values uniform in [−bound, bound).
    public mutating func uniform(_ count: Int, bound: Double) -> [Float] {
        (0..<count).map { _ in Float((2 * uniform() - 1) * bound) }
    }

    /// Kaiming-normal, fan-out mode, ReLU gain: `std = √(2 / fan_out)`, fan_out = O·kh·kw for an OIHW weight.
    public mutating func kaimingNormalFanOut(_ shape: Shape) -> [Float] {
        let fanOut = shape[0] * shape.dims.dropFirst(2).reduce(1, *)
        return normal(shape.count, std: (2 / Double(fanOut)).squareRoot())
    }
}
