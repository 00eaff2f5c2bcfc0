import CondenseCompress
import XCTest

/// `ONNXGraph.compacted()`: short value names, no node names, and attributes the operators imply left out — checked
/// against graphs renamed by hand.
final class ONNXGraphCompactionTests: XCTestCase {
    private func tensor(_ name: String, _ dims: [Int]) -> ONNXTensor {
        ONNXTensor(name: name, dataType: .float, dims: dims, rawData: [UInt8](repeating: 1, count: 4 * dims.reduce(1, *)))
    }

    private func info(_ name: String) -> ONNXValueInfo { ONNXValueInfo(name: name, elementType: .float, shape: [.fixed(2)]) }

    func testValuesAreRenamedInOrderOfUseAroundTheGraphsInputAndOutput() throws {
        // The input is named "1", so the counter skips it.
        let graph = ONNXGraph(name: "net", nodes: [
            ONNXNode("Conv", name: "conv1", inputs: ["1", "conv1.weight", "conv1.bias"], outputs: ["conv1"], attributes: [
                ONNXAttribute("kernel_shape", .ints([3, 3])), ONNXAttribute("strides", .ints([1, 1])),
                ONNXAttribute("pads", .ints([0, 0, 0, 0])), ONNXAttribute("dilations", .ints([1, 1])),
                ONNXAttribute("group", .int(1))]),
            ONNXNode("MaxPool", name: "pool", inputs: ["conv1"], outputs: ["pool"], attributes: [
                ONNXAttribute("kernel_shape", .ints([3, 3])), ONNXAttribute("strides", .ints([2, 2])),
                ONNXAttribute("pads", .ints([1, 1, 1, 1]))]),
            ONNXNode("Conv", name: "conv2", inputs: ["pool", "conv1.weight", ""], outputs: ["conv2"], attributes: [
                ONNXAttribute("strides", .ints([2, 1])), ONNXAttribute("pads", .ints([0, 1, 0, 1])),
                ONNXAttribute("dilations", .ints([2, 2])), ONNXAttribute("group", .int(4))]),
            ONNXNode("Flatten", name: "flatten", inputs: ["conv2"], outputs: ["flat"],
                     attributes: [ONNXAttribute("axis", .int(1))]),
            ONNXNode("Gemm", name: "fc", inputs: ["flat", "fc.weight", "fc.bias"], outputs: ["logits"],
                     attributes: [ONNXAttribute("transB", .int(1))]),
        ], initializers: [tensor("conv1.weight", [4, 1, 3, 3]), tensor("conv1.bias", [4]), tensor("fc.weight", [2, 4]),
                          tensor("fc.bias", [2]), tensor("unused", [1])],
        inputs: [info("1")], outputs: [info("logits")])

        let compact = graph.compacted()
        XCTAssertEqual(compact.nodes, [
            ONNXNode("Conv", name: "", inputs: ["1", "0", "2"], outputs: ["3"]),
            ONNXNode("MaxPool", name: "", inputs: ["3"], outputs: ["4"], attributes: [
                ONNXAttribute("kernel_shape", .ints([3, 3])), ONNXAttribute("strides", .ints([2, 2])),
                ONNXAttribute("pads", .ints([1, 1, 1, 1]))]),
            ONNXNode("Conv", name: "", inputs: ["4", "0", ""], outputs: ["5"], attributes: [
                ONNXAttribute("strides", .ints([2, 1])), ONNXAttribute("pads", .ints([0, 1, 0, 1])),
                ONNXAttribute("dilations", .ints([2, 2])), ONNXAttribute("group", .int(4))]),
            ONNXNode("Flatten", name: "", inputs: ["5"], outputs: ["6"]),
            ONNXNode("Gemm", name: "", inputs: ["6", "7", "8"], outputs: ["logits"],
                     attributes: [ONNXAttribute("transB", .int(1))]),
        ])
        XCTAssertEqual(compact.initializers.map(\.name), ["0", "2", "7", "8", "9"])
        XCTAssertEqual(compact.initializers.map(\.rawData), graph.initializers.map(\.rawData))
        XCTAssertEqual(compact.initializers.map(\.dims), graph.initializers.map(\.dims))
        XCTAssertEqual(compact.inputs, graph.inputs)
        XCTAssertEqual(compact.outputs, graph.outputs)
        XCTAssertEqual(compact.name, "net")
        func size(_ graph: ONNXGraph) -> Int {
            var writer = ProtobufWriter()
            graph.encode(into: &writer)
            return writer.bytes.count
        }
        XCTAssertLessThan(size(compact), size(graph))
    }

    func testTheCounterRunsThroughBase36() {
        let values = ["image"] + (1...40).map { "value\($0)" } + ["logits"]
        let nodes = zip(values, values.dropFirst()).map { ONNXNode("Relu", name: $1, inputs: [$0], outputs: [$1]) }
        let compact = ONNXGraph(name: "chain", nodes: nodes, initializers: [], inputs: [info("image")],
                                outputs: [info("logits")]).compacted()
        let names = compact.nodes.map { $0.outputs[0] }
        XCTAssertEqual(Array(names.prefix(3)), ["0", "1", "2"])
        XCTAssertEqual(names[9...11], ["9", "a", "b"])
        XCTAssertEqual(names[35...37], ["z", "10", "11"])
        XCTAssertEqual(names.last, "logits")
        XCTAssertEqual(compact.nodes[0].inputs, ["image"])
    }
}
