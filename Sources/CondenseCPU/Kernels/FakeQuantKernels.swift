import CondenseCore

/// The CPU math of `FakeQuantOps`, generic so the same code runs in Float (the CPU backend) and Double (gradient
/// checks). Tensors are flat, split as `FakeQuantLayout` says (`outer × channels × inner`). The formulas are PyTorch's
/// kernels' (`fake_quantize_tensor_cachemask_kernel`, `_fake_quantize_grad_learnable_*_kernel_cpu`,
/// `_calculate_qparams`), written in the same order as `Kernels/fake_quant.cl` so both backends round alike:
/// `inv = 1/s`, `q = z + nearbyint(x·inv)`, `y = (clamp(q, qmin, qmax) − z)·s`.
///
/// Work is split into blocks (a row of `inner` elements of one channel, cut into chunks when long) that may run in
/// parallel; per-block sums are added per channel in block order afterwards, so results do not depend on the thread
/// count.
public enum FakeQuantKernels {
    /// `fakeQuantize` on `layout.count` elements; `scale` and `zeroPoint` hold one value per channel.
    public static func fakeQuantize<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, scale: UnsafePointer<T>,
                                                            zeroPoint: UnsafePointer<T>, layout: FakeQuantLayout,
                                                            qmin: Int, qmax: Int, output y: UnsafeMutablePointer<T>) {
        let lo = T(qmin), hi = T(qmax)
        forEachBlock(layout) { _, channel, range in
            let s = scale[channel], inv = 1 / s, z = zeroPoint[channel].rounded(.toNearestOrEven)
            for i in range {
                let q = z + (x[i] * inv).rounded(.toNearestOrEven)
                y[i] = (T.minimum(T.maximum(q, lo), hi) - z) * s
            }
        }
    }

    /// `requantize`: `clamp(z + nearbyint(x·m), qmin, qmax) − z` with `m` the channel's multiplier.
    public static func requantize<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, multiplier: UnsafePointer<T>,
                                                          zeroPoint: Int, layout: FakeQuantLayout, qmin: Int,
                                                          qmax: Int, output y: UnsafeMutablePointer<T>) {
        let lo = T(qmin), hi = T(qmax), z = T(zeroPoint)
        forEachBlock(layout) { _, channel, range in
            let m = multiplier[channel]
            for i in range { y[i] = T.minimum(T.maximum(z + (x[i] * m).rounded(.toNearestOrEven), lo), hi) - z }
        }
    }

    /// `fakeQuantizeBackward`: `dx = dy` where `q ∈ [qmin, qmax]`, else 0; unless `gradScale` is nil, the LSQ scale
    /// gradient per channel, `Σ g·(dy·(y − x)·inv | dy·(qmin − z) | dy·(qmax − z))` (in range | below | above) with
    /// `g = QuantizationPolicy.gradientFactor(layout, qmax:)`, each term formed as PyTorch's kernel forms it.
    public static func fakeQuantizeBackward<T: BinaryFloatingPoint>(
        _ x: UnsafePointer<T>, gradOutput dy: UnsafePointer<T>, scale: UnsafePointer<T>, zeroPoint: UnsafePointer<T>,
        layout: FakeQuantLayout, qmin: Int, qmax: Int, gradInput dx: UnsafeMutablePointer<T>,
        gradScale: UnsafeMutablePointer<T>?
    ) {
        let lo = T(qmin), hi = T(qmax)
        guard let gradScale else {
            forEachBlock(layout) { _, channel, range in
                let inv = 1 / scale[channel], z = zeroPoint[channel].rounded(.toNearestOrEven)
                for i in range {
                    let q = z + (x[i] * inv).rounded(.toNearestOrEven)
                    dx[i] = q >= lo && q <= hi ? dy[i] : 0
                }
            }
            return
        }
        let g = T(QuantizationPolicy.gradientFactor(layout, qmax: qmax))
        let partials = blockSums(layout) { channel, range in
            let s = scale[channel], inv = 1 / s, z = zeroPoint[channel].rounded(.toNearestOrEven)
            let below = lo - z, above = hi - z
            var sum: T = 0
            for i in range {
                let q = z + (x[i] * inv).rounded(.toNearestOrEven)
                let term: T
                if q >= lo && q <= hi {
                    dx[i] = dy[i]
                    term = dy[i] * ((q - z) * s - x[i]) * inv
                } else {
                    dx[i] = 0
                    term = dy[i] * (q < lo ? below : above)
                }
                sum += term * g
            }
            return sum
        }
        for channel in 0..<layout.channels { gradScale[channel] = 0 }
        for (block, sum) in partials.enumerated() { gradScale[channel(ofBlock: block, layout)] += sum }
    }

    /// Smallest and largest element per channel (one channel per tensor).
    public static func minMax<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, layout: FakeQuantLayout,
                                                      minimum: UnsafeMutablePointer<T>,
                                                      maximum: UnsafeMutablePointer<T>) {
        var mins = [T](repeating: .infinity, count: blockCount(layout))
        var maxs = mins.map { -$0 }
        mins.withUnsafeMutableBufferPointer { mins in
            maxs.withUnsafeMutableBufferPointer { maxs in
                forEachBlock(layout) { block, _, range in
                    var lo = T.infinity, hi = -T.infinity
                    for i in range {
                        lo = T.minimum(lo, x[i])
                        hi = T.maximum(hi, x[i])
                    }
                    mins[block] = lo
                    maxs[block] = hi
                }
            }
        }
        for channel in 0..<layout.channels {
            minimum[channel] = .infinity
            maximum[channel] = -.infinity
        }
        for block in mins.indices {
            let channel = channel(ofBlock: block, layout)
            minimum[channel] = T.minimum(minimum[channel], mins[block])
            maximum[channel] = T.maximum(maximum[channel], maxs[block])
        }
    }

    // MARK: - Blocks

    /// Elements per block: rows longer than this are cut, so a per-tensor problem still runs in parallel.
    static let blockLength = 1 << 14
    /// Problems smaller than this run on the calling thread.
    static let parallelThreshold = 1 << 16

    private static func chunksPerRow(_ layout: FakeQuantLayout) -> Int {
        max(1, (layout.inner + blockLength - 1) / blockLength)
    }

    private static func blockCount(_ layout: FakeQuantLayout) -> Int {
        layout.outer * layout.channels * chunksPerRow(layout)
    }

    private static func channel(ofBlock block: Int, _ layout: FakeQuantLayout) -> Int {
        (block / chunksPerRow(layout)) % layout.channels
    }

    /// Calls `body(block, channel, flat index range)` for every block, in parallel when the problem is large.
    private static func forEachBlock(_ layout: FakeQuantLayout, _ body: (Int, Int, Range<Int>) -> Void) {
        let chunks = chunksPerRow(layout), blocks = blockCount(layout)
        func run(_ block: Int) {
            let row = block / chunks, start = row * layout.inner + (block % chunks) * blockLength
            let end = Swift.min(start + blockLength, (row + 1) * layout.inner)
            body(block, row % layout.channels, start..<end)
        }
        guard layout.count >= parallelThreshold, blocks > 1 else {
            for block in 0..<blocks { run(block) }
            return
        }
        let tasks = Swift.min(blocks, 64)
        concurrentlyPerform(iterations: tasks) { task in
            for block in (task * blocks / tasks)..<((task + 1) * blocks / tasks) { run(block) }
        }
    }

    /// One sum per block from `body(channel, range)`.
    private static func blockSums<T: BinaryFloatingPoint>(_ layout: FakeQuantLayout,
                                                          _ body: (Int, Range<Int>) -> T) -> [T] {
        var sums = [T](repeating: 0, count: blockCount(layout))
        sums.withUnsafeMutableBufferPointer { sums in
            forEachBlock(layout) { block, channel, range in sums[block] = body(channel, range) }
        }
        return sums
    }
}
