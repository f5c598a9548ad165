/// A chart title set to fit its canvas. Titles carry the run's name, and run names can be
/// long (runs/<date>-<time>-<preset>-<optimizer>-<loss>-lr..-wd..-seed..): a title that
/// simply centred itself ran off both edges. In order of preference the title
///   1. stays on one line at full size,
///   2. shrinks a little (to `minimumScale` of the size) to stay on one line,
///   3. breaks into two lines, after ": " when it has one (the run name, then what the figure
///      shows), else at the space or hyphen that balances the lines, shrinking if need be,
///   4. and as a last resort shortens the run name in its middle ("2026…seed0") on line one.
public struct FittedTitle: Sendable, Equatable {
    public var lines: [String]
    public var size: Double

    /// Height the title takes above the panels, from the top of the canvas.
    public var height: Double { 34 + Double(lines.count - 1) * lineHeight }
    public var lineHeight: Double { (size * 1.25).rounded() }

    /// Space kept free at each side of the canvas.
    public static let margin = 10.0
    public static let minimumScale = 0.8

    /// Width of `text` at `size`; bold glyphs of DejaVu Sans are about 12% wider than regular.
    static func width(_ text: String, size: Double, bold: Bool) -> Double {
        textWidth(text, size: size) * (bold ? 1.12 : 1)
    }

    public static func fit(_ title: String, width canvas: Double, size: Double, bold: Bool = true) -> FittedTitle {
        let available = canvas - 2 * margin
        let full = width(title, size: size, bold: bold)
        if full <= available { return FittedTitle(lines: [title], size: size) }
        if full * minimumScale <= available {
            return FittedTitle(lines: [title], size: (size * available / full * 100).rounded(.down) / 100)
        }
        let (first, second) = split(title, size: size, bold: bold)
        let widest = max(width(first, size: size, bold: bold), width(second, size: size, bold: bold))
        let twoLineSize = min(size, (size * available / widest * 100).rounded(.down) / 100)
        if twoLineSize >= size * minimumScale { return FittedTitle(lines: [first, second], size: twoLineSize) }
        let small = size * minimumScale
        return FittedTitle(lines: [first, second].map { shorten($0, to: available, size: small, bold: bold) }, size: small)
    }

    /// One line in `available` pixels: shrunk to `minimumScale` at most, then shortened in
    /// the middle (panel titles, which have no room for a second line).
    public static func singleLine(_ text: String, width available: Double, size: Double,
                                  bold: Bool = true) -> (text: String, size: Double) {
        let full = width(text, size: size, bold: bold)
        if full <= available { return (text, size) }
        if full * minimumScale <= available { return (text, (size * available / full * 100).rounded(.down) / 100) }
        let small = size * minimumScale
        return (shorten(text, to: available, size: small, bold: bold), small)
    }

    /// The two lines: after ": " when there is one, else at the space or hyphen that makes the
    /// longer line shortest (a hyphen stays at the end of the first line).
    static func split(_ title: String, size: Double, bold: Bool) -> (String, String) {
        let chars = Array(title)
        if let colon = title.range(of: ": ", options: .backwards) {
            return (String(title[..<colon.lowerBound]) + ":", String(title[colon.upperBound...]))
        }
        var best: (String, String)? = nil, bestWidth = Double.infinity
        for i in 1..<max(chars.count, 1) where chars[i] == " " || chars[i - 1] == "-" || chars[i - 1] == "_" {
            let a = String(chars[..<i]).trimmingTrailingSpaces, b = String(chars[i...]).trimmingLeadingSpaces
            guard !a.isEmpty, !b.isEmpty else { continue }
            let w = max(width(a, size: size, bold: bold), width(b, size: size, bold: bold))
            if w < bestWidth { bestWidth = w; best = (a, b) }
        }
        if let best { return best }
        let half = chars.count / 2
        return (String(chars[..<half]), String(chars[half...]))
    }

    /// `line` with characters taken out of its middle, replaced by "…", until it fits.
    static func shorten(_ line: String, to available: Double, size: Double, bold: Bool) -> String {
        guard width(line, size: size, bold: bold) > available else { return line }
        var chars = Array(line)
        while chars.count > 2 {
            chars.remove(at: chars.count / 2)
            let head = chars[..<(chars.count / 2)], tail = chars[(chars.count / 2)...]
            let candidate = String(head) + "…" + String(tail)
            if width(candidate, size: size, bold: bold) <= available { return candidate }
        }
        return "…"
    }
}

private extension String {
    var trimmingTrailingSpaces: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
    var trimmingLeadingSpaces: String { String(drop { $0 == " " }) }
}
