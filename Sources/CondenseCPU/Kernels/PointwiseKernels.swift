import CondenseCore

/// Element-by-element loops on the host with the activation chosen once per call, outside the loop, so each loop is
/// a straight line LLVM vectorizes; `forEachBlock` spreads large tensors over the cores.
///
/// A clamp written as `replacing(with: lower, where: v .<= lower)` compiles to a lane-by-lane loop through memory,
/// far slower than the loop over the lanes in `clamp`, which LLVM turns into vector compares and blends (figures in
/// Benchmarks/RESULTS.md); the gradient masks of `mask` compile well as they are.
enum PointwiseKernels {
    /// Tensors below this many elements run on the calling thread: splitting costs more than it saves.
    static let parallelThreshold = 1 << 15

    /// Runs `body(start, count)` over `0..<count` in blocks, on several cores when the tensor is large.
    @inline(__always)
    static func forEachBlock(_ count: Int, _ body: (Int, Int) -> Void) {
        guard count >= parallelThreshold else { return body(0, count) }
        HostParallel.forEachRange(count, parts: 4 * HostParallel.workers) { _, range in
            body(range.lowerBound, range.count)
        }
    }

    /// `x = activation(x)` in place.
    @inline(__always)
    static func apply(_ activation: Activation, _ x: UnsafeMutablePointer<Float>, count: Int) {
        apply(activation, x, x, count: count)
    }

    /// `y = activation(x)` (`y` may be `x`), as `clamp` with `bounds(activation)`.
    static func apply(_ activation: Activation, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        guard activation != .none else {
            if UnsafePointer(y) != x { y.update(from: x, count: count) }
            return
        }
        let (lower, upper) = bounds(activation)
        var i = 0
        while i + 16 <= count {
            store16(clamp(load16(x + i), lower, upper), y + i)
            i += 16
        }
        while i < count {
            y[i] = clamp(x[i], lower, upper)
            i += 1
        }
    }

    /// `dx = dy` where the activation passes the gradient at forward output `y`, else 0 (`Activation.passesGradient`).
    static func mask(_ activation: Activation, output y: UnsafePointer<Float>, gradOutput dy: UnsafePointer<Float>,
                     gradInput dx: UnsafeMutablePointer<Float>, count: Int) {
        switch activation {
        case .none: if UnsafePointer(dx) != dy { dx.update(from: dy, count: count) }
        case .relu: gate(GradientGates.ReLU.self, at: y, dy, dx, count: count)
        case .relu6: gate(GradientGates.ReLU6.self, at: y, dy, dx, count: count)
        }
    }

    /// `dx[i] = Gate.gate(dy[i], at: z[i])`, sixteen elements per step.
    @inline(__always)
    private static func gate<Gate: GradientGate>(_: Gate.Type, at z: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                                                 _ dx: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count {
            store16(Gate.gate(load16(dy + i), at: load16(z + i)), dx + i)
            i += 16
        }
        while i < count {
            dx[i] = Gate.gate(dy[i], at: z[i])
            i += 1
        }
    }

    /// The activation as a clamp to `lower...upper` (±∞ where it does not clamp), for `clamp`.
    static func bounds(_ activation: Activation) -> (lower: Float, upper: Float) {
        switch activation {
        case .none: (-.infinity, .infinity)
        case .relu: (0, .infinity)
        case .relu6: (0, 6)
        }
    }

    /// `v` with every lane ≤ `lower` set to `lower` and every lane > `upper` set to `upper` (NaN passes).
    @inline(__always)
    static func clamp(_ v: SIMD16<Float>, _ lower: Float, _ upper: Float) -> SIMD16<Float> {
        var result = v
        for lane in 0..<16 { result[lane] = clamp(v[lane], lower, upper) }
        return result
    }

    /// One value clamped as the lanes of `clamp(_:_:_:)`.
    @inline(__always)
    static func clamp(_ v: Float, _ lower: Float, _ upper: Float) -> Float {
        let low = v <= lower ? lower : v
        return low > upper ? upper : low
    }

    /// `y[i] = x[i]` for `count` elements of arrays that do not overlap, inline: the rows copied here are too short
    /// for a call to `memmove` to pay. The last group of lanes is copied again, ending at `count`, instead of
    /// one element at a time.
    @inline(__always)
    static func copy(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        if count >= 8 {
            var i = 0
            while i + 8 < count {
                store(load(x + i), y + i)
                i += 8
            }
            store(load(x + count - 8), y + count - 8)
        } else if count >= 4 {
            copy4(x, y)
            copy4(x + count - 4, y + count - 4)
        } else {
            for i in 0..<count { y[i] = x[i] }
        }
    }

    @inline(__always)
    private static func copy4(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(y).storeBytes(of: UnsafeRawPointer(x).loadUnaligned(as: SIMD4<Float>.self),
                                              as: SIMD4<Float>.self)
    }

    /// The sum of the lanes, by halves (the standard library's `sum()` is a generic call per vector).
    @inline(__always)
    static func total(_ v: SIMD16<Float>) -> Float {
        let eight = v.lowHalf + v.highHalf, four = eight.lowHalf + eight.highHalf
        return (four[0] + four[1]) + (four[2] + four[3])
    }

    // MARK: - Unaligned vectors

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }

    @inline(__always)
    static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }
}
