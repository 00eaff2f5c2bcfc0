import CondenseCore
import CondenseData
import Foundation

/// A run's deployment files measured in the runtimes users run them in: `Benchmarks/deploy/measure.py` (ONNX in
/// onnxruntime, TFLite in LiteRT: test accuracy, batch-1 latency, batch-32 throughput), run by the Python of the
/// checks' `.venv`. Both are looked up in the current directory (a checkout where `make test` installed them);
/// where either is missing, or the script fails, the files are "not measured".
struct DeploymentMeasurement: Sendable {
    /// One file's numbers, as the script reports them (nil: not measured).
    struct File: Sendable {
        let name: String
        let bytes: Int
        var accuracy: Double?
        /// With one thread: batch-1 latency median and 95th percentile (ms), batch-32 images/s.
        var latency: (median: Double, p95: Double, imagesPerSecond: Double)?
    }

    let files: [File]
    /// Why nothing was measured, when nothing was.
    let note: String?

    static let python = ".venv/bin/python"
    static let script = "Benchmarks/deploy/measure.py"

    /// Measures `paths` on `test` (NCHW pixels of `dataset`'s geometry).
    static func measure(_ paths: [String], test: ImageSplit, dataset: ImageDataset) -> DeploymentMeasurement {
        var files = paths.map { path in
            File(name: (path as NSString).lastPathComponent,
                 bytes: (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
        }
        let missing = [python, script].filter { !FileManager.default.isExecutableFile(atPath: $0) }
        guard missing.isEmpty else {
            return DeploymentMeasurement(files: files, note: "not measured: no \(missing.joined(separator: " or ")) " +
                                         "in the current directory (run make test in a checkout first)")
        }
        do {
            let results = try run(paths, test: test, dataset: dataset)
            for (index, result) in results.enumerated() where index < files.count {
                files[index].accuracy = result["accuracy"] as? Double
                if let one = result["threads_1"] as? [String: Double], let median = one["latency_ms_median"],
                   let p95 = one["latency_ms_p95"], let rate = one["batch32_images_per_s"] {
                    files[index].latency = (median, p95, rate)
                }
            }
            return DeploymentMeasurement(files: files, note: nil)
        } catch {
            return DeploymentMeasurement(files: files, note: "not measured: \(error)")
        }
    }

    /// The script's per-file JSON objects, in the order of `paths`.
    private static func run(_ paths: [String], test: ImageSplit, dataset: ImageDataset) throws -> [[String: Any]] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("condense-deploy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (images, labels) = (folder.appendingPathComponent("images.npy").path,
                                folder.appendingPathComponent("labels.npy").path)
        let (c, h, w) = (dataset.channels, dataset.height, dataset.width), plane = h * w
        var nhwc = [UInt8](repeating: 0, count: test.pixels.count)
        for image in 0..<test.count {
            for channel in 0..<c {
                for position in 0..<plane {
                    nhwc[(image * plane + position) * c + channel] = test.pixels[(image * c + channel) * plane + position]
                }
            }
        }
        try AtomicFileWriter.write(NPYArray.file(descr: "|u1", shape: [test.count, h, w, c], payload: nhwc), to: images)
        try AtomicFileWriter.write(NPYArray.file(descr: "<i4", shape: [test.count],
                                                 payload: test.labels.flatMap { label in
                                                     (0..<4).map { UInt8(truncatingIfNeeded: label >> (8 * $0)) }
                                                 }), to: labels)
        let process = Process(), output = Pipe()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--images", images, "--labels", labels, "--json"] + paths
        process.standardOutput = output
        // The script's errors go to a file beside its inputs (a second pipe could fill while stdout is read), and
        // the last line of them into the error: what a user needs to act on (a missing package, say).
        let errors = folder.appendingPathComponent("errors.txt")
        guard FileManager.default.createFile(atPath: errors.path, contents: nil) else {
            throw CondenseError.file(path: errors.path, "cannot create it for the script's error output")
        }
        let errorHandle = try FileHandle(forWritingTo: errors)
        defer { try? errorHandle.close() }
        process.standardError = errorHandle
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let models = object["models"] as? [[String: Any]] else {
            let reason = (try? String(contentsOf: errors, encoding: .utf8))?
                .split(separator: "\n").last.map { ": \($0)" } ?? ""
            throw CondenseError.file(path: script, "exited with status \(process.terminationStatus) or printed no " +
                                     "JSON result\(reason)")
        }
        return models
    }
}
