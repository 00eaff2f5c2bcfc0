import CondenseCPU
import CondenseCore
import CondenseTestSupport
import XCTest

/// The fake-quant backward (straight-through dx, LSQ scale gradient) against finite differences of the Double
/// reference, and every validation error.
///
/// y(x, s) is piecewise constant in x, and piecewise linear in s: between rounding events, y = (q − z)·s with q fixed
/// (in range: q − z = round(x/s), below: qmin − z, above: qmax − z). So a central difference in s with a small step is
/// exact away from ties, and it equals the *true* derivative, which is round(x/s) inside the range. LSQ's gradient
/// differs from it inside the range by the straight-through term: it treats round(u) as u, giving round(x/s) − x/s.
/// The tests therefore check (1) ds = FD_s(Σ w·y) − Σ_inside w·x/s against the real forward, and (2) dx and ds against
/// finite differences of the straight-through surrogate ỹ = s·(clamp(z + x/s + ρ, qmin, qmax) − z), ρ the rounding
/// residual round(x₀/s₀) − x₀/s₀ held fixed (ỹ equals y at the point). Inputs sit at x/s = k ± [0.15, 0.35], so no
/// step crosses a rounding event, and q = z + k avoids qmin and qmax exactly (the surrogate's clamp kinks there).
final class FakeQuantGradientTests: XCTestCase {
    private struct Problem {
        var x: [Double], w: [Double], scale: [Double], zero: [Double]
        let layout: FakeQuantLayout, qmin: Int, qmax: Int
        /// LSQ's factor, written out here rather than taken from the code under test.
        var gradFactor: Double { 1 / (Double(layout.count / layout.channels) * Double(qmax)).squareRoot() }
    }

    private func problem(shape: Shape, axis: Int?, qmin: Int, qmax: Int, symmetric: Bool, seed: UInt64) -> Problem {
        var random = SeededGenerator(seed: seed)
        let layout = FakeQuantLayout(shape: shape, axis: axis)
        let scale = (0..<layout.channels).map { _ in Double.random(in: 0.01...0.05, using: &random) }
        let zero = (0..<layout.channels).map { _ in
            symmetric ? 0.0 : Double((qmin + qmax) / 2 + Int.random(in: -30...30, using: &random))
        }
        var x = [Double](repeating: 0, count: layout.count)
        for index in x.indices {
            let c = (index / layout.inner) % layout.channels
            let z = Int(zero[c])
            // About a third of the elements beyond the range (up to 6 steps out), the rest strictly inside it.
            let k = Int.random(in: 0..<3, using: &random) == 0
                ? (Bool.random(using: &random) ? qmin - z - Int.random(in: 1...6, using: &random)
                                               : qmax - z + Int.random(in: 1...6, using: &random))
                : Int.random(in: (qmin - z + 1)...(qmax - z - 1), using: &random)
            let offset = Double.random(in: 0.15...0.35, using: &random) * (Bool.random(using: &random) ? 1 : -1)
            x[index] = (Double(k) + offset) * scale[c]  // rounds to k: q = z + k, never exactly qmin or qmax
        }
        let w = random.floats(layout.count).map(Double.init)
        return Problem(x: x, w: w, scale: scale, zero: zero, layout: layout, qmin: qmin, qmax: qmax)
    }

    private let configurations: [(Shape, Int?, Int, Int, Bool)] = [
        ([3, 7], nil, 0, 255, false), ([3, 7], 0, -127, 127, true), ([2, 3, 4, 5], 1, -128, 127, false),
        ([1, 33, 1, 1], 1, 0, 255, false), ([5, 2, 3, 3], 0, -127, 127, true), ([4, 6], 1, -128, 127, false),
    ]

    func testLSQScaleGradientIsTheTrueDerivativeLessTheStraightThroughTerm() {
        for (index, (shape, axis, qmin, qmax, symmetric)) in configurations.enumerated() {
            let p = problem(shape: shape, axis: axis, qmin: qmin, qmax: qmax, symmetric: symmetric,
                            seed: UInt64(10 + index))
            let (dx, ds) = backward(p)
            let numeric = numericalGradient(of: { scale in
                var moved = p
                moved.scale = scale
                return zip(forward(moved), p.w).reduce(0) { $0 + $1.0 * $1.1 }
            }, at: p.scale)
            var straightThrough = [Double](repeating: 0, count: p.layout.channels)
            for i in p.x.indices where dx[i] != 0 {
                let c = (i / p.layout.inner) % p.layout.channels
                straightThrough[c] += p.w[i] * p.x[i] / p.scale[c]
            }
            let expected = zip(numeric, straightThrough).map { ($0 - $1) * p.gradFactor }
            assertClose(ds, expected, rtol: 1e-6, atol: 1e-9, "\(shape) axis \(String(describing: axis))")
        }
    }

