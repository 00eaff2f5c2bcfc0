@testable import CondenseCore
@testable import CondenseNN
import Foundation
import XCTest

/// The atomic writer: a completed write replaces the file, a failed one leaves it and no temporary file behind.
final class AtomicFileWriterTests: XCTestCase {
    private typealias T = CheckpointTesting

    private func contents(_ path: String) -> [UInt8]? { FileManager.default.contents(atPath: path).map { [UInt8]($0) } }

    private func leftovers(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp-") }
    }

    func testWritesAndReplaces() throws {
        let folder = try T.temporaryFolder()
        let path = folder + "/model.safetensors"
        try AtomicFileWriter.write([1, 2, 3], to: path)
        XCTAssertEqual(contents(path), [1, 2, 3])
        try AtomicFileWriter.write(to: path) { output in
            try output.write([9])
            try output.write([8, 7])
            XCTAssertEqual(output.byteCount, 3)
            // Until the rename, the old file is what readers see, and the bytes sit in the temporary file.
            XCTAssertEqual(self.contents(path), [1, 2, 3])
            XCTAssertEqual(self.contents(AtomicFileWriter.temporaryPath(for: path)), [9, 8, 7])
        }
        XCTAssertEqual(contents(path), [9, 8, 7])
        XCTAssertEqual(try leftovers(in: folder), [])
    }

    func testTemporaryFileSitsBesideTheTarget() {
        let pid = ProcessInfo.processInfo.processIdentifier
        XCTAssertEqual(AtomicFileWriter.temporaryPath(for: "/a/b/model.safetensors"), "/a/b/.model.safetensors.tmp-\(pid)")
        XCTAssertEqual(AtomicFileWriter.temporaryPath(for: "model.onnx"), ".model.onnx.tmp-\(pid)")
        XCTAssertEqual(AtomicFileWriter.temporaryPath(for: "/ünï/m"), "/ünï/.m.tmp-\(pid)")
    }

    func testFailureMidwayKeepsTheOldFileAndRemovesTheTemporaryOne() throws {
        struct Interrupted: Error {}
        let folder = try T.temporaryFolder()
        let path = folder + "/model.safetensors"
        try AtomicFileWriter.write([1, 2, 3], to: path)
        let message = T.fileError {
            try AtomicFileWriter.write(to: path) { output in
                try output.write([UInt8](repeating: 5, count: 10_000))
                throw Interrupted()
            }
        }
        T.assertContains(message, path, "not written", "Interrupted", "unchanged")
        XCTAssertEqual(contents(path), [1, 2, 3])
        XCTAssertEqual(try leftovers(in: folder), [])

        // Also when there was no file before: nothing appears.
        let fresh = folder + "/new.safetensors"
        XCTAssertThrowsError(try AtomicFileWriter.write(to: fresh) { _ in throw Interrupted() })
        XCTAssertFalse(FileManager.default.fileExists(atPath: fresh))
        XCTAssertEqual(try leftovers(in: folder), [])
    }

    func testCheckpointWriteThatFailsKeepsTheOldCheckpoint() throws {
        let folder = try T.temporaryFolder()
        let path = folder + "/model.safetensors"
        let good = Checkpoint(tensors: [NamedTensorData(name: "w", shape: [2], floats: [1, 2])])
        try good.write(to: path)
        let bad = Checkpoint(tensors: [NamedTensorData(name: "w", dtype: .float32, shape: [3], bytes: [0])])
        XCTAssertThrowsError(try bad.write(to: path))
        XCTAssertEqual(try Checkpoint(contentsOf: path), good)
        XCTAssertEqual(try leftovers(in: folder), [])
    }

    func testUnwritableDirectoryNamesThePath() {
        let path = "/nonexistent-condense-folder/model.safetensors"
        T.assertContains(T.fileError { try AtomicFileWriter.write([1], to: path) }, path, "temporary file",
                         "No such file or directory")
    }

    func testReplacedFileKeepsItsPermissions() throws {
        let folder = try T.temporaryFolder()
        let path = folder + "/model.safetensors"
        try AtomicFileWriter.write([1], to: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
        try AtomicFileWriter.write([2], to: path)
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        XCTAssertEqual(permissions, 0o640)
    }
}
