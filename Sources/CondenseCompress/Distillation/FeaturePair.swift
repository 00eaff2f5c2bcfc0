import CondenseCore
import Foundation

/// Which student stage output is matched with which teacher stage output (indices into
/// `FeatureExtracting.forwardWithFeatures`'s feature list) by attention transfer and FitNets hints.
public struct FeaturePair: Equatable, Sendable, CustomStringConvertible {
    public let student: Int
    public let teacher: Int

    public init(student: Int, teacher: Int) {
        self.student = student
        self.teacher = teacher
    }

    public var description: String { "\(student):\(teacher)" }

    /// Each student stage paired with the last teacher stage of the same spatial size (for resnet → mobilenetv2 on
    /// 28 px images: the 28, 14 and 7 px stages).
    public static func matchingSizes(student: [Shape], teacher: [Shape]) -> [FeaturePair] {
        student.indices.compactMap { s in
            teacher.indices.last { spatialSize(teacher[$0]) == spatialSize(student[s]) }.map { FeaturePair(student: s, teacher: $0) }
        }
    }

    /// Parses `"0:0,2:1"` (student stage : teacher stage, comma separated).
    public static func parse(_ text: String) throws -> [FeaturePair] {
        try text.split(separator: ",").map { item in
            let parts = item.split(separator: ":").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let student = parts[0], let teacher = parts[1], student >= 0, teacher >= 0 else {
                throw CondenseError.invalidArgument(op: "distill", "feature pair '\(item)' must be STUDENT:TEACHER " +
                                                    "stage indices, e.g. 0:0,1:1")
            }
            return FeaturePair(student: student, teacher: teacher)
        }
    }

    /// Throws unless every pair names existing stages of equal spatial size.
    static func validate(_ pairs: [FeaturePair], student: [Shape], teacher: [Shape]) throws {
        guard !pairs.isEmpty else {
            throw CondenseError.invalidArgument(op: "distill", "no student stage matches a teacher stage's spatial size " +
                                                "(student \(student.map(spatialSize)), teacher \(teacher.map(spatialSize)))")
        }
        for pair in pairs {
            guard pair.student < student.count, pair.teacher < teacher.count else {
                throw CondenseError.invalidArgument(op: "distill", "feature pair \(pair): the student has \(student.count) " +
                                                    "stages, the teacher \(teacher.count)")
            }
            guard spatialSize(student[pair.student]) == spatialSize(teacher[pair.teacher]) else {
                throw CondenseError.invalidArgument(op: "distill", "feature pair \(pair): student stage is " +
                                                    "\(spatialSize(student[pair.student])), teacher stage " +
                                                    "\(spatialSize(teacher[pair.teacher])); spatial sizes must match")
            }
        }
    }

    private static func spatialSize(_ shape: Shape) -> [Int] { Array(shape.dims.suffix(2)) }
}