    func testBackwardMatchesTheStraightThroughSurrogate() {
        for (index, (shape, axis, qmin, qmax, symmetric)) in configurations.enumerated() {
            let p = problem(shape: shape, axis: axis, qmin: qmin, qmax: qmax, symmetric: symmetric,
                            seed: UInt64(20 + index))
            let label = "\(shape) axis \(String(describing: axis))"
            let residual = p.x.indices.map { i -> Double in
                let u = p.x[i] / p.scale[(i / p.layout.inner) % p.layout.channels]
                return u.rounded(.toNearestOrEven) - u
            }
            func surrogate(x: [Double], scale: [Double]) -> [Double] {
                x.indices.map { i in
                    let c = (i / p.layout.inner) % p.layout.channels
                    let q = p.zero[c] + x[i] / scale[c] + residual[i]
                    return (min(max(q, Double(p.qmin)), Double(p.qmax)) - p.zero[c]) * scale[c]
                }
            }
            assertClose(surrogate(x: p.x, scale: p.scale), forward(p), rtol: 1e-12, atol: 1e-12,
                        label + ": the surrogate equals the forward at the point")
            let loss = { (x: [Double], scale: [Double]) in
                zip(surrogate(x: x, scale: scale), p.w).reduce(0) { $0 + $1.0 * $1.1 }
            }
            let (dx, ds) = backward(p)
            assertClose(dx, numericalGradient(of: { loss($0, p.scale) }, at: p.x), rtol: 1e-6, atol: 1e-8,
                        label + " dx")
            let numericScale = numericalGradient(of: { loss(p.x, $0) }, at: p.scale).map { $0 * p.gradFactor }
            assertClose(ds, numericScale, rtol: 1e-6, atol: 1e-9, label + " ds")
            XCTAssertTrue(dx.contains(0) && dx.contains { $0 != 0 }, label + ": both clamped and passing elements")
        }
    }

    func testTheStraightThroughBackwardWithoutGradScaleWritesTheSameDx() {
        let p = problem(shape: [2, 3, 4, 5], axis: 1, qmin: 0, qmax: 255, symmetric: false, seed: 30)
        let (withScale, _) = backward(p)
        var dx = [Double](repeating: .nan, count: p.x.count)
        FakeQuantKernels.fakeQuantizeBackward(p.x, gradOutput: p.w, scale: p.scale, zeroPoint: p.zero,
                                                layout: p.layout, qmin: p.qmin, qmax: p.qmax, gradInput: &dx,
                                                gradScale: nil)
        XCTAssertEqual(dx, withScale)
    }

    /// Affine parameters make zero exactly representable and cover [min, max] to within half a step.
    func testQuantizationParametersRepresentZeroAndCoverTheRange() throws {
        var random = SeededGenerator(seed: 40)
        let backend = TestDevices.cpu
        let mins = random.floats(16, in: -3...0.5), maxs = mins.map { $0 + Float.random(in: 0.1...4, using: &random) }
        for (qmin, qmax) in [(0, 255), (-128, 127)] {
            let scale = try backend.poisoned([16]), zero = try backend.poisoned([16])
            try backend.quantizationParameters(minimum: try backend.tensor(mins, shape: [16]),
                                               maximum: try backend.tensor(maxs, shape: [16]), qmin: qmin,
                                               qmax: qmax, symmetric: false, scale: scale, zeroPoint: zero)
            let output = try backend.poisoned([3, 16])
            let probe = [Float](repeating: 0, count: 16) + mins.map { min($0, 0) } + maxs.map { max($0, 0) }
            try backend.fakeQuantize(input: try backend.tensor(probe, shape: [3, 16]), scale: scale, zeroPoint: zero,
                                     axis: 1, qmin: qmin, qmax: qmax, output: output)
            let y = try output.toHost(), s = try scale.toHost()
            XCTAssertEqual(Array(y[0..<16]), [Float](repeating: 0, count: 16), "zero is exact")
            for i in 16..<48 { XCTAssertLessThanOrEqual(abs(y[i] - probe[i]), s[i % 16] * 0.5001, "element \(i)") }
        }
    }

    // MARK: - Bad input

