/// The extents of a sliding-window op (convolution, pooling) on NCHW tensors.
public struct WindowGeometry: Equatable, Sendable {
    public let batch: Int, inputChannels: Int, outputChannels: Int
    public let inputHeight: Int, inputWidth: Int
    public let kernelHeight: Int, kernelWidth: Int
    public let strideHeight: Int, strideWidth: Int
    public let paddingHeight: Int, paddingWidth: Int
    public let dilationHeight: Int, dilationWidth: Int

    /// The geometry of a window op on an NCHW `input`; per-axis values as (height, width).
    public init(input: Shape, outputChannels: Int, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int),
                dilation: (Int, Int)) {
        (batch, inputChannels, inputHeight, inputWidth) = (input[0], input[1], input[2], input[3])
        self.outputChannels = outputChannels
        (kernelHeight, kernelWidth) = kernel
        (strideHeight, strideWidth) = stride
        (paddingHeight, paddingWidth) = padding
        (dilationHeight, dilationWidth) = dilation
    }

    public var outputHeight: Int {
        (inputHeight + 2 * paddingHeight - dilationHeight * (kernelHeight - 1) - 1) / strideHeight + 1
    }
    public var outputWidth: Int {
        (inputWidth + 2 * paddingWidth - dilationWidth * (kernelWidth - 1) - 1) / strideWidth + 1
    }
    /// Whether the dilated kernel fits inside the padded input (at least one output position per axis).
    public var windowFits: Bool {
        inputHeight + 2 * paddingHeight >= dilationHeight * (kernelHeight - 1) + 1
            && inputWidth + 2 * paddingWidth >= dilationWidth * (kernelWidth - 1) + 1
    }
    public var inputShape: Shape { [batch, inputChannels, inputHeight, inputWidth] }
    public var outputShape: Shape { [batch, outputChannels, outputHeight, outputWidth] }

    /// Calls `body(output index within the plane, ky, kx)` for every output whose window reads input `(iy, ix)`
    /// through kernel tap `(ky, kx)`: the gather that backward passes use instead of scattering with atomics.
    @inlinable
    public func forEachCoveringOutput(_ iy: Int, _ ix: Int, _ body: (Int, Int, Int) -> Void) {
        for ky in 0..<kernelHeight {
            let sy = iy + paddingHeight - ky * dilationHeight
            guard sy >= 0, sy % strideHeight == 0, sy / strideHeight < outputHeight else { continue }
            for kx in 0..<kernelWidth {
                let sx = ix + paddingWidth - kx * dilationWidth
                guard sx >= 0, sx % strideWidth == 0, sx / strideWidth < outputWidth else { continue }
                body(sy / strideHeight * outputWidth + sx / strideWidth, ky, kx)
            }
        }
    }
}

public extension WindowGeometry {
    /// Rows of one sample's column matrix: `C·kh·kw`.
    var columnRows: Int { inputChannels * kernelHeight * kernelWidth }
    /// Columns of one sample's column matrix: `Ho·Wo`.
    var columnCount: Int { outputHeight * outputWidth }
}
