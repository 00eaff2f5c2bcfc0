import CondenseCore

/// A layer or a model: owns parameters (variables that require gradients) and buffers (running statistics), has
/// named sub-modules, and maps an input variable to an output variable. Names follow PyTorch
/// (`features.3.conv.1.weight`) so checkpoints and exports interoperate.
open class Module {
    /// Training mode (batch statistics, dropout) or evaluation mode; set for a whole tree with `train(_:)`.
    public private(set) var isTraining = true

    public init() {}

    /// Sub-modules with their names, in registration order.
    open var children: [(name: String, module: Module)] { [] }
    /// This module's own parameters (not its children's).
    open var ownParameters: [(name: String, variable: Variable)] { [] }
    /// This module's own buffers: state saved with the model but not trained (`running_mean`, `running_var`).
    open var ownBuffers: [(name: String, variable: Variable)] { [] }

    open func forward(_ x: Variable) throws -> Variable { x }

    public func callAsFunction(_ x: Variable) throws -> Variable { try forward(x) }

    /// Every parameter of the tree with its dotted name.
    public func namedParameters() -> [(name: String, variable: Variable)] {
        ownParameters + children.flatMap { child in
            child.module.namedParameters().map { ("\(child.name).\($0.name)", $0.variable) }
        }
    }

    /// Every buffer of the tree with its dotted name.
    public func namedBuffers() -> [(name: String, variable: Variable)] {
        ownBuffers + children.flatMap { child in
            child.module.namedBuffers().map { ("\(child.name).\($0.name)", $0.variable) }
        }
    }

    /// The backend the tree's tensors live on: that of its first parameter (or buffer).
    /// - Throws: `CondenseError.invalidArgument` for a module with neither, which lives on no backend.
    public var backend: Backend {
        get throws {
            guard let variable = namedParameters().first?.variable ?? namedBuffers().first?.variable else {
                throw CondenseError.invalidArgument(op: "backend", "\(type(of: self)) has no parameters or buffers, " +
                                                    "so it lives on no backend")
            }
            return variable.backend
        }
    }

        /// Total number of trainable parameters (elements).
    /// This module and every module below it, depth first.
    public var descendants: [Module] { [self] + children.flatMap(\.module.descendants) }

    public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.variable.value.count } }

    /// Switches the whole tree to training (`true`) or evaluation mode.
    public func train(_ training: Bool = true) {
        isTraining = training
        for child in children { child.module.train(training) }
    }

    /// Forgets every parameter's gradient.
    public func zeroGrad() {
        for (_, parameter) in namedParameters() { parameter.zeroGrad() }
    }
}

/// Modules applied one after another, named "0", "1", … as PyTorch's `nn.Sequential`.
public final class Sequential: Module {
    public let layers: [Module]

    public init(_ layers: [Module]) { self.layers = layers }

    override public var children: [(name: String, module: Module)] {
        layers.enumerated().map { ("\($0.offset)", $0.element) }
    }

    override public func forward(_ x: Variable) throws -> Variable {
        try layers.reduce(x) { try $1($0) }
    }
}
