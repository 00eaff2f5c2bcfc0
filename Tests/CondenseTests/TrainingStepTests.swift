import Condense
import CondenseCore
import CondenseNN
import CondenseTestSupport
import XCTest

/// The gradient hook of the shared training step: it runs once per step with every trained parameter's complete
/// gradient, before the optimizer's update (where data-parallel training would average gradients).
final class TrainingStepTests: TrainingTestCase {
    func testTheGradientHookRunsOnEveryGradientBeforeTheUpdate() throws {
        let backend = TestDevices.cpu
        let model = try ModelFactory.model(.resnet20, width: 0.25, for: dataset, seed: 5, on: backend)
        let parameters = model.module.namedParameters()
        let before = try parameters.map { try $0.variable.value.toHost() }
        var options = TrainingOptions()
        options.epochs = 1
        options.batchSize = 2
        options.optimizer = .sgd
        options.weightDecay = 0
        var calls = 0
        // Zeroing every gradient in the hook must leave SGD (no weight decay) nothing to apply: the hook sits
        // between backward and the update, and sees all of the model's parameters with their gradients.
        let hooks = TrainingHooks(afterBackward: { trained in
            calls += 1
            XCTAssertEqual(trained.count, parameters.count)
            for parameter in trained {
                let gradient = try XCTUnwrap(parameter.grad, "every parameter has its gradient by then")
                try backend.scale(gradient, by: 0, output: gradient)
            }
        })
        _ = try Training.train(model, on: dataset, options: options, checkpointPath: nil, hooks: hooks)
        XCTAssertEqual(calls, 3, "5 images in batches of 2: one call per step")
        XCTAssertEqual(try parameters.map { try $0.variable.value.toHost() }, before)
    }
}
