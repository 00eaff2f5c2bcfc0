import CondenseCore

/// How a fused activation gates a gradient at its pre-activation z (`Activation.passesGradient`, which holds for
/// the activation's input as for its output), as lane code: one type per activation, so a loop generic over the gate
/// is specialized into a straight line with no branch on the activation inside it.
protocol GradientGate {
    static func gate(_ dy: SIMD16<Float>, at z: SIMD16<Float>) -> SIMD16<Float>
    static func gate(_ dy: Float, at z: Float) -> Float
}

/// The gate of each activation, for the loops generic over `GradientGate`.
enum GradientGates {
    /// No activation: every gradient passes.
    enum Open: GradientGate {
        @inline(__always) static func gate(_ dy: SIMD16<Float>, at z: SIMD16<Float>) -> SIMD16<Float> { dy }
        @inline(__always) static func gate(_ dy: Float, at z: Float) -> Float { dy }
    }

    /// ReLU: where z > 0.
    enum ReLU: GradientGate {
        @inline(__always) static func gate(_ dy: SIMD16<Float>, at z: SIMD16<Float>) -> SIMD16<Float> {
            dy.replacing(with: 0, where: .!(z .> 0))
        }
        @inline(__always) static func gate(_ dy: Float, at z: Float) -> Float { z > 0 ? dy : 0 }
    }

    /// ReLU6: where 0 < z < 6.
    enum ReLU6: GradientGate {
        @inline(__always) static func gate(_ dy: SIMD16<Float>, at z: SIMD16<Float>) -> SIMD16<Float> {
            dy.replacing(with: 0, where: .!(z .> 0 .& z .< 6))
        }
        @inline(__always) static func gate(_ dy: Float, at z: Float) -> Float { z > 0 && z < 6 ? dy : 0 }
    }
}
