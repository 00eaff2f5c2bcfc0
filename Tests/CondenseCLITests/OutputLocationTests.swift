import CondenseTestSupport
import Foundation
import XCTest

/// Every output is checked before any work: never an input (also through a symbolic link), never another output,
/// never a directory, device, FIFO or socket, and in a directory that exists. Refusals exit 1 and name the flag.
final class OutputLocationTests: XCTestCase {
    private let folder = FileManager.default.temporaryDirectory.appendingPathComponent("condense-cli-out-\(getpid())")
    private var existing: String { folder.appendingPathComponent("model.safetensors").path }

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("not really a checkpoint".utf8).write(to: URL(fileURLWithPath: existing))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Asserts the run is refused naming `flag`, and that `file` (when given) still holds what it held.
    private func assertRefused(_ words: [String], _ fragments: String..., keeps file: String? = nil,
                               line: UInt = #line) throws {
        let before = try file.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let run = CommandLineRun(words)
        XCTAssertEqual(run.status, 1, "\(words): \(run.error)", line: line)
        for fragment in fragments {
            XCTAssertTrue(run.error.contains(fragment), "'\(run.error)' lacks '\(fragment)'", line: line)
        }
        XCTAssertFalse(run.error.contains("device:"), "refused before choosing a device", line: line)
        if let file { XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file)), before, line: line) }
    }

    func testAnOutputOntoAnInputIsRefused() throws {
        try assertRefused(["evaluate", "--model", existing, "--logits", existing],
                          "--logits", "is the same file as --model", keeps: existing)
        try assertRefused(["export", "--model", existing, "--out", existing], "--out", "same file as --model",
                          keeps: existing)
        try assertRefused(["distill", "--teacher", existing, "--out", existing], "--out", "same file as --teacher",
                          keeps: existing)
        try assertRefused(["train", "--data", existing, "--out", existing], "--out", "same file as --data",
                          keeps: existing)
        try assertRefused(["prune", "--model", existing, "--sparsity", "0.5", "--out", existing],
                          "--out", "same file as --model", keeps: existing)
        try assertRefused(["quantize", "--model", existing, "--calibrate", "1", "--out", existing],
                          "--out", "same file as --model", keeps: existing)
        try assertRefused(["quantize", "--model", path("float.safetensors"), "--qat", "--teacher", existing,
                           "--out", existing], "--out", "same file as --teacher", keeps: existing)
        try assertRefused(["import", "--weights", existing, "--model", "resnet20", "--out", existing],
                          "--out", "same file as --weights", keeps: existing)
    }

    func testTheSameFileThroughALinkOrAnotherSpellingIsRefused() throws {
        let link = path("link.safetensors")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: existing)
        try assertRefused(["export", "--model", existing, "--out", link], "same file as --model", keeps: existing)
        let spelled = folder.path + "/./sub/../model.safetensors"
        try FileManager.default.createDirectory(atPath: path("sub"), withIntermediateDirectories: true)
        try assertRefused(["export", "--model", spelled, "--out", existing], "same file as --model", keeps: existing)
    }

    func testTwoOutputsOntoOneFileAreRefused() throws {
        try assertRefused(["sensitivity", "--model", existing, "--out", path("a.json"), "--plot", path("a.json")],
                          "--plot", "same file as --out")
    }

    func testOutputsThatAreNotRegularFilesAreRefused() throws {
        try assertRefused(["export", "--model", existing, "--out", "/dev/full"], "--out", "not a regular file")
        try assertRefused(["export", "--model", existing, "--out", folder.path], "--out", "is a directory")
        let fifo = path("pipe")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        try assertRefused(["evaluate", "--model", existing, "--logits", fifo], "--logits", "not a regular file")
        try assertRefused(["run", "--out", existing], "--out", "is not a directory", keeps: existing)
    }

    func testAnOutputInAMissingDirectoryIsRefusedBeforeAnyWork() throws {
        try assertRefused(["train", "--out", path("missing/model.safetensors")], "--out",
                          "directory '\(path("missing"))' does not exist")
        try assertRefused(["sensitivity", "--model", existing, "--plot", path("missing/p.svg")], "--plot",
                          "does not exist")
    }

    func testANewFolderUnderAnExistingOneIsAccepted() throws {
        // `run` creates missing folders: the check walks up to the first existing one and passes, so the run goes
        // on to load the (here missing) data and fails there instead.
        let run = CommandLineRun(["run", "--device", "cpu", "--data", path("none.npz"), "--out", path("a/b/c")])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.error.contains("none.npz"), run.error)
    }
}
