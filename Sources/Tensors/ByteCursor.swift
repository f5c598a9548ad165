import GrokCore

/// A read position in a byte buffer and what both of GrokLab's small text parsers (JSON for
/// headers and run files, the Python literal of an .npy header) need around it: the current
/// byte, whitespace, a cap on nesting (the input is untrusted) and errors that say where.
struct ByteCursor {
    let bytes: [UInt8]
    var pos = 0
    var depth = 0
    let maxDepth: Int
    /// Starts every error: "<file> is not valid JSON:", "<file> is malformed:".
    let errorPrefix: String
    /// Where an error at the end of the input says it is.
    let endOfInput: String
    /// NUL counts as whitespace too (old .npy writers padded headers with it).
    let nulIsWhitespace: Bool

    init(_ bytes: [UInt8], maxDepth: Int, errorPrefix: String, endOfInput: String, nulIsWhitespace: Bool = false) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.errorPrefix = errorPrefix
        self.endOfInput = endOfInput
        self.nulIsWhitespace = nulIsWhitespace
    }

    var current: UInt8? { pos < bytes.count ? bytes[pos] : nil }
    var atEnd: Bool { pos == bytes.count }

    func error(_ problem: String) -> GrokError {
        GrokError("\(errorPrefix) \(problem) \(pos < bytes.count ? "at byte \(pos)" : endOfInput)")
    }

    mutating func skipWhitespace() {
        while let c = current, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 || (nulIsWhitespace && c == 0x00) { pos += 1 }
    }

    /// Steps over an opening bracket into one more level of nesting, and the whitespace after it.
    mutating func enter() throws {
        depth += 1
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth) levels") }
        pos += 1
        skipWhitespace()
    }

    /// Steps over the closing bracket of the level `enter` opened.
    mutating func leave() {
        pos += 1
        depth -= 1
    }

    /// Between a key and its value: whitespace, ':', whitespace.
    mutating func colon() throws {
        skipWhitespace()
        guard current == UInt8(ascii: ":") else { throw error("expected ':'") }
        pos += 1
        skipWhitespace()
    }

    /// After an element of a list or a dict: true at ',' (stepped over, and the whitespace
    /// after it), false at `close` (left for `leave`), else an error.
    mutating func another(before close: UInt8) throws -> Bool {
        skipWhitespace()
        if current == UInt8(ascii: ",") { pos += 1; skipWhitespace(); return true }
        guard current == close else { throw error("expected ',' or '\(Unicode.Scalar(close))'") }
        return false
    }

    /// Steps over ASCII digits; how many there were.
    mutating func skipDigits() -> Int {
        let start = pos
        while let c = current, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { pos += 1 }
        return pos - start
    }

    /// The bytes from `start` to the cursor, as text.
    func text(from start: Int) -> String { String(decoding: bytes[start..<pos], as: UTF8.self) }
}
