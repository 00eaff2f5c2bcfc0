@testable import CondenseNN
import Foundation
import XCTest

/// The JSON reader and string quoting behind headers and metadata values.
final class CheckpointJSONTests: XCTestCase {
    private func parse(_ text: String) throws -> CheckpointJSON { try CheckpointJSON.parse(Array(text.utf8)) }

    private func parseError(_ text: String) -> String {
        do {
            _ = try parse(text)
            XCTFail("'\(text)' parsed")
        } catch let error as CheckpointJSON.ParseError {
            return error.description
        } catch {
            XCTFail("\(error)")
        }
        return ""
    }

    func testValuesKeepOrderDuplicatesAndNumberText() throws {
        let value = try parse(" {\"b\": [1, -0.5e3, true, null], \"a\": \"x\", \"b\": {}} ")
        XCTAssertEqual(value, .object([("b", .array([.number("1"), .number("-0.5e3"), .bool(true), .null])),
                                       ("a", .string("x")), ("b", .object([]))]))
        XCTAssertEqual(try parse("[NaN, Infinity, -Infinity]"), .array([.number("NaN"), .number("Infinity"), .number("-Infinity")]))
        XCTAssertEqual(try parse("18446744073709551616").nonNegativeInteger, nil, "beyond Int")
        XCTAssertEqual(try parse("42").nonNegativeInteger, 42)
        XCTAssertEqual(try parse("4e1").nonNegativeInteger, nil)
    }

    func testStringEscapes() throws {
        XCTAssertEqual(try parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#), .string("a\"b\\c/d\n\té😀"))
        XCTAssertTrue(parseError(#""\ud83d""#).contains("unpaired UTF-16 surrogate"))
        XCTAssertTrue(parseError(#""\u12g4""#).contains("four hex digits"))
        XCTAssertTrue(parseError(#""\u+123""#).contains("four hex digits"))
        XCTAssertTrue(parseError(#""\x""#).contains("invalid escape"))
        XCTAssertTrue(parseError("\"a\nb\"").contains("control character"))
        // What we quote, Foundation's reader reads back as the same string.
        for text in ["plain", "quote\" back\\slash /", "\u{01}\u{1F}\n\r\t\u{08}\u{0C}", "ünïcode – 😀", ""] {
            let quoted = CheckpointJSON.quoted(text)
            XCTAssertEqual(try JSONSerialization.jsonObject(with: Data("[\(quoted)]".utf8)) as? [String], [text], quoted)
            XCTAssertEqual(try parse(quoted), .string(text))
        }
    }

    func testMalformedJSON() {
        XCTAssertTrue(parseError("01").contains("unexpected text after the JSON value at byte 1"))
        XCTAssertTrue(parseError("[1,]").contains("unexpected character ']' at byte 3"))
        XCTAssertTrue(parseError("1.").contains("expected a digit after '.'"))
        XCTAssertTrue(parseError("-").contains("expected a digit"))
        XCTAssertTrue(parseError("{\"a\":1").contains("unexpected end of JSON"))
        XCTAssertTrue(parseError("tru").contains("unexpected end of JSON"))
        XCTAssertTrue(parseError(String(repeating: "[", count: 100)).contains("nested more than 64 levels"))
    }
}
