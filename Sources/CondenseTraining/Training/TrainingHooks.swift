import CondenseNN

/// Calls the training loop makes into code that shapes the run while it trains: pruning masks, and (for
/// data-parallel training) the exchange of gradients between processes.
public struct TrainingHooks {
    /// After backward and before clipping and the optimizer's update, with every trained parameter and its complete
    /// gradient (e.g. averaging the gradients across processes).
    public var afterBackward: (_ parameters: [Variable]) throws -> Void
    /// After every optimizer step, with the step's index from 0 (e.g. re-applying pruning masks).
    public var afterStep: (_ step: Int) throws -> Void
    /// Whether the weights at the end of an epoch whose last step had index `lastStep` may be kept as the best on
    /// validation (e.g. not before a pruning schedule reaches its final sparsity).
    public var mayKeep: (_ lastStep: Int) -> Bool

    public init(afterBackward: @escaping (_ parameters: [Variable]) throws -> Void = { _ in },
                afterStep: @escaping (_ step: Int) throws -> Void = { _ in },
                mayKeep: @escaping (_ lastStep: Int) -> Bool = { _ in true }) {
        self.afterBackward = afterBackward
        self.afterStep = afterStep
        self.mayKeep = mayKeep
    }
}
