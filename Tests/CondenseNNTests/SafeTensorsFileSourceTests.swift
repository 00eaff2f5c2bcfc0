import CondenseNN
import Foundation
import XCTest

/// What `SafeTensorsFile(contentsOf:)` accepts as a file: a regular file or a link to one, never a directory or a
/// pipe (which would block or be read without end).
final class SafeTensorsFileSourceTests: XCTestCase {
    private let folder = FileManager.default.temporaryDirectory.appendingPathComponent("condense-st-source-\(getpid())")

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testALinkToACheckpointReadsAndADirectoryOrPipeIsRefused() throws {
        let file = folder.appendingPathComponent("model.safetensors").path
        let tensors = [NamedTensorData(name: "w", shape: [2], floats: [1.5, -2])]
        try SafeTensorsFile(tensors: tensors).write(to: file)
        let link = folder.appendingPathComponent("latest.safetensors").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: file)
        XCTAssertEqual(try SafeTensorsFile(contentsOf: link).tensors, tensors)

        let pipe = folder.appendingPathComponent("pipe.safetensors").path
        XCTAssertEqual(mkfifo(pipe, 0o600), 0)
        for path in [folder.path, pipe] {
            XCTAssertThrowsError(try SafeTensorsFile(contentsOf: path)) {
                XCTAssertEqual("\($0)", "\(path): not a regular file (a directory, device or pipe)")
            }
        }
    }
}
