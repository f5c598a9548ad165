import Foundation
import GrokCore

/// A JSON value, parsed strictly (a boolean is never a number, duplicate keys are an error):
/// the one JSON value type of GrokLab, for safetensors headers and for a run directory's
/// config.json and phases.json (RunFiles). Objects keep their key order (file order: a
/// report lists config.json's keys as written).
public enum JSONValue: Equatable, Sendable {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    /// An integer literal that fits in Int.
    case integer(Int)
    /// Any other number (fraction, exponent, or an integer too large for Int), with its text.
    case number(Double, text: String)
    case bool(Bool)
    case null

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.array(x), .array(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.integer(x), .integer(y)): return x == y
        case let (.number(_, x), .number(_, y)): return x == y
        case let (.bool(x), .bool(y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    /// Parses a whole JSON document; `context` (e.g. the file's path) starts error messages.
    public static func parse(_ data: Data, context: String) throws -> JSONValue {
        try JSONParser.parse(Array(data), context: context)
    }

    /// The number, integer or not; nil for anything else.
    public var number: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .number(let d, _): return d
        default: return nil
        }
    }
    public var string: String? { if case .string(let s) = self { return s }; return nil }
    public var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    /// The members of an object, in file order.
    public var members: [(key: String, value: JSONValue)]? { if case .object(let o) = self { return o }; return nil }
    /// The member `key` of an object (nil for a missing key or a non-object).
    public subscript(key: String) -> JSONValue? { members?.first { $0.key == key }?.value }

    /// A short display string (integral numbers without a fraction, objects with sorted keys).
    public var display: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .integer(let i): return String(i)
        case .number(let n, _):
            if n == n.rounded() && abs(n) < 1e15 { return String(Int64(n)) }
            return "\(n)"
        case .string(let s): return s
        case .array(let a): return "[" + a.map(\.display).joined(separator: ", ") + "]"
        case .object(let o): return "{" + o.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.display)" }.joined(separator: ", ") + "}"
        }
    }

    /// A short description for error messages ("a string", "the number 1.5", ...).
    var kindDescription: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string(let s): return "the string \"\(printable(s, limit: 40))\""
        case .integer(let i): return "the integer \(i)"
        case .number(_, let text): return "the number \(printable(text, limit: 40))"
        case .bool(let b): return "\(b)"
        case .null: return "null"
        }
    }
}

/// A small strict JSON parser (RFC 8259) for untrusted headers. Written here rather than
/// using JSONSerialization because that one has crashed on deep nesting on Linux, and a
/// header is attacker-controlled: nesting is capped, every error is a GrokError.
struct JSONParser {
    static let maxDepth = 64

    private var c: ByteCursor

    /// Parses one JSON value followed only by whitespace. `context` prefixes error messages.
    static func parse(_ bytes: [UInt8], context: String) throws -> JSONValue {
        guard isValidUTF8(bytes) else {
            throw GrokError("\(context) is not valid UTF-8")
        }
        var parser = JSONParser(c: ByteCursor(bytes, maxDepth: maxDepth, errorPrefix: "\(context) is not valid JSON:",
                                              endOfInput: "at the end of input (truncated?)"))
        parser.c.skipWhitespace()
        let value = try parser.parseValue()
        parser.c.skipWhitespace()
        guard parser.c.atEnd else { throw parser.c.error("unexpected text after the JSON value") }
        return value
    }

    private mutating func expect(_ literal: String, _ value: JSONValue) throws -> JSONValue {
        for b in literal.utf8 {
            guard c.current == b else { throw c.error("invalid literal") }
            c.pos += 1
        }
        return value
    }

    private mutating func parseValue() throws -> JSONValue {
        guard let b = c.current else { throw c.error("expected a value") }
        switch b {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw c.error("unexpected character '\(printable(String(Unicode.Scalar(b))))'")
        }
    }

    private mutating func parseObject() throws -> JSONValue {
        try c.enter()
        var members: [(key: String, value: JSONValue)] = []
        var seen = Set<String>()
        if c.current == UInt8(ascii: "}") { c.leave(); return .object(members) }
        while true {
            guard c.current == UInt8(ascii: "\"") else { throw c.error("expected a string key") }
            let key = try parseString()
            guard seen.insert(key).inserted else { throw c.error("duplicate key \"\(printable(key))\"") }
            try c.colon()
            members.append((key, try parseValue()))
            if try c.another(before: UInt8(ascii: "}")) { continue }
            c.leave()
            return .object(members)
        }
    }

    private mutating func parseArray() throws -> JSONValue {
        try c.enter()
        var elements: [JSONValue] = []
        if c.current == UInt8(ascii: "]") { c.leave(); return .array(elements) }
        while true {
            elements.append(try parseValue())
            if try c.another(before: UInt8(ascii: "]")) { continue }
            c.leave()
            return .array(elements)
        }
    }

    private mutating func parseHex4() throws -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let b = c.current else { throw c.error("unterminated \\u escape") }
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw c.error("bad hex digit in \\u escape")
            }
            v = v * 16 + digit
            c.pos += 1
        }
        return v
    }

    private mutating func parseString() throws -> String {
        c.pos += 1  // opening quote
        var out: [UInt8] = []
        while true {
            guard let b = c.current else { throw c.error("unterminated string") }
            c.pos += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)  // input validated; escapes encode valid scalars
            case UInt8(ascii: "\\"):
                guard let e = c.current else { throw c.error("unterminated escape") }
                c.pos += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard c.current == UInt8(ascii: "\\"), c.pos + 1 < c.bytes.count, c.bytes[c.pos + 1] == UInt8(ascii: "u") else {
                            throw c.error("unpaired surrogate in \\u escape")
                        }
                        c.pos += 2
                        let low = try parseHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw c.error("unpaired surrogate in \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw c.error("unpaired surrogate in \\u escape")
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw c.error("invalid \\u escape") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw c.error("invalid escape '\\\(printable(String(Unicode.Scalar(e))))'")
                }
            case 0..<0x20:
                throw c.error("control character in string")
            default:
                out.append(b)
            }
        }
    }

    private mutating func parseNumber() throws -> JSONValue {
        let start = c.pos
        var isInteger = true
        if c.current == UInt8(ascii: "-") { c.pos += 1 }
        if c.current == UInt8(ascii: "0") {
            c.pos += 1
        } else {
            guard c.skipDigits() > 0 else { throw c.error("expected digits") }
        }
        if c.current == UInt8(ascii: ".") {
            c.pos += 1
            isInteger = false
            guard c.skipDigits() > 0 else { throw c.error("expected digits after '.'") }
        }
        if c.current == UInt8(ascii: "e") || c.current == UInt8(ascii: "E") {
            c.pos += 1
            isInteger = false
            if c.current == UInt8(ascii: "+") || c.current == UInt8(ascii: "-") { c.pos += 1 }
            guard c.skipDigits() > 0 else { throw c.error("expected digits in exponent") }
        }
        let text = c.text(from: start)
        if isInteger, let i = Int(text) { return .integer(i) }
        return .number(Double(text) ?? .nan, text: text)
    }
}

/// Writes JSON strings with the escapes RFC 8259 requires (quote, backslash, controls).
enum JSONWriter {
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
