import CondenseCore
import CondenseNN

/// The FitNets regressor: a 1×1 convolution (with bias) that maps a student stage's channels onto the teacher's, so
/// the hint loss can compare them. It is trained with the student and discarded afterwards.
public final class HintRegressor: Module {
    public let conv: Conv2d

    public init(from studentChannels: Int, to teacherChannels: Int, on backend: Backend,
                initializer: inout Initializer) throws {
        conv = try Conv2d(studentChannels, teacherChannels, kernel: 1, bias: true, on: backend, initializer: &initializer)
    }

    override public var children: [(name: String, module: Module)] { [("conv", conv)] }

    override public func forward(_ x: Variable) throws -> Variable { try conv(x) }
}
