/// Text escaping and a minimal element writer. Everything a label contains passes through
/// `xmlEscaped`, so a run name like "wd<0.01 & lr>1e-3" cannot break the document.
public enum XML {
    public static func escaped(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab/newline are not allowed in XML 1.0.
                if ch.value < 0x20 && ch != "\t" && ch != "\n" { out += " " } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }
}

/// A pixel coordinate written with two decimals (enough for any screen, keeps files small).
@inline(__always)
func px(_ v: Double) -> String {
    let c = min(max(v, -1e6), 1e6)
    let r = (c * 100).rounded() / 100
    if r == r.rounded() { return String(Int(r)) }
    return "\(r)"
}

enum TextAnchor: String { case start, middle, end }

/// Appends SVG elements to a string. Attributes are built here only, always escaped.
struct SVGWriter {
    var out = ""
    var clipCounter = 0

    mutating func raw(_ s: String) { out += s; out += "\n" }

    mutating func rect(x: Double, y: Double, w: Double, h: Double, fill: Color?, opacity: Double = 1,
                       stroke: Color? = nil, strokeWidth: Double = 1, cls: String? = nil) {
        var s = "<rect x=\"\(px(x))\" y=\"\(px(y))\" width=\"\(px(max(w, 0)))\" height=\"\(px(max(h, 0)))\""
        s += " fill=\"\(fill?.hex ?? "none")\""
        if opacity < 1 { s += " fill-opacity=\"\(px(opacity))\"" }
        if let stroke { s += " stroke=\"\(stroke.hex)\" stroke-width=\"\(px(strokeWidth))\"" }
        if let cls { s += " class=\"\(XML.escaped(cls))\"" }
        raw(s + "/>")
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, color: Color,
                       width: Double = 1, dash: Dash = .solid, opacity: Double = 1, cls: String? = nil) {
        var s = "<line x1=\"\(px(x1))\" y1=\"\(px(y1))\" x2=\"\(px(x2))\" y2=\"\(px(y2))\" stroke=\"\(color.hex)\" stroke-width=\"\(px(width))\""
        if let d = dash.pattern(width: width) { s += " stroke-dasharray=\"\(d)\"" }
        if opacity < 1 { s += " stroke-opacity=\"\(px(opacity))\"" }
        if let cls { s += " class=\"\(XML.escaped(cls))\"" }
        raw(s + "/>")
    }

    mutating func polyline(_ points: [(Double, Double)], color: Color, width: Double, dash: Dash,
                           cls: String, fill: Color? = nil, fillOpacity: Double = 1) {
        var s = "<polyline class=\"\(XML.escaped(cls))\" fill=\"\(fill?.hex ?? "none")\""
        if fill != nil && fillOpacity < 1 { s += " fill-opacity=\"\(px(fillOpacity))\"" }
        s += " stroke=\"\(color.hex)\" stroke-width=\"\(px(width))\" stroke-linejoin=\"round\" stroke-linecap=\"round\""
        if let d = dash.pattern(width: width) { s += " stroke-dasharray=\"\(d)\"" }
        s += " points=\""
        for (i, p) in points.enumerated() {
            if i > 0 { s += " " }
            s += px(p.0) + "," + px(p.1)
        }
        raw(s + "\"/>")
    }

    mutating func marker(_ m: Marker, x: Double, y: Double, size: Double, color: Color, cls: String? = nil) {
        let c = cls.map { " class=\"\(XML.escaped($0))\"" } ?? ""
        switch m {
        case .none: return
        case .circle:
            raw("<circle\(c) cx=\"\(px(x))\" cy=\"\(px(y))\" r=\"\(px(size))\" fill=\"\(color.hex)\" stroke=\"#ffffff\" stroke-width=\"0.6\"/>")
        case .square:
            raw("<rect\(c) x=\"\(px(x - size))\" y=\"\(px(y - size))\" width=\"\(px(2 * size))\" height=\"\(px(2 * size))\" fill=\"\(color.hex)\" stroke=\"#ffffff\" stroke-width=\"0.6\"/>")
        case .triangle:
            let h = size * 1.15
            raw("<polygon\(c) points=\"\(px(x)),\(px(y - h)) \(px(x - h)),\(px(y + h * 0.8)) \(px(x + h)),\(px(y + h * 0.8))\" fill=\"\(color.hex)\" stroke=\"#ffffff\" stroke-width=\"0.6\"/>")
        }
    }

    mutating func text(_ string: String, x: Double, y: Double, size: Double, anchor: TextAnchor = .start,
                       color: Color = .ink, bold: Bool = false, rotate: Double? = nil, cls: String? = nil,
                       baselineMiddle: Bool = false, halo: Bool = false) {
        var s = "<text x=\"\(px(x))\" y=\"\(px(y))\" font-size=\"\(px(size))\" fill=\"\(color.hex)\""
        if anchor != .start { s += " text-anchor=\"\(anchor.rawValue)\"" }
        if bold { s += " font-weight=\"bold\"" }
        if baselineMiddle { s += " dominant-baseline=\"central\"" }
        if let rotate { s += " transform=\"rotate(\(px(rotate)) \(px(x)) \(px(y)))\"" }
        // A white outline under the glyphs keeps text readable over lines.
        if halo { s += " stroke=\"#ffffff\" stroke-width=\"3\" stroke-opacity=\"0.85\" stroke-linejoin=\"round\" paint-order=\"stroke\"" }
        if let cls { s += " class=\"\(XML.escaped(cls))\"" }
        raw(s + ">\(XML.escaped(string))</text>")
    }

    /// Opens a group clipped to a rectangle; close it with `endGroup()`.
    mutating func beginClip(x: Double, y: Double, w: Double, h: Double, idPrefix: String) {
        clipCounter += 1
        let id = "\(idPrefix)clip\(clipCounter)"
        raw("<clipPath id=\"\(id)\"><rect x=\"\(px(x))\" y=\"\(px(y))\" width=\"\(px(w))\" height=\"\(px(h))\"/></clipPath>")
        raw("<g clip-path=\"url(#\(id))\">")
    }

    mutating func beginGroup(cls: String) { raw("<g class=\"\(XML.escaped(cls))\">") }
    mutating func endGroup() { raw("</g>") }
}

/// Rough width of a string in the sans-serif font the SVG asks for: enough to lay out
/// margins and legends without a font engine (DejaVu Sans averages ~0.6 em per glyph).
func textWidth(_ s: String, size: Double) -> Double {
    var w = 0.0
    for ch in s {
        if "il.,:;|!'".contains(ch) { w += 0.32 }
        else if "mwMW".contains(ch) { w += 0.9 }
        else if ch.isUppercase { w += 0.7 }
        else if "⁰¹²³⁴⁵⁶⁷⁸⁹⁻".contains(ch) { w += 0.42 }
        else { w += 0.6 }
    }
    return w * size
}
