import CondenseNN
import CondenseTestSupport
import Foundation

/// safetensors files: one written here with every dtype Condense writes and metadata, and the checked-in
/// fixtures written by Python's `safetensors`.
struct SafeTensorsFuzzTarget: FuzzTarget {
    var name: String { "safetensors" }

    func seeds() throws -> [[UInt8]] {
        let written = try SafeTensorsFile(tensors: [
            NamedTensorData(name: "conv.weight", shape: [2, 3], floats: [1, -2, 3.5, 0, 7, -0.25]),
            NamedTensorData(name: "steps", shape: [2], int32s: [3, -4]),
            NamedTensorData(name: "half", shape: [3], float16From: [0.5, 1, -2]),
            NamedTensorData(name: "q", shape: [2, 2], int8s: [-128, 0, 5, 127]),
            NamedTensorData(name: "mask", shape: [4], uint8s: [0, 1, 1, 0]),
        ], metadata: ["architecture": "mobilenetv2"]).serialized()
        let fixtures = try ["reference", "layout"].map {
            try [UInt8](Data(contentsOf: Fixtures.folder.appendingPathComponent("checkpoint/\($0).safetensors")))
        }
        return [written] + fixtures
    }

    func fieldOffsets(in seed: [UInt8]) -> [Int] { [0, 4] }

    func read(_ input: [UInt8]) throws { _ = try SafeTensorsFile(parsing: input, path: "fuzz.safetensors") }
}
