import CondenseCore

/// The convolution shapes the Conv tests share: odd channel counts and maps, every parameter exercised.
public struct ConvTestCase: CustomStringConvertible, Sendable {
    public let input: Shape
    public let outputChannels: Int
    public let parameters: Conv2dParameters
    public let bias: Bool

    public init(input: Shape, outputChannels: Int, parameters: Conv2dParameters, bias: Bool) {
        (self.input, self.outputChannels, self.parameters, self.bias) = (input, outputChannels, parameters, bias)
    }

    public static let all: [ConvTestCase] = [
        .init(input: [1, 3, 5, 5], outputChannels: 7, parameters: .init(kernel: 3, padding: 1), bias: true),
        .init(input: [17, 3, 7, 9], outputChannels: 13, parameters: .init(kernel: 1), bias: false),
        .init(input: [2, 13, 7, 9], outputChannels: 33, parameters: .init(kernel: 3, stride: 2, padding: 1), bias: true),
        .init(input: [3, 7, 1, 1], outputChannels: 5, parameters: .init(kernel: 1), bias: true),
        .init(input: [2, 4, 9, 7], outputChannels: 6,
              parameters: .init(kernel: (3, 5), stride: (1, 2), padding: (2, 1), dilation: (2, 1), groups: 2), bias: true),
        .init(input: [2, 6, 5, 5], outputChannels: 6, parameters: .init(kernel: 5, padding: 2, groups: 6), bias: false),
        .init(input: [2, 33, 5, 5], outputChannels: 3, parameters: .init(kernel: 1, stride: 2), bias: true),
        // Dilated taps at stride 1 (im2col/col2im's shifted-row loops), and a row 2 wide whose last tap column lies
        // wholly in the padding at stride 2.
        .init(input: [2, 3, 6, 7], outputChannels: 4, parameters: .init(kernel: 3, padding: 2, dilation: 2), bias: false),
        .init(input: [2, 3, 4, 2], outputChannels: 2,
              parameters: .init(kernel: (3, 3), stride: (1, 2), padding: (2, 2), dilation: (2, 2), groups: 1), bias: true),
    ]

    /// The geometry of this case.
    public var geometry: WindowGeometry {
        let p = parameters
        return WindowGeometry(input: input, outputChannels: outputChannels, kernel: (p.kernelHeight, p.kernelWidth),
                              stride: (p.strideHeight, p.strideWidth), padding: (p.paddingHeight, p.paddingWidth),
                              dilation: (p.dilationHeight, p.dilationWidth))
    }

    public var weightShape: Shape {
        [outputChannels, input[1] / parameters.groups, parameters.kernelHeight, parameters.kernelWidth]
    }

    public var description: String { "input \(input) → \(outputChannels) channels, \(parameters)" }
}
