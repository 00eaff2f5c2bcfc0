import CondenseCore

/// `OptimizerOps` through `Kernels/optimizer.cl`: one elementwise launch per parameter tensor, no read-back.
extension OpenCLBackend: OptimizerOps {
    public func sgdStep(parameter: Tensor, gradient: Tensor, momentumBuffer: Tensor?, options o: SGDOptions,
                        isFirstStep: Bool) throws {
        try OptimizerValidation.sgdStep(parameter: parameter, gradient: gradient, momentumBuffer: momentumBuffer,
                                        options: o)
        let hasMomentum = o.momentum != 0 && momentumBuffer != nil
        try launch("sgd_step", file: "optimizer",
                   defines: ["HAS_MOMENTUM": hasMomentum ? 1 : 0, "NESTEROV": o.nesterov ? 1 : 0,
                             "FIRST_STEP": isFirstStep ? 1 : 0],
                   arguments: [.buffer(parameter), .buffer(gradient), .buffer(momentumBuffer ?? gradient),
                               .int(parameter.count), .float(o.learningRate), .float(o.momentum),
                               .float(1 - o.dampening), .float(o.weightDecay)],
                   global: [roundUp(parameter.count, toMultipleOf: group(64))], local: [group(64)])
    }

    public func adamWStep(parameter: Tensor, gradient: Tensor, firstMoment: Tensor, secondMoment: Tensor, step: Int,
                          options o: AdamWOptions) throws {
        let constants = try OptimizerValidation.adamWStep(parameter: parameter, gradient: gradient,
                                                          firstMoment: firstMoment, secondMoment: secondMoment,
                                                          step: step, options: o)
        try launch("adamw_step", file: "optimizer",
                   arguments: [.buffer(parameter), .buffer(gradient), .buffer(firstMoment), .buffer(secondMoment),
                               .int(parameter.count), .float(1 - o.learningRate * o.weightDecay),
                               .float(1 - o.beta1), .float(o.beta2), .float(1 - o.beta2), .float(o.epsilon),
                               .float(constants.stepSize), .float(constants.secondMomentCorrection)],
                   global: [roundUp(parameter.count, toMultipleOf: group(64))], local: [group(64)])
    }
}
