/// A model whose forward pass is a chain of stages (stem, blocks, head), so that a caller can run the stages before
/// a layer once and reuse their output for many variants of the layers after (sensitivity analysis does).
public protocol StagedModel: Module {
    /// The stages in order, each with the module path its parameters are named under (`features.3`, `layer1.0`,
    /// `fc`); applying them one after another is `forward`.
    var stages: [(path: String, module: Module)] { get }
}

extension StagedModel {
    /// The index of the stage that holds the parameter or module named `name`.
    public func stageIndex(of name: String) -> Int? {
        stages.firstIndex { name == $0.path || name.hasPrefix($0.path + ".") }
    }
}
