import Foundation

/// How data values are laid along an axis.
public enum ScaleKind: Sendable, Equatable {
    case linear
    /// Linear in log10(value): equal ratios take equal lengths. Values <= 0 cannot be drawn.
    case log10
}

/// How decade labels on a log axis are written.
public enum LogLabelStyle: Sendable, Equatable {
    /// "10³", "10⁻²": reads like a printed axis.
    case superscript
    /// "1e3", "1e-2": plain ASCII.
    case exponent
}

/// Maps a data interval onto a pixel interval (pixelStart may exceed pixelEnd: y grows down).
public struct AxisMapping: Sendable, Equatable {
    public var kind: ScaleKind
    public var lower: Double
    public var upper: Double
    public var pixelStart: Double
    public var pixelEnd: Double

    public init(kind: ScaleKind, lower: Double, upper: Double, pixelStart: Double, pixelEnd: Double) {
        self.kind = kind; self.lower = lower; self.upper = upper
        self.pixelStart = pixelStart; self.pixelEnd = pixelEnd
    }

    /// The value in axis units (log10 of it on a log axis); nil when it cannot be drawn.
    @inline(__always)
    func axisUnits(_ v: Double) -> Double? {
        guard v.isFinite else { return nil }
        switch kind {
        case .linear: return v
        case .log10: return v > 0 ? Foundation.log10(v) : nil
        }
    }

    /// Pixel position of a data value, nil for NaN, infinities and non-positive values on a
    /// log axis (the caller breaks the line there), and for a value so far outside the axis
    /// (1e30 on an accuracy axis) that its position would be millions of pixels away: such a
    /// point is dropped, never drawn at a clamped, misleading place.
    public func map(_ v: Double) -> Double? {
        guard let u = axisUnits(v), let a = axisUnits(lower), let b = axisUnits(upper), b != a else { return nil }
        // Halves, so that an axis as wide as the doubles does not overflow to infinity.
        let p = pixelStart + (u / 2 - a / 2) / (b / 2 - a / 2) * (pixelEnd - pixelStart)
        guard p.isFinite, abs(p) < AxisMapping.farOutside else { return nil }
        return p
    }

    /// Pixel positions beyond this are not drawn (see `map`).
    static let farOutside = 1e6

    /// True when the value lies inside the data interval (inclusive, with a little slack).
    public func contains(_ v: Double) -> Bool {
        guard let u = axisUnits(v), let a = axisUnits(lower), let b = axisUnits(upper) else { return false }
        let eps = 1e-9 * max(abs(b - a), 1e-300)
        return u >= min(a, b) - eps && u <= max(a, b) + eps
    }
}

/// `Int(x)` for a position computed from data, which may be huge, infinite or NaN: clamped
/// into 0..<count (NaN goes to 0). Swift traps on an out-of-range conversion; a chart must not.
@inline(__always)
func clampedIndex(_ x: Double, count: Int) -> Int {
    guard x.isFinite else { return x == .infinity ? max(0, count - 1) : 0 }
    return Int(min(max(x, 0), Double(max(0, count - 1))))
}

/// `Int(x)` clamped to +-2^53 (NaN to 0): for tick counters and exponents derived from data.
@inline(__always)
func clampedInt(_ x: Double) -> Int {
    guard !x.isNaN else { return 0 }
    return Int(min(max(x, -0x1p53), 0x1p53))
}

/// Tick positions and their labels.
public enum Ticks {
    /// The 1-2-5 step nearest to span / target.
    public static func niceStep(span: Double, target: Int) -> Double {
        guard span > 0, span.isFinite, target > 0 else { return 1 }
        let raw = span / Double(target)
        let mag = pow(10, floor(Foundation.log10(raw)))
        let f = raw / mag
        let nice: Double = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10
        return nice * mag
    }

