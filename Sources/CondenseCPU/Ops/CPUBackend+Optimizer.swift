import CondenseCore

extension CPUBackend: OptimizerOps {
    public func sgdStep(parameter: Tensor, gradient: Tensor, momentumBuffer: Tensor?, options: SGDOptions,
                        isFirstStep: Bool) throws {
        try options.validate("sgdStep")
        try requireFloat32("sgdStep", parameter)
        try requireSameShape("sgdStep", "gradient", gradient, as: parameter)
        if let momentumBuffer { try requireSameShape("sgdStep", "momentumBuffer", momentumBuffer, as: parameter) }
        OptimizerKernels.sgd(count: parameter.count, parameter: try parameter.cpuFloats("sgdStep"),
                               gradient: try gradient.cpuFloats("sgdStep"),
                               momentumBuffer: try momentumBuffer?.cpuFloats("sgdStep"), options: options,
                               isFirstStep: isFirstStep)
    }

    public func adamWStep(parameter: Tensor, gradient: Tensor, firstMoment: Tensor, secondMoment: Tensor, step: Int,
                          options: AdamWOptions) throws {
        let constants = try options.stepConstants("adamWStep", step: step)
        try requireFloat32("adamWStep", parameter)
        for (name, tensor) in [("gradient", gradient), ("firstMoment", firstMoment), ("secondMoment", secondMoment)] {
            try requireSameShape("adamWStep", name, tensor, as: parameter)
        }
        OptimizerKernels.adamW(count: parameter.count, parameter: try parameter.cpuFloats("adamWStep"),
                                 gradient: try gradient.cpuFloats("adamWStep"),
                                 firstMoment: try firstMoment.cpuFloats("adamWStep"),
                                 secondMoment: try secondMoment.cpuFloats("adamWStep"), options: options,
                                 stepSize: constants.stepSize, secondMomentCorrection: constants.secondMomentCorrection)
    }
}
