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
}
