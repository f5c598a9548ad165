import Foundation

/// Legends: inside a free corner of the plot when one is empty enough, else in rows above it.
extension PanelRenderer {
    func legendLabelWidth(_ item: PlotItem) -> Double { textWidth(item.label ?? "", size: Font.legend) }

    func insideLegendSize(_ entries: [PlotItem]) -> (Double, Double) {
        let tw = entries.map(legendLabelWidth).max() ?? 0
        return (10 + 26 + 6 + tw + 10, Double(entries.count) * 19 + 10)
    }

    /// The first inside corner whose legend box would cover no data, no band label and no
    /// reference-line label; nil when every corner is occupied.
    func freeCorner(_ f: Frame, size: (Double, Double)) -> Rect? {
        let p = f.plot
        let (bw, bh) = size
        guard bw < p.w * 0.6, bh < p.h * 0.8 else { return nil }
        let corners = [
            Rect(x: p.maxX - bw - 8, y: p.y + 8, w: bw, h: bh),
            Rect(x: p.x + 8, y: p.y + 8, w: bw, h: bh),
            Rect(x: p.maxX - bw - 8, y: p.maxY - bh - 8, w: bw, h: bh),
            Rect(x: p.x + 8, y: p.maxY - bh - 8, w: bw, h: bh),
        ]
        let obstacles = bandLabelRects(f).map { $0.1 } + referenceLabelRects(f).map { $0.1 }
        let points = dataPoints(f)
        for c in corners {
            let grown = c.insetBy(-5)
            if obstacles.contains(where: { grown.intersects($0) }) { continue }
            if points.contains(where: { grown.contains($0) }) { continue }
            return c
        }
        return nil
    }

    /// Every drawn data point, with line segments sampled every few pixels.
    func dataPoints(_ f: Frame) -> [(Double, Double)] {
        var pts: [(Double, Double)] = []
        func sample(_ run: [(Double, Double)]) {
            guard var prev = run.first else { return }
            pts.append(prev)
            for q in run.dropFirst() {
                let d = max(abs(q.0 - prev.0), abs(q.1 - prev.1))
                let steps = d.isFinite ? Int(min(d / 4, 400)) : 0
                if steps > 1 { for k in 1..<steps { let t = Double(k) / Double(steps); pts.append((prev.0 + (q.0 - prev.0) * t, prev.1 + (q.1 - prev.1) * t)) } }
                pts.append(q); prev = q
            }
        }
        for item in panel.items {
            switch item {
            case .line(let s): for r in runs(x: s.x, y: s.y, xm: f.x, ym: yMap(f, s.side)) { sample(r) }
            case .scatter(let s): for r in runs(x: s.x, y: s.y, xm: f.x, ym: yMap(f, s.side)) { pts += r }
            case .histogram(let h):
                let ym = yMap(f, h.side)
                for i in 0..<max(0, min(h.heights.count, h.edges.count - 1)) {
                    guard let a = f.x.map(h.edges[i]), let b = f.x.map(h.edges[i + 1]), let t = ym.map(h.heights[i]) else { continue }
                    // A bar fills down to the baseline: sample its whole area coarsely.
                    var y = max(t, f.plot.y)
                    while y < f.plot.maxY { sample([(a, y), (b, y)]); y += 6 }
                }
            case .area(let a):
                // The band covers what lies between its bounds: sample both bounds and verticals.
                for polygon in areaPolygons(a, f) {
                    sample(polygon)
                    let half = polygon.count / 2
                    for k in stride(from: 0, to: half, by: max(1, half / 40)) { sample([polygon[k], polygon[polygon.count - 1 - k]]) }
                }
            }
        }
        for r in panel.referenceLines {
            switch r.orientation {
            case .horizontal: if let y = yMap(f, r.side).map(r.value) { sample([(f.plot.x, y), (f.plot.maxX, y)]) }
            case .vertical: if let x = f.x.map(r.value) { sample([(x, f.plot.y), (x, f.plot.maxY)]) }
            }
        }
        return pts
    }

    func drawSwatch(_ item: PlotItem, x: Double, y: Double, into w: inout SVGWriter) {
        switch item {
        case .line(let s):
            w.line(x, y, x + 26, y, color: s.color, width: s.width, dash: s.dash, cls: "legend-swatch")
            if s.marker != .none { w.marker(s.marker, x: x + 13, y: y, size: s.width + 1.5, color: s.color) }
        case .scatter(let s):
            w.marker(s.marker, x: x + 13, y: y, size: s.size, color: s.color)
        case .histogram(let h):
            w.rect(x: x + 4, y: y - 6, w: 18, h: 12, fill: h.color, opacity: 0.6, cls: "legend-swatch")
        case .area(let a):
            w.rect(x: x + 2, y: y - 6, w: 22, h: 12, fill: a.color, opacity: a.opacity, cls: "legend-swatch")
        }
    }

    func drawInsideLegend(_ entries: [PlotItem], box: Rect, into w: inout SVGWriter) {
        w.beginGroup(cls: "legend")
        w.rect(x: box.x, y: box.y, w: box.w, h: box.h, fill: .white, opacity: 0.92, stroke: Color(r: 0xcc, g: 0xcc, b: 0xcc))
        for (i, e) in entries.enumerated() {
            let y = box.y + 5 + 19 * Double(i) + 9.5
            drawSwatch(e, x: box.x + 10, y: y, into: &w)
            w.text(e.label ?? "", x: box.x + 10 + 32, y: y + Font.legend * 0.36, size: Font.legend, cls: "legend-entry")
        }
        w.endGroup()
    }

    func topLegendRows(_ entries: [PlotItem], width: Double) -> [[Int]] {
        var rows: [[Int]] = [[]]
        var used = 0.0
        for (i, e) in entries.enumerated() {
            let ew = 32 + legendLabelWidth(e) + 18
            if used + ew > width && !rows[rows.count - 1].isEmpty { rows.append([]); used = 0 }
            rows[rows.count - 1].append(i); used += ew
        }
        return rows
    }

    func drawTopLegend(_ entries: [PlotItem], rows: [[Int]], plot p: Rect, into w: inout SVGWriter) {
        w.beginGroup(cls: "legend")
        let top = p.y - Double(rows.count) * 20 - 4
        for (r, row) in rows.enumerated() {
            var x = p.x
            let y = top + 20 * Double(r) + 10
            for i in row {
                drawSwatch(entries[i], x: x, y: y, into: &w)
                w.text(entries[i].label ?? "", x: x + 32, y: y + Font.legend * 0.36, size: Font.legend, cls: "legend-entry")
                x += 32 + legendLabelWidth(entries[i]) + 18
            }
        }
        w.endGroup()
    }
}
