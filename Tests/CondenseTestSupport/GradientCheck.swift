import XCTest

/// Central finite differences of a scalar function in Double: `(f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h` for each i.
/// Backward passes are checked against this, using the CPU reference code instantiated at `Double`.
public func numericalGradient(of f: ([Double]) throws -> Double, at x: [Double], step: Double = 1e-6) rethrows -> [Double] {
    var point = x
    return try x.indices.map { index in
        point[index] = x[index] + step
        let plus = try f(point)
        point[index] = x[index] - step
        let minus = try f(point)
        point[index] = x[index]
        return (plus - minus) / (2 * step)
    }
}

/// Asserts |a − b| ≤ atol + rtol·|b| element-wise for Double arrays (gradient checks), naming the worst element.
public func assertClose(_ actual: [Double], _ expected: [Double], rtol: Double = 1e-6, atol: Double = 1e-8,
                        _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "element count " + message(), file: file, line: line)
    guard actual.count == expected.count else { return }
    for i in actual.indices where !(abs(actual[i] - expected[i]) <= atol + rtol * abs(expected[i])) {
        return XCTFail("element \(i): \(actual[i]) vs expected \(expected[i]) " + message(), file: file, line: line)
    }
}
