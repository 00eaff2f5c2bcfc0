import CondenseCore

/// Optimizer updates on the host, generic over the float type, element by element exactly as the OpenCL kernels.
public enum OptimizerKernels {
    /// One SGD step over `count` elements (see `OptimizerOps.sgdStep`).
    public static func sgd<T: BinaryFloatingPoint>(count: Int, parameter: UnsafeMutablePointer<T>,
                                                   gradient: UnsafePointer<T>, momentumBuffer: UnsafeMutablePointer<T>?,
                                                   options o: SGDOptions, isFirstStep: Bool) {
        let lr = T(o.learningRate), mu = T(o.momentum), damp = T(1 - o.dampening), wd = T(o.weightDecay)
        for i in 0..<count {
            var g = gradient[i] + wd * parameter[i]
            if let buffer = momentumBuffer, o.momentum != 0 {
                buffer[i] = isFirstStep ? g : mu * buffer[i] + damp * g
                g = o.nesterov ? g + mu * buffer[i] : buffer[i]
            }
            parameter[i] -= lr * g
        }
    }

    /// One AdamW step over `count` elements with the step constants `OptimizerValidation.adamWStep` returns.
    public static func adamW<T: BinaryFloatingPoint>(count: Int, parameter: UnsafeMutablePointer<T>,
                                                     gradient: UnsafePointer<T>, firstMoment: UnsafeMutablePointer<T>,
                                                     secondMoment: UnsafeMutablePointer<T>, options o: AdamWOptions,
                                                     stepSize: T, secondMomentCorrection: T) {
        let decay = 1 - T(o.learningRate) * T(o.weightDecay)
        let oneMinusBeta1 = 1 - T(o.beta1), beta2 = T(o.beta2), oneMinusBeta2 = 1 - T(o.beta2), eps = T(o.epsilon)
        for i in 0..<count {
            let g = gradient[i]
            parameter[i] *= decay
            firstMoment[i] += oneMinusBeta1 * (g - firstMoment[i])
            secondMoment[i] = beta2 * secondMoment[i] + oneMinusBeta2 * g * g
            let denominator = secondMoment[i].squareRoot() / secondMomentCorrection + eps
            parameter[i] -= stepSize * firstMoment[i] / denominator
        }
    }
}