    /// "Nice" ticks (multiples of a 1-2-5 step) inside [lower, upper], about `target` of them.
    public static func linear(_ lower: Double, _ upper: Double, target: Int = 5) -> [Double] {
        guard lower.isFinite, upper.isFinite, upper > lower else { return lower.isFinite ? [lower] : [] }
        // A span that overflows (-1e308 to 1e308) or is too narrow for its magnitude gets its
        // two ends as ticks: multiples of a step could not be counted.
        guard (upper - lower).isFinite else { return [lower, upper] }
        let step = niceStep(span: upper - lower, target: target)
        guard abs(lower / step) < 1e15, abs(upper / step) < 1e15 else { return [lower, upper] }
        let first = Int((lower / step - 1e-9).rounded(.up))
        let last = Int((upper / step + 1e-9).rounded(.down))
        guard first <= last, last - first <= 1000 else { return [] }
        // k * step, not repeated addition, so 0.1 * 3 errors do not accumulate; +0.0 removes -0.
        return (first...last).map { k in
            let v = Double(k) * step
            return abs(v) < step * 1e-9 ? 0 : roundToStep(v, step)
        }
    }

    /// Decades (major) and their 2..9 multiples (minor) inside [lower, upper], lower > 0.
    public static func log10(_ lower: Double, _ upper: Double) -> (major: [Double], minor: [Double]) {
        guard lower > 0, upper > lower, lower.isFinite, upper.isFinite else { return ([], []) }
        let lo = Foundation.log10(lower), hi = Foundation.log10(upper)
        let first = Int((lo - 1e-9).rounded(.up)), last = Int((hi + 1e-9).rounded(.down))
        var major: [Double] = []
        if first <= last { for e in first...last { major.append(pow(10, Double(e))) } }
        var minor: [Double] = []
        guard hi - lo < 40 else { return (major, minor) }   // minor ticks only where they can be seen
        for e in Int(lo.rounded(.down))...Int(hi.rounded(.down)) {
            for m in 2...9 {
                let v = Double(m) * pow(10, Double(e))
                if v >= lower * (1 - 1e-9) && v <= upper * (1 + 1e-9) { minor.append(v) }
            }
        }
        return (major, minor)
    }

    /// The label of a linear tick, with as many decimals as the step needs.
    public static func label(_ v: Double, step: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 1e6 || abs(v) < 1e-4 { return scientific(v) }
        let decimals = min(12, max(0, clampedInt((-Foundation.log10(step) - 1e-9).rounded(.up))))
        let s = String(format: "%.\(decimals)f", v)
        return s.replacingOccurrences(of: "-", with: "−")
    }

    /// "10³" / "1e3" for 10^exponent.
    public static func decadeLabel(_ exponent: Int, style: LogLabelStyle = .superscript) -> String {
        switch style {
        case .exponent: return "1e\(exponent)"
        case .superscript: return "10" + superscript(exponent)
        }
    }

    /// A short label for any positive value on a log axis (used when a range spans less than
    /// two decades and the minor ticks carry labels too).
    public static func logValueLabel(_ v: Double, style: LogLabelStyle = .superscript) -> String {
        let e = Foundation.log10(v)
        if abs(e - e.rounded()) < 1e-9 { return decadeLabel(Int(e.rounded()), style: style) }
        if v >= 0.01 && v < 1e5 {
            var s = String(format: "%.4g", v)
            if s.contains("e") { s = scientific(v) }
            return s
        }
        return scientific(v)
    }

    static func scientific(_ v: Double) -> String {
        guard v.isFinite, v != 0 else { return v.isNaN ? "NaN" : v == 0 ? "0" : v > 0 ? "∞" : "−∞" }
        let e = Int(Foundation.log10(abs(v)).rounded(.down))
        let m = v / pow(10, Double(e))
        let ms = String(format: "%.3g", m)
        return (ms == "1" ? "" : ms + "×") + decadeLabel(e)
    }

    static func superscript(_ n: Int) -> String {
        let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
        var s = n < 0 ? "⁻" : ""
        for c in String(abs(n)) { s.append(digits[Int(String(c))!]) }
        return s
    }

    static func roundToStep(_ v: Double, _ step: Double) -> Double {
        // Round to 12 significant digits of the step so labels and equality tests see 0.3.
        let scale = pow(10, 12 - Foundation.log10(step).rounded(.up))
        return (v * scale).rounded() / scale
    }
}
