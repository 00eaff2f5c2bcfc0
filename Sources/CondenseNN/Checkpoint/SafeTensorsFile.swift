import CondenseCore
import Foundation

/// A safetensors file (Hugging Face's format, https://github.com/huggingface/safetensors): named tensors and a
/// string → string metadata map, read and written byte-compatibly with Python's `safetensors`.
///
/// Layout: an unsigned 64-bit little-endian header length N; N bytes of UTF-8 JSON, an object mapping each tensor
/// name to `{"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}` plus an optional `"__metadata__"`
/// object of strings, padded with spaces so the data starts 8-byte aligned; then the data buffer, each tensor's
/// little-endian C-order bytes at `[begin, end)` of it, contiguous, with no gaps and nothing after the last.
///
/// The writer lays tensors out as the reference writer does: by dtype (F32, I32, F16, I8, U8: element size
/// descending, so every tensor is aligned to its element size), then by name; `__metadata__` comes first with its
/// keys sorted. The output is therefore deterministic and, with at most one metadata key (Python's order of several
/// is arbitrary), byte for byte what `safetensors.numpy.save_file` writes for the same tensors.
///
/// The reader checks everything the reference reader checks and says which tensor is wrong. F32, F16, I32, I8
/// and U8 map to Condense's dtypes; I64 is narrowed to int32 (an element outside the int32 range throws) and F64
/// rounded to float32, so PyTorch checkpoints (`num_batches_tracked` is int64) load. Other safetensors dtypes
/// (BF16, BOOL, I16, U16, U32, U64, F8_*) are rejected by name.
public struct SafeTensorsFile: Equatable, Sendable {
    /// The tensors, in file order when read (by data offset).
    public var tensors: [NamedTensorData]
    /// The `__metadata__` map (empty when the file has none).
    public var metadata: [String: String]

