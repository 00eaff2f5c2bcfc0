import CondenseBench
import CondenseCore
import CondenseTestSupport
import XCTest

/// `condense bench kernels` at a batch other than training's 128 (a GPU needs a larger one): every case runs at that
/// batch on the OpenCL device, counts the bytes of that batch, and agrees with the CPU backend.
final class KernelBenchmarkTests: XCTestCase {
    func testEveryKernelRunsAtTheGivenBatchAndMatchesTheCPUBackend() throws {
        let backend = try TestDevices.openCL(), batch = 3
        let results = try KernelBenchmark.run(on: backend, reference: TestDevices.cpu, batch: batch)
        let mapBytes = batch * 96 * 14 * 14 * 4, logitBytes = batch * 1000 * 4
        let expectedBytes = [
            "depthwise_conv2d_forward": 2 * mapBytes, "depthwise_conv2d_backward_input": 2 * mapBytes,
            "depthwise_conv2d_backward_weight": 2 * mapBytes, "softmax_temperature_forward": 2 * logitBytes,
            "softmax_temperature_distillation_loss": 3 * logitBytes,
            "softmax_temperature_decoupled_distillation_loss": 3 * logitBytes,
            "fake_quantize_per_tensor_uint8_forward": 2 * mapBytes,
            "fake_quantize_per_tensor_uint8_backward_lsq": 3 * mapBytes,
            "fake_quantize_per_channel_int8_forward": 2 * 256 * 256 * 9 * 4,
        ]
        XCTAssertEqual(Set(results.map(\.name)), Set(expectedBytes.keys))
        for result in results {
            XCTAssertEqual(result.bytes, expectedBytes[result.name], result.name)
            XCTAssertLessThan(result.maxRelativeError, 1e-5, result.name)
            XCTAssertGreaterThan(result.seconds, 0, result.name)
        }
    }
}
