import Condense
import XCTest

/// ACC and macro one-vs-rest AUC on cases worked out by hand.
final class ClassificationMetricsTests: XCTestCase {
    func testAUCIsTheProbabilityThatAPositiveOutranksANegative() throws {
        // Class 1 scores 0.1, 0.4 (negatives) and 0.35, 0.8 (positives): of the 4 positive/negative pairs, 3 are
        // ordered correctly → 0.75; class 0 (scores 1 − p) mirrors it → 0.75.
        let probabilities: [Float] = [0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8]
        let labels: [Int32] = [0, 0, 1, 1]
        XCTAssertEqual(try XCTUnwrap(ClassificationMetrics.macroAUC(probabilities: probabilities, labels: labels,
                                                                    classes: 2)), 0.75, accuracy: 1e-12)
        // Argmax per row: 0, 0, 0, 1 against labels 0, 0, 1, 1 → 3 of 4 correct.
        XCTAssertEqual(try ClassificationMetrics.accuracy(probabilities: probabilities, labels: labels, classes: 2), 0.75,
                       accuracy: 1e-12)
    }

    func testTiesCountHalfAndAbsentClassesAreSkipped() throws {
        // Three classes, class 2 never occurs. Class 0: positives 0.5, 0.5 vs negatives 0.5, 0.2 → pairs
        // (tie, win, tie, win) = 3/4. Class 1: positives 0.3, 0.6 vs negatives 0.3, 0.3 → (tie, tie, win, win) = 3/4.
        let probabilities: [Float] = [0.5, 0.3, 0.2,
                                      0.5, 0.3, 0.2,
                                      0.5, 0.3, 0.2,
                                      0.2, 0.6, 0.2]
        let labels: [Int32] = [0, 0, 1, 1]
        XCTAssertEqual(try XCTUnwrap(ClassificationMetrics.macroAUC(probabilities: probabilities, labels: labels,
                                                                    classes: 3)), 0.75, accuracy: 1e-12)
    }

    func testTheAUCOfASingleClassIsUndefinedNotZero() throws {
        // Every label is class 1: no class has both positives and negatives, so there is no AUC to average; the
        // accuracy is still defined (rows 2 and 3 pick class 1 → 2 of 3).
        let probabilities: [Float] = [0.9, 0.1, 0.3, 0.7, 0.4, 0.6]
        let labels: [Int32] = [1, 1, 1]
        XCTAssertNil(try ClassificationMetrics.macroAUC(probabilities: probabilities, labels: labels, classes: 2))
        XCTAssertEqual(try ClassificationMetrics.accuracy(probabilities: probabilities, labels: labels, classes: 2),
                       2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(ClassificationMetrics.describe(auc: nil), "undefined (one class)")
        XCTAssertEqual(ClassificationMetrics.describe(auc: 0.75), "0.7500")
    }

    func testAnEmptySetHasNoAccuracyAndMismatchedScoresAreRefused() {
        XCTAssertThrowsError(try ClassificationMetrics.accuracy(probabilities: [], labels: [], classes: 2)) { error in
            XCTAssertTrue("\(error)".contains("empty set has no accuracy"), "\(error)")
        }
        XCTAssertThrowsError(try ClassificationMetrics.macroAUC(probabilities: [0.5, 0.5, 1], labels: [0, 1],
                                                                classes: 2)) { error in
            XCTAssertTrue("\(error)".contains("expected 2 labels × 2 classes = 4 scores, got 3"), "\(error)")
        }
        XCTAssertThrowsError(try ClassificationMetrics.accuracy(probabilities: [1], labels: [0, 1], classes: 2))
    }
}
