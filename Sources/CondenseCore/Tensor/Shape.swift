/// The extents of a tensor, outermost first (NCHW for images, OIHW for convolution weights).
public struct Shape: Hashable, Sendable, ExpressibleByArrayLiteral, CustomStringConvertible {
    public let dims: [Int]

    public init(_ dims: [Int]) { self.dims = dims }
    public init(arrayLiteral dims: Int...) { self.dims = dims }

    /// Number of dimensions.
    public var rank: Int { dims.count }
    /// Number of elements (1 for a scalar).
    public var count: Int { dims.reduce(1, *) }
    public subscript(axis: Int) -> Int { dims[axis] }

    public var description: String { "[" + dims.map(String.init).joined(separator: ", ") + "]" }

    /// Throws unless every extent is non-negative.
    public func validated(for op: String) throws -> Shape {
        guard dims.allSatisfy({ $0 >= 0 }) else {
            throw CondenseError.invalidArgument(op: op, "shape \(self) has a negative extent")
        }
        return self
    }
}