    func testBadInputThrowsClearErrors() throws {
        let cpu = TestDevices.cpu
        let x = try cpu.full([2, 3], value: 0.5), out = try cpu.full([2, 3], value: 0)
        let one = try cpu.full([1], value: 0.1), zero1 = try cpu.full([1], value: 0)
        let three = try cpu.full([3], value: 0.1), zero3 = try cpu.full([3], value: 0)

        func expect(_ fragment: String, _ body: () throws -> Void, line: UInt = #line) {
            XCTAssertThrowsError(try body(), line: line) { error in
                XCTAssertTrue(error is CondenseError, "\(error)", line: line)
                XCTAssertTrue("\(error)".contains(fragment), "\"\(error)\" should mention \(fragment)", line: line)
            }
        }
        expect("qmin must be less than qmax") {
            try cpu.fakeQuantize(input: x, scale: one, zeroPoint: zero1, axis: nil, qmin: 5, qmax: 5, output: out)
        }
        expect("axis 2 is out of range") {
            try cpu.fakeQuantize(input: x, scale: three, zeroPoint: zero3, axis: 2, qmin: 0, qmax: 255, output: out)
        }
        expect("axis -1 is out of range") {
            try cpu.fakeQuantize(input: x, scale: three, zeroPoint: zero3, axis: -1, qmin: 0, qmax: 255, output: out)
        }
        expect("scale of shape [1] (per tensor)") {
            try cpu.fakeQuantize(input: x, scale: three, zeroPoint: zero1, axis: nil, qmin: 0, qmax: 255, output: out)
        }
        expect("zeroPoint of shape [3] (one per channel along axis 1)") {
            try cpu.fakeQuantize(input: x, scale: three, zeroPoint: zero1, axis: 1, qmin: 0, qmax: 255, output: out)
        }
        expect("scale of shape [2]") {
            try cpu.fakeQuantize(input: x, scale: three, zeroPoint: zero3, axis: 0, qmin: 0, qmax: 255, output: out)
        }
        expect("output of shape [2, 3]") {
            try cpu.fakeQuantize(input: x, scale: one, zeroPoint: zero1, axis: nil, qmin: 0, qmax: 255,
                                 output: try cpu.full([6], value: 0))
        }
        expect("expected float32 tensor, got int8") {
            try cpu.fakeQuantize(input: x, scale: try cpu.allocate([1], dtype: .int8), zeroPoint: zero1, axis: nil,
                                 qmin: 0, qmax: 255, output: out)
        }
        expect("different backends") {
            try cpu.fakeQuantize(input: x, scale: try CPUBackend().full([1], value: 0.1), zeroPoint: zero1,
                                 axis: nil, qmin: 0, qmax: 255, output: out)
        }
        expect("at least one element") {
            let empty = try cpu.allocate([0, 3], dtype: .float32)
            try cpu.fakeQuantize(input: empty, scale: one, zeroPoint: zero1, axis: nil, qmin: 0, qmax: 255,
                                 output: empty)
        }
        expect("2^24") {
            try cpu.fakeQuantize(input: x, scale: one, zeroPoint: zero1, axis: nil, qmin: 0, qmax: 1 << 25, output: out)
        }
        expect("gradScale of shape [1]") {
            try cpu.fakeQuantizeBackward(input: x, gradOutput: x, scale: one, zeroPoint: zero1, axis: nil, qmin: 0,
                                         qmax: 255, gradInput: out, gradScale: three)
        }
        expect("needs qmax > 0") {
            try cpu.fakeQuantizeBackward(input: x, gradOutput: x, scale: one, zeroPoint: zero1, axis: nil,
                                         qmin: -10, qmax: 0, gradInput: out, gradScale: one)
        }
        expect("gradOutput of shape [2, 3]") {
            try cpu.fakeQuantizeBackward(input: x, gradOutput: three, scale: one, zeroPoint: zero1, axis: nil,
                                         qmin: 0, qmax: 255, gradInput: out, gradScale: nil)
        }
        expect("minimum of shape [3]") {
            try cpu.minMax(input: x, axis: 1, minimum: one, maximum: three)
        }
        expect("maximum of shape [1]") {
            try cpu.minMax(input: x, axis: nil, minimum: one, maximum: three)
        }
        expect("maximum of shape [3]") {
            try cpu.quantizationParameters(minimum: three, maximum: one, qmin: 0, qmax: 255, symmetric: false,
                                           scale: three, zeroPoint: zero3)
        }
        expect("minimum of shape [1] or [channels]") {
            try cpu.quantizationParameters(minimum: x, maximum: x, qmin: 0, qmax: 255, symmetric: false,
                                           scale: x, zeroPoint: x)
        }
        expect("qmin must be less than qmax") {
            try cpu.quantizationParameters(minimum: three, maximum: three, qmin: 10, qmax: -10, symmetric: true,
                                           scale: three, zeroPoint: zero3)
        }
    }

    // MARK: - The Double reference on arrays

    private func forward(_ p: Problem) -> [Double] {
        var y = [Double](repeating: .nan, count: p.x.count)
        FakeQuantKernels.fakeQuantize(p.x, scale: p.scale, zeroPoint: p.zero, layout: p.layout, qmin: p.qmin,
                                        qmax: p.qmax, output: &y)
        return y
    }

    private func backward(_ p: Problem) -> (dx: [Double], ds: [Double]) {
        var dx = [Double](repeating: .nan, count: p.x.count)
        var ds = [Double](repeating: .nan, count: p.layout.channels)
        FakeQuantKernels.fakeQuantizeBackward(p.x, gradOutput: p.w, scale: p.scale, zeroPoint: p.zero,
                                                layout: p.layout, qmin: p.qmin, qmax: p.qmax, gradInput: &dx,
                                                gradScale: &ds)
        return (dx, ds)
    }
}
