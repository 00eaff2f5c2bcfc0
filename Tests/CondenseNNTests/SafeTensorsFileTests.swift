import CondenseCore
@testable import CondenseNN
import CondenseTestSupport
import Foundation
import XCTest

/// The safetensors reader and writer: round trips, files written by Python's `safetensors`, files Python reads.
final class SafeTensorsFileTests: XCTestCase {
    private typealias T = CheckpointTesting

    /// One tensor of every Condense dtype, with metadata that needs JSON escaping.
    private func sample() -> SafeTensorsFile {
        var generator = SeededGenerator(seed: 7)
        return SafeTensorsFile(tensors: [
            NamedTensorData(name: "features.0.weight", shape: [4, 3, 3, 3], floats: generator.floats(108)),
            NamedTensorData(name: "features.0.bias", shape: [4], floats: [-0.0, .infinity, -.greatestFiniteMagnitude, 0x1p-140]),
            NamedTensorData(name: "fp16.weight", shape: [3, 1], float16From: [0.5, -65504, 0x1p-24]),
            NamedTensorData(name: "quant.weight", shape: [5], int8s: [-128, -7, 0, 9, 127]),
            NamedTensorData(name: "quant.zero_point", shape: [], uint8s: [200]),
            NamedTensorData(name: "classifier.counts", shape: [2, 2], int32s: [.min, -1, 0, .max]),
            NamedTensorData(name: "empty", shape: [2, 0], floats: []),
            NamedTensorData(name: "ünïcode \"name\"\n", shape: [1], int8s: [1]),
        ], metadata: ["architecture": "mobilenetv2", "class_names": "[\"a\",\"b\\\\c\"]", "control": "\u{01}tab\t",
                      "ß": "ünïcode – ok"])
    }

    func testRoundTripOfEveryDtypeAndMetadata() throws {
        let original = sample()
        let folder = try T.temporaryFolder()
        let path = folder + "/model.safetensors"
        try original.write(to: path)
        let read = try SafeTensorsFile(contentsOf: path)
        XCTAssertEqual(read.metadata, original.metadata)
        XCTAssertEqual(Set(DType.allCases), Set(read.tensors.map(\.dtype)), "every dtype is covered")
        XCTAssertEqual(read.tensors.count, original.tensors.count)
        for tensor in original.tensors {
            let copy = read.tensors.first { $0.name == tensor.name }
            XCTAssertEqual(copy, tensor, tensor.name)
        }
        XCTAssertEqual(try read.serialized(), try original.serialized(), "reading then writing gives the same bytes")
        XCTAssertEqual(read.tensors.first { $0.name == "features.0.bias" }?.floats().map(\.bitPattern),
                       [-0.0, .infinity, -.greatestFiniteMagnitude, 0x1p-140].map { (value: Float) in value.bitPattern })
    }

    func testWriterLayoutIsAlignedSortedAndPadded() throws {
        let bytes = try sample().serialized()
        let length = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        XCTAssertEqual(length % 8, 0, "header padded to a multiple of 8")
        let header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
        XCTAssertTrue(header.hasPrefix("{\"__metadata__\":{\"architecture\":"), header)
        XCTAssertFalse(header.trimmingCharacters(in: .whitespaces).hasSuffix(" "))
        let file = try SafeTensorsFile(parsing: bytes, path: "sample")
        // Data order: F32, I32, F16, I8, U8 (element size descending), then name; so each tensor is aligned.
        XCTAssertEqual(file.tensors.map(\.name), ["empty", "features.0.bias", "features.0.weight", "classifier.counts",
                                                  "fp16.weight", "quant.weight", "ünïcode \"name\"\n", "quant.zero_point"])
        var offset = 0
        for tensor in file.tensors {
            XCTAssertEqual(offset % tensor.dtype.byteSize, 0, tensor.name)
            offset += tensor.bytes.count
        }
        XCTAssertEqual(bytes.count, 8 + length + offset)
    }

    // MARK: - Files written by Python's safetensors

