/// A filled band between two curves over the same x: a spread over seeds (min to max, or a
/// standard deviation around the mean). Where either bound is missing (non-finite, or not
/// positive on a log axis) the band is interrupted, never bridged.
public struct AreaSeries: Sendable {
    public var label: String?
    public var x: [Double]
    public var lower: [Double]
    public var upper: [Double]
    public var color: Color
    public var opacity: Double
    public var side: YSide

    public init(label: String? = nil, x: [Double], lower: [Double], upper: [Double], color: Color = Palette.blue,
                opacity: Double = 0.22, side: YSide = .left) {
        self.label = label; self.x = x; self.lower = lower; self.upper = upper; self.color = color
        self.opacity = opacity; self.side = side
    }
}

extension PanelRenderer {
    /// The band's outline, piece by piece: along the upper bound, back along the lower one.
    func areaPolygons(_ a: AreaSeries, _ f: Frame) -> [[(Double, Double)]] {
        let ym = yMap(f, a.side)
        var pieces: [[(Double, Double)]] = []
        var top: [(Double, Double)] = [], bottom: [(Double, Double)] = []
        func close() {
            if top.count >= 2 { pieces.append(top + bottom.reversed()) }
            top = []; bottom = []
        }
        for i in 0..<min(a.x.count, a.lower.count, a.upper.count) {
            if let x = f.x.map(a.x[i]), let hi = ym.map(a.upper[i]), let lo = ym.map(a.lower[i]) {
                top.append((x, hi)); bottom.append((x, lo))
            } else {
                close()
            }
        }
        close()
        return pieces
    }

    func drawArea(_ a: AreaSeries, _ f: Frame, index: Int, into w: inout SVGWriter) {
        for polygon in areaPolygons(a, f) {
            w.polygon(polygon, fill: a.color, opacity: a.opacity, cls: "area s\(index)")
        }
    }
}

extension SVGWriter {
    mutating func polygon(_ points: [(Double, Double)], fill: Color, opacity: Double, cls: String) {
        var s = "<polygon class=\"\(XML.escaped(cls))\" fill=\"\(fill.hex)\" fill-opacity=\"\(px(opacity))\" stroke=\"none\" points=\""
        for (i, p) in points.enumerated() {
            if i > 0 { s += " " }
            s += px(p.0) + "," + px(p.1)
        }
        raw(s + "\"/>")
    }
}
