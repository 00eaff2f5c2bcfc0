/// The values an option accepts, each end inclusive or not, as help and errors write them: `1…100000` (both ends
/// included), `(0, 10]`, `[0, 1)`. Not-a-number is in no bounds.
public struct Bounds<Value: Comparable & ArgumentValue & Sendable>: Sendable {
    let lower: Value, upper: Value
    let includesLower: Bool, includesUpper: Bool

    /// Every value from `range.lowerBound` to `range.upperBound`, both included.
    public static func within(_ range: ClosedRange<Value>) -> Bounds {
        Bounds(lower: range.lowerBound, upper: range.upperBound, includesLower: true, includesUpper: true)
    }

    /// Values above `lower` (excluded) up to `upper` (included).
    public static func above(_ lower: Value, upTo upper: Value) -> Bounds {
        Bounds(lower: lower, upper: upper, includesLower: false, includesUpper: true)
    }

    /// Values from `lower` (included) up to `upper` (excluded).
    public static func from(_ lower: Value, below upper: Value) -> Bounds {
        Bounds(lower: lower, upper: upper, includesLower: true, includesUpper: false)
    }

    public func contains(_ value: Value) -> Bool {
        (includesLower ? lower <= value : lower < value) && (includesUpper ? value <= upper : value < upper)
    }

    /// `1…100000` when both ends are included, else interval notation.
    public var text: String {
        if includesLower && includesUpper { return "\(lower.argumentText)…\(upper.argumentText)" }
        return (includesLower ? "[" : "(") + lower.argumentText + ", " + upper.argumentText + (includesUpper ? "]" : ")")
    }
}