    func testReadsEveryValueOfTheFileWrittenByPython() throws {
        let file = try SafeTensorsFile(contentsOf: T.fixture("reference.safetensors"))
        XCTAssertEqual(file.tensors.map(\.name), ["bn.num_batches_tracked", "stats.f64", "conv.weight", "empty",
                                                  "temperature", "labels", "half.weight", "quant.int8", "image.u8"])
        for expected in T.pythonFixtureTensors() {
            XCTAssertEqual(file.tensors.first { $0.name == expected.name }, expected, expected.name)
        }
        let conv = try XCTUnwrap(file.tensors.first { $0.name == "conv.weight" })
        XCTAssertEqual(conv.floats(), (0..<24).map { Float($0) / 7 - 1.5 })
        let half = try XCTUnwrap(file.tensors.first { $0.name == "half.weight" })
        XCTAssertEqual(half.floats(), [0.1, -2.5, 65504, 0x1p-24, 1.0 / 3.0].map { (value: Double) in Float(Float16(value)) })
        // I64 narrowed to int32, F64 rounded to float32.
        let steps = try XCTUnwrap(file.tensors.first { $0.name == "bn.num_batches_tracked" })
        XCTAssertEqual(steps.dtype, .int32)
        XCTAssertEqual(steps.shape, [])
        XCTAssertEqual(try steps.int32s(), [123_456_789])
        let stats = try XCTUnwrap(file.tensors.first { $0.name == "stats.f64" })
        XCTAssertEqual(stats.dtype, .float32)
        XCTAssertEqual(stats.floats(), [Float(0.1 as Double), Float(-1e-3 as Double)])

        XCTAssertEqual(file.metadata.count, 7)
        let checkpoint = try Checkpoint(contentsOf: T.fixture("reference.safetensors"))
        XCTAssertEqual(checkpoint.metadataString(Checkpoint.Key.architecture), "resnet20")
        XCTAssertEqual(try checkpoint.metadataFloat(Checkpoint.Key.width), 2)
        XCTAssertEqual(try checkpoint.metadataInt(Checkpoint.Key.classes), 8)
        XCTAssertEqual(try checkpoint.metadataInts(Checkpoint.Key.inputShape), [3, 28, 28])
        XCTAssertEqual(try checkpoint.metadataFloats(Checkpoint.Key.normalizationMean), [0.5, 0.25, 0.1])
        XCTAssertEqual(try checkpoint.metadataStrings(Checkpoint.Key.classNames),
                       ["basophil", "ig \u{2013} immature", "quote\" back\\slash"])
        XCTAssertEqual(checkpoint.metadataString("note"), "line\nbreak")
        XCTAssertEqual(checkpoint.modelDescription, "resnet20 width 2")
    }

    func testWritesTheSameBytesAsPython() throws {
        let python = try [UInt8](Data(contentsOf: URL(fileURLWithPath: T.fixture("layout.safetensors"))))
        let ours = try SafeTensorsFile(tensors: T.pythonFixtureTensors().reversed(),
                                       metadata: ["architecture": "resnet20"]).serialized()
        XCTAssertEqual(ours.count, python.count)
        XCTAssertTrue(ours == python, "header: \(String(decoding: ours.prefix(400), as: UTF8.self))")
    }

