import CondenseCore

extension CPUBackend: AttentionOps {
    public func attentionMap(features: Tensor, map: Tensor, norms: Tensor) throws {
        let e = try AttentionExtents("attentionMap", features: features, map: map, norms: norms, on: self)
        let a = try features.cpuFloats("attentionMap"), q = try map.cpuFloats("attentionMap")
        let r = try norms.cpuFloats("attentionMap")
        parallelPlanes(e.batch) { AttentionKernels.map(e, sample: $0, features: a, map: q, norms: r) }
    }

    public func attentionMapBackward(features: Tensor, map: Tensor, norms: Tensor, gradMap: Tensor,
                                     gradFeatures: Tensor) throws {
        let op = "attentionMapBackward"
        let e = try AttentionExtents.backward(features: features, map: map, norms: norms, gradMap: gradMap,
                                              gradFeatures: gradFeatures, on: self)
        let a = try features.cpuFloats(op), q = try map.cpuFloats(op), r = try norms.cpuFloats(op)
        let dq = try gradMap.cpuFloats(op), da = try gradFeatures.cpuFloats(op)
        parallelPlanes(e.batch) {
            AttentionKernels.backward(e, sample: $0, features: a, map: q, norms: r, gradMap: dq, gradFeatures: da)
        }
    }
}
