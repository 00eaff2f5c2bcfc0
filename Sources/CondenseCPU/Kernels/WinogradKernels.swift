import CCondenseKernels
import CondenseCore

/// Winograd F(2×2, 3×3) (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016) for 3×3,
/// stride-1, padding-1 convolutions: the output is cut into 2×2 tiles, each read from a 4×4 input tile `d`, and
/// `y = Aᵀ·[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A`: 16 multiplies per tile and (input, output) channel pair, not 36.
/// The 16 element-wise products, summed over input channels, are 16 GEMMs over all tiles (`WinogradConvolution`).
///
/// Transformed tiles are stored element-major, `V[ξ][channel][column]` with `ξ = 4·r + k` the position in the 4×4
/// tile and `column = s·tiles + ty·tilesX + tx` for sample `s` of a chunk, so each GEMM reads contiguous rows. The
/// tile transforms (`winograd_tiles.h`, C compiled per instruction set) run sixteen tiles at a time (of one tile
/// row, or of two or four short ones) and may write and read up to 15 columns past a channel's last tile: the
/// `slack` at the end of its columns.
struct WinogradTiling {
    /// Height and width of the input and output planes (equal: stride 1, padding 1).
    let height: Int, width: Int
    /// Tiles per plane along each axis and in all; the last tile of an odd extent reaches past the plane.
    let tilesY: Int, tilesX: Int, tiles: Int
    /// Columns past the last tile of a chunk that a row of transformed tiles must have room for.
    static let slack = 16
    var plane: Int { height * width }

    init(height: Int, width: Int) {
        (self.height, self.width) = (height, width)
        (tilesY, tilesX) = ((height + 1) / 2, (width + 1) / 2)
        tiles = tilesY * tilesX
    }
}

/// The tile transforms of `WinogradTiling` (the C kernels of `winograd_tiles.h`) and the two kernel transforms.
enum WinogradKernels {
    /// Floats of the zeroed scratch `transformInput` and `transformGradient` read `channels` planes through.
    static func scratchSize(channels: Int, _ t: WinogradTiling) -> Int {
        condense_winograd_scratch_size(channels, t.height, t.width)
    }

    /// Input tiles `Bᵀ·d·B` of one sample's `channels` planes (`d` with padding 1) into `v[ξ][c][column…]` with
    /// row length `stride`, through `scratch` (`scratchSize`, zeroed before the first call).
    static func transformInput(_ x: UnsafePointer<Float>, channels: Int, _ t: WinogradTiling,
                               into v: UnsafeMutablePointer<Float>, stride: Int, column: Int,
                               scratch: UnsafeMutablePointer<Float>) {
        condense_winograd_input_tiles(x, channels, t.height, t.width, v, stride, column, scratch)
    }

    /// Output tiles `Aᵀ·m·A` of one sample from `m[ξ][o][column…]` (row length `stride`) into its `channels`
    /// planes, plus `bias[o]`; the parts of edge tiles past the plane are dropped.
    static func transformOutput(_ m: UnsafePointer<Float>, channels: Int, _ t: WinogradTiling, stride: Int,
                                column: Int, bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>) {
        condense_winograd_output_tiles(m, channels, t.height, t.width, stride, column, bias, y)
    }

    /// Output-gradient tiles `A·dy·Aᵀ` (the adjoint of `transformOutput`; 2×2 tiles, zero past the plane) of one
    /// sample's `channels` planes into `z[ξ][o][column…]`, through `scratch` as `transformInput` (but not the same one).
    static func transformGradient(_ dy: UnsafePointer<Float>, channels: Int, _ t: WinogradTiling,
                                  into z: UnsafeMutablePointer<Float>, stride: Int, column: Int,
                                  scratch: UnsafeMutablePointer<Float>) {
        condense_winograd_gradient_tiles(dy, channels, t.height, t.width, z, stride, column, scratch)
    }

    /// Kernel tiles `G·g·Gᵀ` of `[O, C, 3, 3]` weights into `u[ξ][o][c]`; with `flipped`, the kernels of the input
    /// gradient instead (`u[ξ][c][o]` from `g` rotated by 180°), a 3×3 convolution of the output gradient.
    static func transformWeights(_ w: UnsafePointer<Float>, outputChannels: Int, inputChannels: Int, flipped: Bool,
                                 into u: UnsafeMutablePointer<Float>) {
        let pairs = outputChannels * inputChannels
        @inline(__always) func kernelRow(_ g0: Float, _ g1: Float, _ g2: Float) -> (Float, Float, Float, Float) {
            (g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2)
        }
        for o in 0..<outputChannels {
            for c in 0..<inputChannels {
                let g = w + (o * inputChannels + c) * 9
                @inline(__always) func tap(_ i: Int) -> Float { g[flipped ? 8 - i : i] }
                let target = u + (flipped ? c * outputChannels + o : o * inputChannels + c)
                @inline(__always) func store(_ r: Int, _ row: (Float, Float, Float, Float)) {
                    let base = target + 4 * r * pairs
                    (base[0], base[pairs], base[2 * pairs], base[3 * pairs]) = row
                }
                // G over the kernel's columns, then over the rows of the result.
                let c0 = kernelRow(tap(0), tap(3), tap(6)), c1 = kernelRow(tap(1), tap(4), tap(7))
                let c2 = kernelRow(tap(2), tap(5), tap(8))
                store(0, kernelRow(c0.0, c1.0, c2.0))
                store(1, kernelRow(c0.1, c1.1, c2.1))
                store(2, kernelRow(c0.2, c1.2, c2.2))
                store(3, kernelRow(c0.3, c1.3, c2.3))
            }
        }
    }

    /// The weight gradient `Gᵀ·D·G` (the adjoint of `transformWeights`) of the summed products `d[ξ][o][c]` into
    /// `[O, C, 3, 3]`.
    static func weightGradient(_ d: UnsafePointer<Float>, outputChannels: Int, inputChannels: Int,
                               into dw: UnsafeMutablePointer<Float>) {
        let pairs = outputChannels * inputChannels
        @inline(__always)
        func gradientRow(_ d0: Float, _ d1: Float, _ d2: Float, _ d3: Float) -> (Float, Float, Float) {
            (d0 + (d1 + d2) / 2, (d1 - d2) / 2, (d1 + d2) / 2 + d3)
        }
        for pair in 0..<pairs {
            @inline(__always) func column(_ k: Int) -> (Float, Float, Float) {
                gradientRow(d[k * pairs + pair], d[(4 + k) * pairs + pair], d[(8 + k) * pairs + pair],
                            d[(12 + k) * pairs + pair])
            }
            // Gᵀ over the tile's columns, then over the rows of the result.
            let (c0, c1, c2, c3) = (column(0), column(1), column(2), column(3))
            let target = dw + pair * 9
            (target[0], target[1], target[2]) = gradientRow(c0.0, c1.0, c2.0, c3.0)
            (target[3], target[4], target[5]) = gradientRow(c0.1, c1.1, c2.1, c3.1)
            (target[6], target[7], target[8]) = gradientRow(c0.2, c1.2, c2.2, c3.2)
        }
    }
}
