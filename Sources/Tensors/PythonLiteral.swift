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

    private var c: ByteCursor

    /// Parses the header: one dict with string keys, then only whitespace (spaces, the
    /// final newline; old writers padded to 16 bytes, new ones to 64: any padding is fine).
    static func parseHeader(_ bytes: [UInt8], context: String) throws -> [(key: String, value: PythonLiteral)] {
        var p = PythonLiteralParser(c: ByteCursor(bytes, maxDepth: maxDepth, errorPrefix: "\(context) is malformed:",
                                                  endOfInput: "at the end of the header", nulIsWhitespace: true))
        p.c.skipWhitespace()
        guard p.c.current == UInt8(ascii: "{") else { throw p.c.error("expected a dict literal '{...}'") }
        guard case .dict(let members) = try p.parseValue() else { throw p.c.error("expected a dict literal") }
        p.c.skipWhitespace()
        guard p.c.atEnd else { throw p.c.error("unexpected text after the dict") }
        return members
    }

    private mutating func parseValue() throws -> PythonLiteral {
        guard let b = c.current else { throw c.error("unexpected end of header") }
        switch b {
        case UInt8(ascii: "{"): return try parseDict()
        case UInt8(ascii: "("): return .tuple(try parseSequence(close: UInt8(ascii: ")")))
        case UInt8(ascii: "["): return .list(try parseSequence(close: UInt8(ascii: "]")))
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .integer(try parseInteger())
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"):
            let start = c.pos
            while let b = c.current, b.isASCIILetter { c.pos += 1 }
            switch c.text(from: start) {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            case let word: c.pos = start; throw c.error("unexpected name '\(printable(word, limit: 20))'")
            }
        default: throw c.error("unexpected character 0x\(String(b, radix: 16))")
        }
    }

    private mutating func parseDict() throws -> PythonLiteral {
        try c.enter()
        var members: [(key: String, value: PythonLiteral)] = []
        while c.current != UInt8(ascii: "}") {
            guard c.current == UInt8(ascii: "'") || c.current == UInt8(ascii: "\"") else { throw c.error("expected a string key") }
            let key = try parseString()
            guard !members.contains(where: { $0.key == key }) else { throw c.error("duplicate key '\(printable(key))'") }
            try c.colon()
            members.append((key, try parseValue()))
            if try !c.another(before: UInt8(ascii: "}")) { break }
        }
        c.leave()
        return .dict(members)
    }

    /// A tuple or list body; trailing commas allowed, as in Python ('(3,)').
    private mutating func parseSequence(close: UInt8) throws -> [PythonLiteral] {
        try c.enter()
        var elements: [PythonLiteral] = []
        while c.current != close {
            elements.append(try parseValue())
            if try !c.another(before: close) { break }
        }
        c.leave()
        return elements
    }

    /// A quoted string; backslash escapes only quote their next byte (dtype strings and keys
    /// never need more).
    private mutating func parseString() throws -> String {
        let quote = c.bytes[c.pos]
        c.pos += 1
        var out: [UInt8] = []
        while true {
            guard let b = c.current else { throw c.error("unterminated string") }
            c.pos += 1
            if b == quote { return String(decoding: out, as: UTF8.self) }
            if b == 0x0A { throw c.error("newline in string") }
            if b == UInt8(ascii: "\\") {
                guard let e = c.current else { throw c.error("unterminated string") }
                c.pos += 1
                out.append(e)
            } else {
                out.append(b)
            }
        }
    }

    /// A decimal integer, with Python 2's optional 'L' suffix (old files say '(3L, 4L)').
    private mutating func parseInteger() throws -> Int {
        let start = c.pos
        if c.current == UInt8(ascii: "-") { c.pos += 1 }
        guard c.skipDigits() > 0 else { throw c.error("expected digits") }
        let text = c.text(from: start)
        guard let value = Int(text) else { throw c.error("integer \(printable(text, limit: 40)) is too large") }
        if c.current == UInt8(ascii: "L") { c.pos += 1 }
        return value
    }
}

private extension UInt8 {
    var isASCIILetter: Bool { (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self) }
}
