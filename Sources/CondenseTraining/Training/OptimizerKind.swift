/// The optimizers training offers, by the word the command line and `condense run`'s settings use.
public enum OptimizerKind: String, CaseIterable, Codable, Sendable {
    /// AdamW with PyTorch's defaults (β 0.9 and 0.999, ε 1e-8) and decoupled weight decay.
    case adamw
    /// SGD with momentum 0.9 and Nesterov.
    case sgd
}
