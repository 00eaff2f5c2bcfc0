/// A pointwise activation that ops may fuse into their output.
public enum Activation: Int, Sendable, CaseIterable {
    case none = 0
    /// `max(x, 0)`.
    case relu = 1
    /// `min(max(x, 0), 6)` (MobileNetV2).
    case relu6 = 2

    /// The activation applied to one value.
    @inlinable
    public func apply<T: BinaryFloatingPoint>(_ x: T) -> T {
        switch self {
        case .none: x
        case .relu: max(x, 0)
        case .relu6: min(max(x, 0), 6)
        }
    }

    /// Whether the gradient passes at a point whose forward output is `y` (PyTorch's masks: ReLU `y > 0`,
    /// ReLU6/hardtanh `0 < y < 6`).
    @inlinable
    public func passesGradient<T: BinaryFloatingPoint>(output y: T) -> Bool {
        switch self {
        case .none: true
        case .relu: y > 0
        case .relu6: y > 0 && y < 6
        }
    }
}
