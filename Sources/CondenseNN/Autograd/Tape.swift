import CondenseCore

/// The eager autograd tape. While `Tape.record` runs, every differentiable op whose inputs need gradients appends
/// its backward closure; `backward(from:)` walks the entries in reverse, handing each closure the gradient of its
/// output and letting it accumulate into its inputs' gradients.
///
/// Threading rule: one recording at a time per process (training runs on one thread, as the backends' queues do).
public final class Tape {
    /// The tape ops record onto, or nil outside `record` (inference, evaluation).
    ///
    /// Shared mutable state the compiler cannot check: the one-thread rule above is what makes it safe. Record,
    /// run the ops and call `backward` on one thread; another thread running ops meanwhile would record onto (or
    /// miss) this tape.
    nonisolated(unsafe) public private(set) static var active: Tape?

    private var entries: [(output: Variable, backward: (Tensor) throws -> Void)] = []
    /// Every leaf variable needing a gradient (one no recorded op produced: a parameter) with the index of the first
    /// entry that read it; walking backward, that entry is the last to add to its gradient.
    private var leaves: [(variable: Variable, firstReader: Int)] = []
    private var seen = Set<ObjectIdentifier>()

    private init() {}

    /// Runs `body` with a fresh tape active and returns its result with the tape.
    public static func record<T>(_ body: () throws -> T) rethrows -> (result: T, tape: Tape) {
        let tape = Tape(), previous = active
        active = tape
        defer { active = previous }
        return (try body(), tape)
    }

    /// Runs `body` with recording suspended (a frozen teacher's forward pass inside a student's step).
    public static func withoutRecording<T>(_ body: () throws -> T) rethrows -> T {
        let previous = active
        active = nil
        defer { active = previous }
        return try body()
    }

    /// Records `output`'s backward closure when a tape is active and any input needs a gradient, and returns the
    /// variable to hand on (requiring a gradient exactly when recorded).
    static func output(_ value: Tensor, inputs: [Variable?], backward: @escaping (Tensor) throws -> Void) -> Variable {
        guard let tape = active, inputs.contains(where: { $0?.requiresGrad == true }) else { return Variable(value) }
        let output = Variable(value, requiresGrad: true)
        for case let input? in inputs where input.requiresGrad && tape.seen.insert(ObjectIdentifier(input)).inserted {
            tape.leaves.append((input, tape.entries.count))
        }
        tape.seen.insert(ObjectIdentifier(output))
        tape.entries.append((output, backward))
        return output
    }

    /// Back-propagates from the scalar `loss` (seeded with `seed`, 1 by default) through every recorded op.
    ///
    /// `gradientComplete` is called with each leaf the tape read (each parameter) as soon as no op left to walk
    /// will add to its gradient, in the same order on every run of the same graph, so a data-parallel job can
    /// start reducing gradients while the rest of the backward pass runs. A leaf whose gradient stays nil (no path
    /// from the loss reached it) is reported too.
    public func backward(from loss: Variable, seed: Float = 1,
                         gradientComplete: ((Variable) throws -> Void)? = nil) throws {
        guard loss.value.count == 1 else {
            throw CondenseError.shapeMismatch(op: "backward", expected: "a 1-element loss", got: "\(loss.shape)")
        }
        try loss.accumulate(try loss.backend.full(loss.shape, value: seed))
        var pendingLeaves = leaves[...]
        for index in entries.indices.reversed() {
            let entry = entries[index]
            if let gradient = entry.output.grad {
                try entry.backward(gradient)
                entry.output.grad = nil  // activations' gradients are not needed once propagated
            }
            guard let gradientComplete else { continue }
            while let leaf = pendingLeaves.last, leaf.firstReader == index {
                try gradientComplete(leaf.variable)
                pendingLeaves.removeLast()
            }
        }
        entries.removeAll()
        leaves.removeAll()
        seen.removeAll()
    }
}
