/// `x + body(x)`: a residual connection around any module (its child is named `body`).
public final class Residual: Module {
    public let body: Module

    public init(_ body: Module) { self.body = body }

    override public var children: [(name: String, module: Module)] { [("body", body)] }

    override public func forward(_ x: Variable) throws -> Variable { try add(x, try body(x)) }
}
