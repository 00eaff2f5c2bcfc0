import CondenseNN

extension InferenceGraph {
    /// Multiply-adds per image: each convolution's output elements × its weight's inputs per output
    /// (`C/groups × kh × kw`), each gemm's `out × in`. Normalization, activations, sums and pooling do no
    /// multiply-adds and count nothing, as the usual MAC tables (torchvision's GFLOPS, NetAdapt) count them.
    public func multiplyAdds() throws -> Int {
        let shapes = try valueShapes()
        var total = 0
        for node in nodes {
            switch node.operation {
            case let .convolution(weight, _, _):
                let outputs = shapes[node.output]?.reduce(1, *) ?? 0
                total += outputs * weight.shape.dropFirst().reduce(1, *)
            case let .gemm(weight, _):
                total += weight.shape.reduce(1, *)
            default:
                break
            }
        }
        return total
    }
}
