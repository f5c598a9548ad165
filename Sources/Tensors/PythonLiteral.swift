import GrokCore

/// The subset of Python literals an .npy header uses: a dict of strings to strings,
/// booleans, None, integers and tuples (lists are parsed so a structured 'descr' gets a
/// clear error). numpy reads headers with ast.literal_eval; this is the strict equivalent.
enum PythonLiteral: Equatable {
    case string(String)
    case integer(Int)
    case bool(Bool)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dict([(key: String, value: PythonLiteral)])

    static func == (a: PythonLiteral, b: PythonLiteral) -> Bool {
        switch (a, b) {
        case let (.string(x), .string(y)): return x == y
        case let (.integer(x), .integer(y)): return x == y
        case let (.bool(x), .bool(y)): return x == y
        case (.none, .none): return true
        case let (.tuple(x), .tuple(y)), let (.list(x), .list(y)): return x == y
        case let (.dict(x), .dict(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }
}

struct PythonLiteralParser {
    static let maxDepth = 16

    private let bytes: [UInt8]
    private var pos = 0
    private var depth = 0
    private let context: String

    /// Parses the header: one dict with string keys, then only whitespace (spaces, the
    /// final newline; old writers padded to 16 bytes, new ones to 64: any padding is fine).
    static func parseHeader(_ bytes: [UInt8], context: String) throws -> [(key: String, value: PythonLiteral)] {
        var p = PythonLiteralParser(bytes: bytes, context: context)
        p.skipWhitespace()
        guard p.current == UInt8(ascii: "{") else { throw p.error("expected a dict literal '{...}'") }
        guard case .dict(let members) = try p.parseValue() else { throw p.error("expected a dict literal") }
        p.skipWhitespace()
        guard p.pos == bytes.count else { throw p.error("unexpected text after the dict") }
        return members
    }

    private init(bytes: [UInt8], context: String) {
        self.bytes = bytes
        self.context = context
    }

    private func error(_ problem: String) -> GrokError {
        let at = pos < bytes.count ? "at byte \(pos)" : "at the end of the header"
        return GrokError("\(context) is malformed: \(problem) \(at)")
    }

    private var current: UInt8? { pos < bytes.count ? bytes[pos] : nil }

    private mutating func skipWhitespace() {
        while let c = current, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 || c == 0x00 { pos += 1 }
    }

    private mutating func parseValue() throws -> PythonLiteral {
        guard let c = current else { throw error("unexpected end of header") }
        switch c {
        case UInt8(ascii: "{"): return try parseDict()
        case UInt8(ascii: "("): return .tuple(try parseSequence(close: UInt8(ascii: ")")))
        case UInt8(ascii: "["): return .list(try parseSequence(close: UInt8(ascii: "]")))
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .integer(try parseInteger())
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"):
            let start = pos
            while let c = current, c.isASCIILetter { pos += 1 }
            switch String(decoding: bytes[start..<pos], as: UTF8.self) {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            case let word: pos = start; throw error("unexpected name '\(printable(word, limit: 20))'")
            }
        default: throw error("unexpected character 0x\(String(c, radix: 16))")
        }
    }

    private mutating func enter() throws {
        depth += 1
        guard depth <= PythonLiteralParser.maxDepth else { throw error("nesting deeper than \(PythonLiteralParser.maxDepth) levels") }
        pos += 1
        skipWhitespace()
    }

    private mutating func parseDict() throws -> PythonLiteral {
        try enter()
        var members: [(key: String, value: PythonLiteral)] = []
        while current != UInt8(ascii: "}") {
            guard current == UInt8(ascii: "'") || current == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try parseString()
            guard !members.contains(where: { $0.key == key }) else { throw error("duplicate key '\(printable(key))'") }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':'") }
            pos += 1
            skipWhitespace()
            members.append((key, try parseValue()))
            skipWhitespace()
            if current == UInt8(ascii: ",") { pos += 1; skipWhitespace(); continue }
            guard current == UInt8(ascii: "}") else { throw error("expected ',' or '}'") }
        }
        pos += 1
        depth -= 1
        return .dict(members)
    }

    /// A tuple or list body; trailing commas allowed, as in Python ('(3,)').
    private mutating func parseSequence(close: UInt8) throws -> [PythonLiteral] {
        try enter()
        var elements: [PythonLiteral] = []
        while current != close {
            elements.append(try parseValue())
            skipWhitespace()
            if current == UInt8(ascii: ",") { pos += 1; skipWhitespace(); continue }
            guard current == close else { throw error("expected ',' or '\(Unicode.Scalar(close))'") }
        }
        pos += 1
        depth -= 1
        return elements
    }

    /// A quoted string; backslash escapes only quote their next byte (dtype strings and keys
    /// never need more).
    private mutating func parseString() throws -> String {
        let quote = bytes[pos]
        pos += 1
        var out: [UInt8] = []
        while true {
            guard let c = current else { throw error("unterminated string") }
            pos += 1
            if c == quote { return String(decoding: out, as: UTF8.self) }
            if c == 0x0A { throw error("newline in string") }
            if c == UInt8(ascii: "\\") {
                guard let e = current else { throw error("unterminated string") }
                pos += 1
                out.append(e)
            } else {
                out.append(c)
            }
        }
    }

    /// A decimal integer, with Python 2's optional 'L' suffix (old files say '(3L, 4L)').
    private mutating func parseInteger() throws -> Int {
        let start = pos
        if current == UInt8(ascii: "-") { pos += 1 }
        let digitsStart = pos
        while let c = current, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { pos += 1 }
        guard pos > digitsStart else { throw error("expected digits") }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        guard let value = Int(text) else { throw error("integer \(printable(text, limit: 40)) is too large") }
        if current == UInt8(ascii: "L") { pos += 1 }
        return value
    }
}

private extension UInt8 {
    var isASCIILetter: Bool { (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self) }
}