    func testPythonReadsWhatWeWrite() throws {
        let folder = try T.temporaryFolder()
        let path = folder + "/ours.safetensors"
        let file = sample()
        try file.write(to: path)
        let script = """
            import json, sys
            from safetensors import safe_open
            from safetensors.numpy import load_file, save
            tensors = load_file(sys.argv[1])
            for name in sorted(tensors):
                a = tensors[name]
                h = 0xcbf29ce484222325
                for b in a.tobytes():
                    h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
                print(json.dumps([name, a.dtype.str, list(a.shape), format(h, "016x")]))
            with safe_open(sys.argv[1], "np") as f:
                metadata = f.metadata()
            print(json.dumps(metadata, sort_keys=True))
            one = {"architecture": metadata["architecture"]}
            print(save(tensors, metadata=one).hex())
            """
        let lines = try runPython(script, path).split(separator: "\n").map(String.init)
        let descriptors = ["float32": "<f4", "float16": "<f2", "int8": "|i1", "uint8": "|u1", "int32": "<i4"]
        let tensors = file.tensors.sorted { $0.name.unicodeScalars.lexicographicallyPrecedes($1.name.unicodeScalars) }
        XCTAssertEqual(lines.count, tensors.count + 2, lines.joined(separator: "\n"))
        for (line, tensor) in zip(lines, tensors) {
            let fields = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Any], line)
            XCTAssertEqual(fields[0] as? String, tensor.name)
            XCTAssertEqual(fields[1] as? String, descriptors[tensor.dtype.rawValue], tensor.name)
            XCTAssertEqual(fields[2] as? [Int], tensor.shape, tensor.name)
            XCTAssertEqual(fields[3] as? String, fnv1a(tensor.bytes), tensor.name)
        }
        let metadata = try JSONSerialization.jsonObject(with: Data(lines[tensors.count].utf8)) as? [String: String]
        XCTAssertEqual(metadata, file.metadata)
        // Python's own writer, given what it read and one metadata key, produces our bytes exactly.
        let single = SafeTensorsFile(tensors: file.tensors, metadata: ["architecture": "mobilenetv2"])
        XCTAssertEqual(lines[tensors.count + 1], try single.serialized().map { String(format: "%02x", $0) }.joined())
    }

    /// 64-bit FNV-1a of `bytes` as 16 hex digits (the script computes the same).
    private func fnv1a(_ bytes: [UInt8]) -> String {
        let hash = bytes.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Runs `python3 -c script argument`, skipping the test when Python or its `safetensors` package is missing.
    private func runPython(_ script: String, _ argument: String) throws -> String {
        func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3"] + arguments
            let output = Pipe(), errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            let outputData = output.fileHandleForReading.readDataToEndOfFile()
            let errorData = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: outputData, as: UTF8.self),
                    String(decoding: errorData, as: UTF8.self))
        }
        guard let probe = try? run(["-c", "import numpy, safetensors.numpy"]), probe.status == 0 else {
            throw XCTSkip("python3 with numpy and safetensors is not available: Python interoperability not checked")
        }
        let result = try run(["-c", script, argument])
        guard result.status == 0 else {
            XCTFail("python3 failed (\(result.status)): \(result.errors)")
            return ""
        }
        return result.output
    }

    // MARK: - Corrupt input

    /// A file with `header` as its JSON (padded to 8 bytes) and `data` after it; `length` overrides the length field.
    private func file(_ header: String, data: [UInt8] = [], length: UInt64? = nil) -> [UInt8] {
        var text = Array(header.utf8)
        text += [UInt8](repeating: 0x20, count: (8 - text.count % 8) % 8)
        return NamedTensorData.littleEndianBytes([length ?? UInt64(text.count)]) + text + data
    }

    private func readError(_ bytes: [UInt8]) -> String {
        T.fileError { _ = try SafeTensorsFile(parsing: bytes, path: "bad.safetensors") }
    }

    func testTruncatedFiles() throws {
        T.assertContains(readError([1, 0, 0]), "bad.safetensors", "truncated", "3 bytes")
        let valid = try sample().serialized()
        T.assertContains(readError(Array(valid.prefix(40))), "bad.safetensors", "runs past the end of the file")
        // Cut inside the data: the last tensor's offsets run past the end.
        T.assertContains(readError(Array(valid.dropLast(1))), "quant.zero_point", "run past the end of the data")
    }

    func testHeaderLengthTooLarge() {
        T.assertContains(readError(file("{}", length: 1 << 40)), "header length 1099511627776", "runs past the end")
        T.assertContains(readError(file("{}", length: .max)), "runs past the end")
        let huge = NamedTensorData.littleEndianBytes([UInt64(100_000_008)]) + [UInt8](repeating: 0x20, count: 100_000_008)
        T.assertContains(readError(huge), "exceeds the 100000000-byte limit")
    }

    func testBadHeaderText() {
        T.assertContains(readError(file("{\"a\": {\"dtype\": \"F32\",")), "not valid JSON", "end of JSON")
        T.assertContains(readError(file("{\"a\" 1}")), "not valid JSON", "expected ':'")
        T.assertContains(readError(file("{} x")), "not valid JSON", "unexpected text after")
        T.assertContains(readError(file("[1, 2]")), "does not start with '{'")
        T.assertContains(readError(file("{\"\u{FF}\": 1}").enumerated().map { $0.offset == 10 ? 0xFF : $0.element }),
                         "not valid UTF-8")
        T.assertContains(readError(file("{\"a\": 3}")), "tensor 'a'", "entry is a number")
    }

    func testBadTensorEntries() {
        func entry(_ fields: String, name: String = "w") -> [UInt8] { file("{\"\(name)\":{\(fields)}}", data: [0, 0, 0, 0]) }
        T.assertContains(readError(entry("\"dtype\":\"F17\",\"shape\":[1],\"data_offsets\":[0,4]")),
                         "tensor 'w'", "unknown dtype 'F17'")
        T.assertContains(readError(entry("\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]")),
                         "tensor 'w'", "BF16 is not supported")
        T.assertContains(readError(entry("\"shape\":[1],\"data_offsets\":[0,4]")), "tensor 'w'", "no 'dtype' field")
        T.assertContains(readError(entry("\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]")),
                         "'shape' must be an array of non-negative integers")
        T.assertContains(readError(entry("\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]")),
                         "'shape' must be an array of non-negative integers")
        T.assertContains(readError(entry("\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]")),
                         "data_offsets [4, 0] must be [begin, end]")
        T.assertContains(readError(entry("\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]")), "[begin, end]")
        T.assertContains(readError(entry("\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]")),
                         "two 'dtype' fields")
    }

    func testOffsetsOutOfRange() {
        let bytes = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", data: [UInt8](repeating: 0, count: 8))
        T.assertContains(readError(bytes), "bad.safetensors", "tensor 'w'", "data_offsets [4, 12] run past the end of the data (8 bytes")
    }

    func testShapeAndSizeMismatch() {
        let bytes = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", data: [UInt8](repeating: 0, count: 20))
        T.assertContains(readError(bytes), "tensor 'w'", "shape [2, 3] of F32 needs 24 bytes", "span 20")
        let overflow = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,4]}}", data: [0, 0, 0, 0])
        T.assertContains(readError(overflow), "tensor 'w'", "too large")
    }

    func testOverlappingGapsAndTrailingBytes() {
        let overlap = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
                           "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", data: [UInt8](repeating: 0, count: 8))
        T.assertContains(readError(overlap), "tensor 'b'", "overlap tensor 'a'")
        let gap = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", data: [UInt8](repeating: 0, count: 8))
        T.assertContains(readError(gap), "tensor 'a'", "0..<4 unused")
        let trailing = file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", data: [1, 2, 3])
        T.assertContains(readError(trailing), "2 bytes after the last tensor belong to no tensor")
    }

    func testDuplicateNamesAndBadMetadata() throws {
        let duplicate = file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}," +
                             "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", data: [1, 2])
        T.assertContains(readError(duplicate), "tensor 'a' appears twice")
        T.assertContains(readError(file("{\"__metadata__\":{\"epochs\":3}}")), "'epochs'", "must be strings")
        T.assertContains(readError(file("{\"__metadata__\":[]}")), "'__metadata__' is an array")
        T.assertContains(readError(file("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}")), "two keys 'k'")
        // Writing refuses what reading would refuse.
        let twice = SafeTensorsFile(tensors: [NamedTensorData(name: "a", shape: [1], uint8s: [1]),
                                              NamedTensorData(name: "a", shape: [1], uint8s: [2])])
        T.assertContains(T.fileError { _ = try twice.serialized() }, "two tensors are named 'a'")
        let short = SafeTensorsFile(tensors: [NamedTensorData(name: "w", dtype: .float32, shape: [2, 2], bytes: [0, 0])])
        T.assertContains(T.fileError { try short.write(to: try T.temporaryFolder() + "/x.safetensors") },
                         "x.safetensors", "tensor 'w'", "needs 16 bytes, it holds 2")
        let reserved = SafeTensorsFile(tensors: [NamedTensorData(name: "__metadata__", shape: [1], uint8s: [1])])
        T.assertContains(T.fileError { _ = try reserved.serialized() }, "reserved")
    }

    func testI64OutsideInt32IsRejected() {
        let bytes = file("{\"n\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}",
                         data: NamedTensorData.littleEndianBytes([UInt64(5), UInt64(1) << 40]))
        T.assertContains(readError(bytes), "tensor 'n'", "element 1 is 1099511627776", "int32 range")
    }

    func testMissingFileNamesThePath() {
        T.assertContains(T.fileError { _ = try SafeTensorsFile(contentsOf: "/nonexistent/model.safetensors") },
                         "/nonexistent/model.safetensors", "no such file")
    }
}
