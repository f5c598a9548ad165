/// Colours as SVG understands them, and the palette every GrokLab figure uses.
public struct Color: Sendable, Equatable {
    public let r: UInt8, g: UInt8, b: UInt8

    public init(r: UInt8, g: UInt8, b: UInt8) { self.r = r; self.g = g; self.b = b }

    /// "#rrggbb", the form written into SVG attributes.
    public var hex: String {
        let digits = Array("0123456789abcdef")
        var s = "#"
        for v in [r, g, b] { s.append(digits[Int(v >> 4)]); s.append(digits[Int(v & 15)]) }
        return s
    }

    /// Linear blend: t = 0 gives self, t = 1 gives other.
    public func mixed(with other: Color, _ t: Double) -> Color {
        let t = min(max(t, 0), 1)
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) + (Double(b) - Double(a)) * t).rounded()) }
        return Color(r: mix(r, other.r), g: mix(g, other.g), b: mix(b, other.b))
    }

    public static let white = Color(r: 255, g: 255, b: 255)
    public static let black = Color(r: 0, g: 0, b: 0)
    /// Axis lines, tick labels and text: near-black reads softer than pure black.
    public static let ink = Color(r: 0x22, g: 0x22, b: 0x22)
    public static let grid = Color(r: 0xe3, g: 0xe3, b: 0xe3)
    public static let gray = Color(r: 0x88, g: 0x88, b: 0x88)
}

/// The Okabe-Ito palette (Okabe & Ito 2008): eight colours that stay distinct under the
/// common forms of colour blindness. `series` is the order lines take when none is chosen;
/// yellow is left out of it because a thin yellow line on white is hard to see.
public enum Palette {
    public static let orange = Color(r: 0xE6, g: 0x9F, b: 0x00)
    public static let skyBlue = Color(r: 0x56, g: 0xB4, b: 0xE9)
    public static let bluishGreen = Color(r: 0x00, g: 0x9E, b: 0x73)
    public static let yellow = Color(r: 0xF0, g: 0xE4, b: 0x42)
    public static let blue = Color(r: 0x00, g: 0x72, b: 0xB2)
    public static let vermillion = Color(r: 0xD5, g: 0x5E, b: 0x00)
    public static let reddishPurple = Color(r: 0xCC, g: 0x79, b: 0xA7)
    public static let black = Color(r: 0x00, g: 0x00, b: 0x00)

    public static let series: [Color] = [blue, vermillion, bluishGreen, orange, reddishPurple, skyBlue, black]

    /// The i-th series colour, cycling.
    public static func color(_ i: Int) -> Color { series[((i % series.count) + series.count) % series.count] }
}

/// Maps a value in [-1, 1] (diverging) or [0, 1] (sequential) to a colour.
public enum Colormap: Sendable, Equatable {
    /// Okabe-Ito blue through white to vermillion: the sign of a singular vector's entries
    /// is what matters, and white keeps zero quiet.
    case diverging
    /// Black (0) to white (1).
    case grayscale

    /// t in [-1, 1] for `.diverging`, [0, 1] for `.grayscale`; out-of-range values clamp,
    /// NaN maps to a neutral gray.
    public func color(_ t: Double) -> Color {
        guard t.isFinite else { return Color(r: 0xbb, g: 0xbb, b: 0xbb) }
        switch self {
        case .diverging:
            let t = min(max(t, -1), 1)
            return t < 0 ? Color.white.mixed(with: Palette.blue, -t) : Color.white.mixed(with: Palette.vermillion, t)
        case .grayscale:
            return Color.black.mixed(with: .white, t)
        }
    }
}