    public init(tensors: [NamedTensorData], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The largest header the reference implementation accepts (100 MB).
    public static let maximumHeaderLength = 100_000_000

    // MARK: - Dtypes

    /// Element sizes of every safetensors dtype, in bytes (sub-byte F4/F6 types are not listed and read as unknown).
    static let elementSizes: [String: Int] = [
        "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "F8_E8M0": 1, "I16": 2, "U16": 2, "F16": 2,
        "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "F64": 8, "I64": 8, "U64": 8, "C64": 8,
    ]

    /// The safetensors name of a Condense dtype.
    public static func name(of dtype: DType) -> String {
        switch dtype {
        case .float32: "F32"
        case .float16: "F16"
        case .int32: "I32"
        case .int8: "I8"
        case .uint8: "U8"
        }
    }

    /// The Condense dtype a safetensors dtype loads as (I64 → int32, F64 → float32), or nil when it has none.
    static func condenseDType(_ name: String) -> DType? {
        ["F32": .float32, "F16": .float16, "I32": .int32, "I8": .int8, "U8": .uint8, "I64": .int32, "F64": .float32][name]
    }

    // MARK: - Writing

    /// The complete file as bytes.
    public func serialized() throws -> [UInt8] {
        let layout = try layout(path: "<safetensors in memory>")
        return layout.order.reduce(into: layout.header) { $0.append(contentsOf: $1.bytes) }
    }

    /// Writes the file to `path` atomically (see `AtomicFileWriter`): a failure leaves any previous file intact.
    public func write(to path: String) throws {
        let layout = try layout(path: path)  // checked before the file system is touched
        try AtomicFileWriter.write(to: path) { output in
            try output.write(layout.header)
            for tensor in layout.order { try output.write(tensor.bytes) }
        }
    }

    /// The header bytes (length field, JSON, padding) and the tensors in data order, after checking each tensor.
    private func layout(path: String) throws -> (header: [UInt8], order: [NamedTensorData]) {
        var seen = Set<String>()
        for tensor in tensors {
            guard tensor.name != "__metadata__" else {
                throw CondenseError.file(path: path, "'__metadata__' is reserved and cannot name a tensor")
            }
            guard seen.insert(tensor.name).inserted else {
                throw CondenseError.file(path: path, "two tensors are named '\(tensor.name)'")
            }
            guard tensor.shape.allSatisfy({ $0 >= 0 }) else {
                throw CondenseError.file(path: path, "tensor '\(tensor.name)' has a negative extent in shape \(tensor.shape)")
            }
            let expected = Self.byteCount(shape: tensor.shape, elementSize: tensor.dtype.byteSize)
            guard expected == tensor.bytes.count else {
                throw CondenseError.file(path: path, "tensor '\(tensor.name)': shape \(tensor.shape) of " +
                                         "\(tensor.dtype.rawValue) needs \(expected.map(String.init) ?? "too many") bytes, " +
                                         "it holds \(tensor.bytes.count)")
            }
        }
        let order = tensors.sorted {
            Self.writeRank($0.dtype) != Self.writeRank($1.dtype) ? Self.writeRank($0.dtype) < Self.writeRank($1.dtype)
                : $0.name.utf8.lexicographicallyPrecedes($1.name.utf8)
        }
        var json = "{"
        var entries: [String] = []
        if !metadata.isEmpty {
            let members = metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                .map { CheckpointJSON.quoted($0) + ":" + CheckpointJSON.quoted(metadata[$0]!) }
            entries.append("\"__metadata__\":{" + members.joined(separator: ",") + "}")
        }
        var offset = 0
        for tensor in order {
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append(CheckpointJSON.quoted(tensor.name) + ":{\"dtype\":\"\(Self.name(of: tensor.dtype))\"," +
                           "\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + tensor.bytes.count)]}")
            offset += tensor.bytes.count
        }
        json += entries.joined(separator: ",") + "}"
        var text = Array(json.utf8)
        text.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - text.count % 8) % 8))
        return (NamedTensorData.littleEndianBytes([UInt64(text.count)]) + text, order)
    }

    /// Where a dtype's tensors go in the data: the reference writer sorts by its `Dtype` enum, descending
    /// (F32, I32, F16, I8, U8 for ours), which also orders by element size, so every tensor stays aligned.
    static func writeRank(_ dtype: DType) -> Int {
        switch dtype {
        case .float32: 0
        case .int32: 1
        case .float16: 2
        case .int8: 3
        case .uint8: 4
        }
    }

    /// `product(shape) × elementSize`, or nil on overflow.
    static func byteCount(shape: [Int], elementSize: Int) -> Int? {
        var total = elementSize
        for extent in shape {
            let (product, overflow) = total.multipliedReportingOverflow(by: extent)
            if overflow { return nil }
            total = product
        }
        return total
    }

    // MARK: - Reading

    /// Reads and checks the file at `path`, mapped rather than copied into memory (only the tensors' bytes are
    /// copied out); directories, devices and pipes are refused by name.
    public init(contentsOf path: String) throws {
        let manager = FileManager.default
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path  // a link to a checkpoint is fine
        guard let attributes = try? manager.attributesOfItem(atPath: target) else {
            throw CondenseError.file(path: path, manager.fileExists(atPath: path) ? "cannot read the file" : "no such file")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw CondenseError.file(path: path, "not a regular file (a directory, device or pipe)")
        }
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
            throw CondenseError.file(path: path, "cannot read the file")
        }
        self = try data.withUnsafeBytes { try Self(checking: $0, path: path) }
    }

    /// Parses and checks a whole safetensors file held in memory; `path` labels the errors.
    public init(parsing bytes: [UInt8], path: String) throws {
        self = try bytes.withUnsafeBytes { try Self(checking: $0, path: path) }
    }

    /// The reader proper, over the file's bytes wherever they are.
    private init(checking bytes: UnsafeRawBufferPointer, path: String) throws {
        func fail(_ message: String) -> CondenseError { CondenseError.file(path: path, message) }

        guard bytes.count >= 8 else {
            throw fail("truncated: \(bytes.count) bytes, but a safetensors file starts with an 8-byte header length")
        }
        let declared = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[$1]) << (8 * UInt64($1)) }
        guard declared <= UInt64(bytes.count - 8) else {
            throw fail("header length \(declared) runs past the end of the file (\(bytes.count - 8) bytes follow the " +
                       "length field): truncated, or not a safetensors file")
        }
        let headerLength = Int(declared)
        guard headerLength <= Self.maximumHeaderLength else {
            throw fail("header length \(headerLength) exceeds the \(Self.maximumHeaderLength)-byte limit of safetensors")
        }
        let headerBytes = bytes[8..<(8 + headerLength)]
        guard String(validating: headerBytes, as: UTF8.self) != nil else { throw fail("the header is not valid UTF-8") }
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw fail("the header does not start with '{' (a JSON object is expected right after the length field)")
        }
        let header: CheckpointJSON
        do {
            header = try CheckpointJSON.parse(headerBytes)
        } catch let error as CheckpointJSON.ParseError {
            throw fail("the header is not valid JSON: \(error.description) of the header")
        }
        guard case let .object(members) = header else { throw fail("the header is not a JSON object") }

        let dataStart = 8 + headerLength
        let dataLength = bytes.count - dataStart
        var entries: [(name: String, dtypeName: String, shape: [Int], begin: Int, end: Int)] = []
        var metadata: [String: String]?
        var names = Set<String>()
        for (key, value) in members {
            if key == "__metadata__" {
                guard metadata == nil else { throw fail("the header has two '__metadata__' entries") }
                metadata = try Self.metadata(value, fail: fail)
                continue
            }
            guard names.insert(key).inserted else { throw fail("tensor '\(key)' appears twice in the header") }
            entries.append(try Self.entry(key, value, fail: fail))
        }

        // Each tensor's size against its shape, and its offsets against the data buffer.
        for entry in entries {
            let elementSize = Self.elementSizes[entry.dtypeName]!
            guard let needed = Self.byteCount(shape: entry.shape, elementSize: elementSize) else {
                throw fail("tensor '\(entry.name)': shape \(entry.shape) is too large")
            }
            guard entry.end - entry.begin == needed else {
                throw fail("tensor '\(entry.name)': shape \(entry.shape) of \(entry.dtypeName) needs \(needed) bytes, " +
                           "but data_offsets [\(entry.begin), \(entry.end)] span \(entry.end - entry.begin)")
            }
            guard entry.end <= dataLength else {
                throw fail("tensor '\(entry.name)': data_offsets [\(entry.begin), \(entry.end)] run past the end of the " +
                           "data (\(dataLength) bytes after the header)")
            }
        }
        // Contiguous in offset order: no overlap, no gap, nothing after the last tensor.
        let byOffset = entries.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var next = 0
        var previous: String?
        for entry in byOffset {
            if entry.begin < next {
                throw fail("tensor '\(entry.name)': data_offsets [\(entry.begin), \(entry.end)] overlap tensor " +
                           "'\(previous!)', which ends at \(next)")
            }
            if entry.begin > next {
                throw fail("tensor '\(entry.name)': data_offsets [\(entry.begin), \(entry.end)] leave bytes " +
                           "\(next)..<\(entry.begin) unused (tensors must be contiguous)")
            }
            next = entry.end
            previous = entry.name
        }
        guard next == dataLength else {
            throw fail("\(dataLength - next) bytes after the last tensor belong to no tensor (the tensors cover \(next) " +
                       "of \(dataLength) data bytes)")
        }

        tensors = try byOffset.map { entry in
            let raw = Array(bytes[(dataStart + entry.begin)..<(dataStart + entry.end)])
            let dtype = Self.condenseDType(entry.dtypeName)!
            return NamedTensorData(name: entry.name, dtype: dtype, shape: entry.shape,
                                   bytes: try Self.narrowed(raw, from: entry.dtypeName, tensor: entry.name, fail: fail))
        }
        self.metadata = metadata ?? [:]
    }

    /// The `__metadata__` object as a dictionary of strings.
    private static func metadata(_ value: CheckpointJSON, fail: (String) -> CondenseError) throws -> [String: String] {
        guard case let .object(members) = value else {
            throw fail("'__metadata__' is \(value.kind), expected an object of strings")
        }
        var result: [String: String] = [:]
        for (key, member) in members {
            guard case let .string(text) = member else {
                throw fail("'__metadata__' value for '\(key)' is \(member.kind); safetensors metadata values must be strings")
            }
            guard result.updateValue(text, forKey: key) == nil else { throw fail("'__metadata__' has two keys '\(key)'") }
        }
        return result
    }

    /// One tensor entry of the header, with its dtype, shape and offsets checked for form.
    private static func entry(_ name: String, _ value: CheckpointJSON, fail: (String) -> CondenseError) throws
        -> (name: String, dtypeName: String, shape: [Int], begin: Int, end: Int) {
        guard case let .object(fields) = value else {
            throw fail("tensor '\(name)': entry is \(value.kind), expected {\"dtype\", \"shape\", \"data_offsets\"}")
        }
        func field(_ key: String) throws -> CheckpointJSON {
            let matches = fields.filter { $0.key == key }
            guard matches.count == 1 else {
                throw fail("tensor '\(name)': " + (matches.isEmpty ? "no '\(key)' field" : "two '\(key)' fields"))
            }
            return matches[0].value
        }
        func integers(_ key: String) throws -> [Int] {
            let value = try field(key)
            guard case let .array(elements) = value, elements.allSatisfy({ $0.nonNegativeInteger != nil }) else {
                throw fail("tensor '\(name)': '\(key)' must be an array of non-negative integers")
            }
            return elements.map { $0.nonNegativeInteger! }
        }
        guard case let .string(dtypeName) = try field("dtype") else { throw fail("tensor '\(name)': 'dtype' must be a string") }
        guard elementSizes[dtypeName] != nil else {
            throw fail("tensor '\(name)': unknown dtype '\(dtypeName)' (safetensors dtypes are " +
                       "\(elementSizes.keys.sorted().joined(separator: ", ")))")
        }
        guard condenseDType(dtypeName) != nil else {
            throw fail("tensor '\(name)': dtype \(dtypeName) is not supported (Condense reads F32, F16, I32, I8 and U8, " +
                       "and converts I64 to int32 and F64 to float32)")
        }
        let shape = try integers("shape")
        let offsets = try integers("data_offsets")
        guard offsets.count == 2, offsets[0] <= offsets[1] else {
            throw fail("tensor '\(name)': data_offsets \(offsets) must be [begin, end] with begin ≤ end")
        }
        return (name, dtypeName, shape, offsets[0], offsets[1])
    }

    /// I64 data narrowed to int32 and F64 rounded to float32; other data as is.
    private static func narrowed(_ raw: [UInt8], from dtypeName: String, tensor: String,
                                 fail: (String) -> CondenseError) throws -> [UInt8] {
        let words = NamedTensorData(name: tensor, dtype: .uint8, shape: [raw.count], bytes: raw).littleEndianWords(UInt64.self)
        switch dtypeName {
        case "I64":
            let narrowed = try words.enumerated().map { index, word -> UInt32 in
                let value = Int64(bitPattern: word)
                guard let fits = Int32(exactly: value) else {
                    throw fail("tensor '\(tensor)': I64 element \(index) is \(value), outside the int32 range Condense stores")
                }
                return UInt32(bitPattern: fits)
            }
            return NamedTensorData.littleEndianBytes(narrowed)
        case "F64":
            return NamedTensorData.littleEndianBytes(words.map { Float(Double(bitPattern: $0)).bitPattern })
        default:
            return raw
        }
    }
}
