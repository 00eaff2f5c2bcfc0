import CondenseCore

/// Reductions on the host, generic over the float type (sums accumulate in the element type, in index order).
public enum ReductionKernels {
    /// Σ of `count` elements.
    public static func sum<T: BinaryFloatingPoint>(_ input: UnsafePointer<T>, count: Int) -> T {
        var total: T = 0
        for i in 0..<count { total += input[i] }
        return total
    }

    /// The first index of the largest of `count` values.
    public static func argmax<T: BinaryFloatingPoint>(_ row: UnsafePointer<T>, count: Int) -> Int {
        var best = 0
        for k in 1..<max(count, 1) where row[k] > row[best] { best = k }
        return best
    }
}
