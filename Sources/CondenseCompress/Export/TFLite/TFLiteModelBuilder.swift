/// Collects one TFLite subgraph — tensors, constant buffers, operators in execution order — and serializes it as a
/// `.tflite` file (`Model` version 3, file identifier `TFL3`) through `FlatBufferWriter`.
///
/// Buffer 0 is the empty sentinel every tensor without constant data points at; each constant gets its own buffer,
/// its data aligned to 16 bytes. Activation tensors are NHWC (or `[N, features]`) with batch 1 in `shape` and −1 in
/// `shape_signature`, so a runtime may resize the batch.
struct TFLiteModelBuilder {
    /// The quantization of an integer tensor: real value = `scale·(q − zeroPoint)`, per tensor (one scale) or per
    /// channel along `axis`.
    struct Quantization {
        var scales: [Float]
        var zeroPoints: [Int64]
        var axis = 0
    }

    private var tensors: [FlatBufferTable] = []
    private var buffers: [[UInt8]] = [[]]
    private var operators: [FlatBufferTable] = []
    private var operatorCodes: [(code: TFLiteOperator, version: Int32)] = []
    /// Tensor indices by name, so a constant shared by several operators is stored once.
    private var tensorIndices: [String: Int] = [:]

    /// Adds an activation tensor (no data) of `shape`, the first dimension being the resizable batch; returns its
    /// index.
    mutating func addActivation(_ name: String, type: TFLiteTensorType, shape: [Int],
                                quantization: Quantization? = nil) -> Int {
        addTensor(name, type: type, shape: shape, signature: [-1] + shape.dropFirst(), buffer: 0,
                  quantization: quantization)
    }

    /// Adds a constant tensor holding `bytes` (little-endian, row-major), or returns the index of the constant already
    /// added under `name`.
    mutating func addConstant(_ name: String, type: TFLiteTensorType, shape: [Int], bytes: [UInt8],
                              quantization: Quantization? = nil) -> Int {
        if let index = tensorIndices[name] { return index }
        buffers.append(bytes)
        return addTensor(name, type: type, shape: shape, signature: nil, buffer: buffers.count - 1,
                         quantization: quantization)
    }

    /// Appends an operator reading and writing the tensors at these indices, with its options table (slots as the
    /// schema's `<Operator>Options`).
    mutating func addOperator(_ code: TFLiteOperator, integer: Bool, inputs: [Int], outputs: [Int],
                              options: FlatBufferTable? = nil) {
        let version = code.version(integer: integer)
        let index = operatorCodes.firstIndex { $0.code == code && $0.version == version } ?? operatorCodes.count
        if index == operatorCodes.count { operatorCodes.append((code, version)) }
        var table = FlatBufferTable()
        table.set(0, UInt32(index))  // opcode_index
        table.set(1, .vector(inputs.map(Int32.init)))
        table.set(2, .vector(outputs.map(Int32.init)))
        if code.optionsType != 0 {
            table.set(3, code.optionsType)  // builtin_options_type
            table.set(4, .table(options ?? FlatBufferTable()))
        }
        operators.append(table)
    }

    /// The `.tflite` bytes of the subgraph reading `inputs` and writing `outputs`, with `metadata` as the model's
    /// named metadata buffers.
    func serialized(name: String, inputs: [Int], outputs: [Int], description: String,
                    metadata: [(key: String, value: String)]) -> [UInt8] {
        var subgraph = FlatBufferTable()
        subgraph.set(0, .objects(tensors.map { .table($0) }))
        subgraph.set(1, .vector(inputs.map(Int32.init)))
        subgraph.set(2, .vector(outputs.map(Int32.init)))
        subgraph.set(3, .objects(operators.map { .table($0) }))
        subgraph.set(4, .string(name))
        let allBuffers = buffers + metadata.map { Array($0.value.utf8) }
        var model = FlatBufferTable()
        model.set(0, UInt32(3))  // version
        model.set(1, .objects(operatorCodes.map { code, version in
            var table = FlatBufferTable()
            table.set(0, Int8(clamping: code.rawValue))  // deprecated_builtin_code (codes below 127 fit)
            table.set(2, version)
            table.set(3, code.rawValue)  // builtin_code
            return .table(table)
        }))
        model.set(2, .objects([.table(subgraph)]))
        model.set(3, .string(description))
        model.set(4, .objects(allBuffers.map { data in
            var buffer = FlatBufferTable()
            if !data.isEmpty { buffer.set(0, .bytes(data, alignment: 16)) }
            return .table(buffer)
        }))
        model.set(6, .objects(metadata.enumerated().map { index, entry in
            var table = FlatBufferTable()
            table.set(0, .string(entry.key))
            table.set(1, UInt32(buffers.count + index))
            return .table(table)
        }))
        return FlatBufferWriter.serialize(model, identifier: "TFL3")
    }

    private mutating func addTensor(_ name: String, type: TFLiteTensorType, shape: [Int], signature: [Int]?,
                                    buffer: Int, quantization: Quantization?) -> Int {
        // Shapes, signatures, an activation's scale and zero points (all zeros for weights and biases) repeat across
        // tensors: each distinct vector is written once.
        var table = FlatBufferTable()
        table.set(0, .shared(.vector(shape.map(Int32.init))))
        table.set(1, type.rawValue)
        table.set(2, UInt32(buffer))
        table.set(3, .string(name))
        if let quantization {
            var parameters = FlatBufferTable()
            parameters.set(2, .shared(.vector(quantization.scales)))
            parameters.set(3, .shared(.vector(quantization.zeroPoints)))
            parameters.set(6, Int32(quantization.axis))  // quantized_dimension
            table.set(4, .table(parameters))
        }
        if let signature { table.set(7, .shared(.vector(signature.map(Int32.init)))) }
        tensors.append(table)
        tensorIndices[name] = tensors.count - 1
        return tensors.count - 1
    }
}
