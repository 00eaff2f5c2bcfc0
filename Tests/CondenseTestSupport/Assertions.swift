import CondenseCore
import XCTest

/// Asserts that two tensors' shapes match and that every element satisfies |a − b| ≤ atol + rtol·|b|.
public func assertClose(_ actual: Tensor, _ expected: Tensor, rtol: Float = 1e-5, atol: Float = 1e-6,
                        _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) throws {
    XCTAssertEqual(actual.shape, expected.shape, "shape " + message(), file: file, line: line)
    guard actual.shape == expected.shape else { return }
    assertClose(try actual.toHost(), try expected.toHost(), rtol: rtol, atol: atol, message(), file: file, line: line)
}

/// Asserts element-wise closeness of two arrays (counts first), reporting the worst element.
public func assertClose(_ actual: [Float], _ expected: [Float], rtol: Float = 1e-5, atol: Float = 1e-6,
                        _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "element count " + message(), file: file, line: line)
    guard actual.count == expected.count else { return }
    var worst: (index: Int, excess: Float)? = nil
    for i in actual.indices {
        let excess = abs(actual[i] - expected[i]) - (atol + rtol * abs(expected[i]))
        if !(excess <= 0), worst.map({ excess > $0.excess || excess.isNaN }) ?? true { worst = (i, excess) }
    }
    if let worst {
        XCTFail("element \(worst.index): \(actual[worst.index]) vs expected \(expected[worst.index]) " +
                "(rtol \(rtol), atol \(atol)) " + message(), file: file, line: line)
    }
}

/// Largest |a − b| / max(|b|, floor) over all elements: the figure benchmarks and parity tests report.
public func maxRelativeError(_ actual: [Float], _ expected: [Float], floor: Float = 1e-3) -> Float {
    zip(actual, expected).reduce(0) { max($0, abs($1.0 - $1.1) / max(abs($1.1), floor)) }
}

/// Largest |a − b| divided by the largest |b|: the error measure for sums whose terms cancel (GEMM, convolution),
/// where single elements near zero make an element-wise relative error meaningless.
public func maxNormalizedError(_ actual: [Float], _ expected: [Float]) -> Float {
    let scale = expected.reduce(Float(0)) { max($0, abs($1)) }
    return zip(actual, expected).reduce(0) { max($0, abs($1.0 - $1.1)) } / max(scale, .leastNormalMagnitude)
}
