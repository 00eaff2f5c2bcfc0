import CondenseCore

extension CPUBackend: OptimizerOps {
    public func sgdStep(parameter: Tensor, gradient: Tensor, momentumBuffer: Tensor?, options: SGDOptions,
                        isFirstStep: Bool) throws {
        try OptimizerValidation.sgdStep(parameter: parameter, gradient: gradient, momentumBuffer: momentumBuffer,
                                        options: options)
        OptimizerKernels.sgd(count: parameter.count, parameter: try parameter.cpuFloats("sgdStep"),
                               gradient: try gradient.cpuFloats("sgdStep"),
                               momentumBuffer: try momentumBuffer?.cpuFloats("sgdStep"), options: options,
                               isFirstStep: isFirstStep)
    }

    public func adamWStep(parameter: Tensor, gradient: Tensor, firstMoment: Tensor, secondMoment: Tensor, step: Int,
                          options: AdamWOptions) throws {
        let constants = try OptimizerValidation.adamWStep(parameter: parameter, gradient: gradient,
                                                          firstMoment: firstMoment, secondMoment: secondMoment,
                                                          step: step, options: options)
        OptimizerKernels.adamW(count: parameter.count, parameter: try parameter.cpuFloats("adamWStep"),
                                 gradient: try gradient.cpuFloats("adamWStep"),
                                 firstMoment: try firstMoment.cpuFloats("adamWStep"),
                                 secondMoment: try secondMoment.cpuFloats("adamWStep"), options: options,
                                 stepSize: constants.stepSize, secondMomentCorrection: constants.secondMomentCorrection)
    }
}
