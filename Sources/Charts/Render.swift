import Foundation

extension Chart {
    /// The figure as a standalone SVG document.
    public func svg() -> String {
        var w = SVGWriter()
        w.raw("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(px(width))\" height=\"\(px(height))\" viewBox=\"0 0 \(px(width)) \(px(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">")
        w.rect(x: 0, y: 0, w: width, h: height, fill: .white)
        var top = 0.0
        if let title {
            let fitted = FittedTitle.fit(title, width: width, size: Font.chartTitle)
            for (i, line) in fitted.lines.enumerated() {
                w.text(line, x: width / 2, y: 24 + Double(i) * fitted.lineHeight, size: fitted.size, anchor: .middle,
                       bold: true, cls: "chart-title")
            }
            top = fitted.height
        }
        let layout = GridLayout(chart: self, top: top)
        for (i, panel) in panels.enumerated() {
            w.beginGroup(cls: "panel")
            if panel.image != nil {
                drawImagePanel(panel, cell: layout.cells[i], index: i, into: &w)
            } else {
                var p = panel
                p.x.scale = layout.xScales[i]
                PanelRenderer(panel: p, cell: layout.cells[i], xDomain: layout.xDomains[i],
                              leftMargin: layout.leftMargin, rightMargin: layout.rightMargin,
                              showXTicks: layout.showXTicks[i], index: i, idPrefix: idPrefix).draw(into: &w)
            }
            w.endGroup()
        }
        w.raw("</svg>")
        return w.out
    }
}

/// Where each panel goes, and what the panels of a figure share (x range, margins).
struct GridLayout {
    var cells: [Rect] = []
    var xDomains: [Domain] = []
    var xScales: [ScaleKind] = []
    var showXTicks: [Bool] = []
    var leftMargin = 0.0
    var rightMargin = 0.0

    init(chart: Chart, top: Double) {
        let n = chart.panels.count
        let cols = min(chart.columns, max(n, 1))
        let rows = (n + cols - 1) / max(cols, 1)
        var rowWeights = [Double](repeating: 0, count: rows)
        for (i, p) in chart.panels.enumerated() { rowWeights[i / cols] = max(rowWeights[i / cols], p.weight) }
        let totalWeight = rowWeights.reduce(0, +)
        let cellW = chart.width / Double(cols)
        var rowTops = [Double](repeating: top, count: rows + 1)
        for r in 0..<rows { rowTops[r + 1] = rowTops[r] + (chart.height - top) * rowWeights[r] / max(totalWeight, 1e-9) }
        for i in 0..<n {
            let r = i / cols, c = i % cols
            cells.append(Rect(x: Double(c) * cellW, y: rowTops[r], w: cellW, h: rowTops[r + 1] - rowTops[r]))
        }

        // x ranges: shared per column when asked (explicit limits from any panel win).
        xDomains = chart.panels.map { Domains.resolve(PanelRenderer.xValues($0), spec: $0.x) }
        xScales = chart.panels.map { $0.x.scale }
        if chart.sharedX {
            for c in 0..<cols {
                let members = stride(from: c, to: n, by: cols).filter { chart.panels[$0].image == nil }
                guard let first = members.first else { continue }
                var spec = chart.panels[first].x
                // One scale for the column: log when any member asks for it.
                if members.contains(where: { chart.panels[$0].x.scale == .log10 }) { spec.scale = .log10 }
                for m in members {
                    if let v = chart.panels[m].x.min { spec.min = v }
                    if let v = chart.panels[m].x.max { spec.max = v }
                }
                let all = members.flatMap { PanelRenderer.xValues(chart.panels[$0]) }
                let d = Domains.resolve(all, spec: spec)
                for m in members { xDomains[m] = d; xScales[m] = spec.scale }
            }
        }
        for i in 0..<n {
            let lastInColumn = i + cols >= n
            showXTicks.append(!chart.sharedX || lastInColumn)
        }

        // One left and one right margin for the whole figure, so stacked plot areas line up.
        var left = 20.0, right = 18.0
        for (i, p) in chart.panels.enumerated() where p.image == nil {
            let approxH = max(cells[i].h - 70, 40)
            let yd = Domains.resolve(PanelRenderer.yValues(p, side: .left), spec: p.y)
            let yt = TickSet(domain: yd, spec: p.y, pixelLength: approxH, spacing: 42)
            left = max(left, 10 + yt.maxLabelWidth + 8 + (p.y.label != nil ? 24 : 0))
            if let y2 = p.y2 {
                let d2 = Domains.resolve(PanelRenderer.yValues(p, side: .right), spec: y2)
                let t2 = TickSet(domain: d2, spec: y2, pixelLength: approxH, spacing: 42)
                right = max(right, 10 + t2.maxLabelWidth + 8 + (y2.label != nil ? 24 : 0))
            }
        }
        leftMargin = left
        rightMargin = right
    }
}

/// Draws one panel with axes.
struct PanelRenderer {
    let panel: Panel
    let cell: Rect
    let xDomain: Domain
    let leftMargin: Double
    let rightMargin: Double
    let showXTicks: Bool
    let index: Int
    let idPrefix: String

    static func xValues(_ p: Panel) -> [Double] {
        var d = AxisData()
        for item in p.items {
            switch item {
            case .line(let s): d.add(s.x)
            case .scatter(let s): d.add(s.x)
            case .histogram(let h): d.add(h.edges)
            case .area(let a): d.add(a.x)
            }
        }
        for r in p.referenceLines where r.orientation == .vertical { d.add(r.value) }
        return d.values
    }

    static func yValues(_ p: Panel, side: YSide) -> [Double] {
        var d = AxisData()
        for item in p.items where item.side == side {
            switch item {
            case .line(let s): d.add(s.y)
            case .scatter(let s): d.add(s.y)
            case .histogram(let h):
                d.add(h.heights.filter { $0 > 0 })
                if (side == .left ? p.y.scale : (p.y2?.scale ?? .linear)) == .linear { d.add(0) }
            case .area(let a): d.add(a.lower); d.add(a.upper)
            }
        }
        for r in p.referenceLines where r.orientation == .horizontal && r.side == side { d.add(r.value) }
        return d.values
    }

    struct Frame {
        var plot: Rect
        var x: AxisMapping
        var y: AxisMapping
        var y2: AxisMapping?
        var yDomain: Domain
        var y2Domain: Domain?
    }

    func frame(legendRows: Double) -> Frame {
        let titleH = panel.title != nil ? 24.0 : 0
        let top = cell.y + 10 + titleH + legendRows
        let bottomMargin = showXTicks ? (10 + Font.tick + 8 + (panel.x.label != nil ? 22 : 0)) : 12
        let plot = Rect(x: cell.x + leftMargin, y: top, w: max(cell.w - leftMargin - rightMargin, 10),
                        h: max(cell.maxY - bottomMargin - top, 10))
        let yd = Domains.resolve(Self.yValues(panel, side: .left), spec: panel.y)
        var f = Frame(plot: plot,
                      x: AxisMapping(kind: panel.x.scale, lower: xDomain.lower, upper: xDomain.upper, pixelStart: plot.x, pixelEnd: plot.maxX),
                      y: AxisMapping(kind: panel.y.scale, lower: yd.lower, upper: yd.upper, pixelStart: plot.maxY, pixelEnd: plot.y),
                      y2: nil, yDomain: yd, y2Domain: nil)
        if let y2 = panel.y2 {
            let d2 = Domains.resolve(Self.yValues(panel, side: .right), spec: y2)
            f.y2Domain = d2
            f.y2 = AxisMapping(kind: y2.scale, lower: d2.lower, upper: d2.upper, pixelStart: plot.maxY, pixelEnd: plot.y)
        }
        return f
    }

    func yMap(_ f: Frame, _ side: YSide) -> AxisMapping { side == .right ? (f.y2 ?? f.y) : f.y }

    var legendEntries: [PlotItem] { panel.items.filter { $0.label != nil } }

    func draw(into w: inout SVGWriter) {
        var f = frame(legendRows: 0)
        // Legend: the emptiest inside corner when one is free of data, else rows on top.
        let entries = legendEntries
        var legendBox: Rect? = nil
        var topRows: [[Int]] = []
        if !entries.isEmpty && panel.legend != .hidden {
            let size = insideLegendSize(entries)
            if panel.legend == .auto, let corner = freeCorner(f, size: size) {
                legendBox = corner
            } else {
                topRows = topLegendRows(entries, width: f.plot.w)
                f = frame(legendRows: Double(topRows.count) * 20 + 4)
            }
        }

        let p = f.plot
        let clipId = "\(idPrefix)-p\(index)-"
        // Background stripes and grid, clipped to the plot area.
        w.beginClip(x: p.x, y: p.y, w: p.w, h: p.h, idPrefix: clipId)
        for band in panel.bands {
            guard let a = f.x.map(band.x0), let b = f.x.map(band.x1) else { continue }
            w.rect(x: min(a, b), y: p.y, w: abs(b - a), h: p.h, fill: band.color, opacity: band.opacity, cls: "band")
        }
        let xt = TickSet(domain: xDomain, spec: panel.x, pixelLength: p.w, spacing: 80)
        let yt = TickSet(domain: f.yDomain, spec: panel.y, pixelLength: p.h, spacing: 42)
        for t in xt.labeled { if let x = f.x.map(t.value) { w.line(x, p.y, x, p.maxY, color: .grid, width: 1) } }
        for t in yt.labeled { if let y = f.y.map(t.value) { w.line(p.x, y, p.maxX, y, color: .grid, width: 1) } }

        for (i, item) in panel.items.enumerated() {
            if case .histogram(let h) = item { drawHistogram(h, f, index: i, into: &w) }
            if case .area(let a) = item { drawArea(a, f, index: i, into: &w) }
        }
        for r in panel.referenceLines { drawReferenceLine(r, f, into: &w) }
        for (i, item) in panel.items.enumerated() {
            switch item {
            case .line(let s): drawLine(s, f, index: i, into: &w)
            case .scatter(let s): drawScatter(s, f, index: i, into: &w)
            case .histogram, .area: break
            }
        }
        w.endGroup()

        drawAxes(f, xt: xt, yt: yt, into: &w)
        drawBandLabels(f, avoiding: legendBox, into: &w)
        drawReferenceLabels(f, into: &w)
        if let legendBox { drawInsideLegend(entries, box: legendBox, into: &w) }
        if !topRows.isEmpty { drawTopLegend(entries, rows: topRows, plot: p, into: &w) }
        if let title = panel.title {
            let t = FittedTitle.singleLine(title, width: cell.maxX - p.x - FittedTitle.margin, size: Font.panelTitle)
            w.text(t.text, x: p.x, y: cell.y + 10 + 16, size: t.size, bold: true, cls: "panel-title")
        }
        if let note = panel.note {
            let nw = textWidth(note, size: Font.axisLabel) + 20
            w.rect(x: p.x + p.w / 2 - nw / 2, y: p.y + p.h / 2 - 16, w: nw, h: 28, fill: .white, opacity: 0.9)
            w.text(note, x: p.x + p.w / 2, y: p.y + p.h / 2 + 5, size: Font.axisLabel, anchor: .middle, color: .gray, cls: "note")
        }
    }

    // MARK: data

    /// Pixel runs of a series: a NaN (or a value a log axis cannot show) ends a run.
    func runs(x: [Double], y: [Double], xm: AxisMapping, ym: AxisMapping) -> [[(Double, Double)]] {
        var out: [[(Double, Double)]] = []
        var cur: [(Double, Double)] = []
        for i in 0..<min(x.count, y.count) {
            if let a = xm.map(x[i]), let b = ym.map(y[i]) {
                cur.append((a, b))
            } else if !cur.isEmpty {
                out.append(cur); cur = []
            }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    func drawLine(_ s: LineSeries, _ f: Frame, index: Int, into w: inout SVGWriter) {
        for run in runs(x: s.x, y: s.y, xm: f.x, ym: yMap(f, s.side)) {
            if run.count == 1 {
                w.marker(.circle, x: run[0].0, y: run[0].1, size: max(s.width, 2), color: s.color, cls: "series-point s\(index)")
            } else {
                w.polyline(run, color: s.color, width: s.width, dash: s.dash, cls: "series s\(index)")
            }
            if s.marker != .none {
                for p in run { w.marker(s.marker, x: p.0, y: p.1, size: s.width + 1.5, color: s.color) }
            }
        }
    }

    func drawScatter(_ s: ScatterSeries, _ f: Frame, index: Int, into w: inout SVGWriter) {
        for run in runs(x: s.x, y: s.y, xm: f.x, ym: yMap(f, s.side)) {
            for p in run { w.marker(s.marker, x: p.0, y: p.1, size: s.size, color: s.color, cls: "scatter s\(index)") }
        }
    }

    func drawHistogram(_ h: Histogram, _ f: Frame, index: Int, into w: inout SVGWriter) {
        let ym = yMap(f, h.side)
        let base = ym.kind == .log10 ? f.plot.maxY + 2 : (ym.map(0) ?? f.plot.maxY)
        let n = min(h.heights.count, h.edges.count - 1)
        guard n > 0 else { return }
        switch h.style {
        case .bars:
            for i in 0..<n {
                guard let a = f.x.map(h.edges[i]), let b = f.x.map(h.edges[i + 1]), let top = ym.map(h.heights[i]) else { continue }
                w.rect(x: min(a, b), y: min(top, base), w: abs(b - a), h: abs(base - top), fill: h.color, opacity: 0.6,
                       stroke: .white, strokeWidth: 0.5, cls: "bar")
            }
        case .step:
            var pts: [(Double, Double)] = []
            for i in 0..<n {
                guard let a = f.x.map(h.edges[i]), let b = f.x.map(h.edges[i + 1]) else { continue }
                let top = ym.map(h.heights[i]) ?? base
                if pts.isEmpty { pts.append((a, base)) }
                pts.append((a, top)); pts.append((b, top))
            }
            if let last = pts.last { pts.append((last.0, base)) }
            if pts.count > 1 { w.polyline(pts, color: h.color, width: 1.8, dash: .solid, cls: "series s\(index)", fill: h.color, fillOpacity: 0.18) }
        }
    }

    func drawReferenceLine(_ r: ReferenceLine, _ f: Frame, into w: inout SVGWriter) {
        let p = f.plot
        switch r.orientation {
        case .vertical:
            if let x = f.x.map(r.value) { w.line(x, p.y, x, p.maxY, color: r.color, width: r.width, dash: r.dash, cls: "refline") }
        case .horizontal:
            if let y = yMap(f, r.side).map(r.value) { w.line(p.x, y, p.maxX, y, color: r.color, width: r.width, dash: r.dash, cls: "refline") }
        }
    }

    // MARK: axes and labels

    func drawAxes(_ f: Frame, xt: TickSet, yt: TickSet, into w: inout SVGWriter) {
        let p = f.plot
        w.rect(x: p.x, y: p.y, w: p.w, h: p.h, fill: nil, stroke: Color(r: 0x55, g: 0x55, b: 0x55), strokeWidth: 1, cls: "frame")
        // x ticks
        for v in xt.minor { if let x = f.x.map(v), f.x.contains(v) { w.line(x, p.maxY, x, p.maxY + 3, color: .ink, width: 0.8) } }
        var lastRight = -Double.infinity
        for t in xt.labeled {
            guard let x = f.x.map(t.value) else { continue }
            w.line(x, p.maxY, x, p.maxY + 6, color: .ink, width: 1)
            guard showXTicks else { continue }
            let tw = textWidth(t.label, size: Font.tick)
            if x - tw / 2 < lastRight + 6 { continue }   // never let tick labels collide
            lastRight = x + tw / 2
            w.text(t.label, x: x, y: p.maxY + 8 + Font.tick, size: Font.tick, anchor: .middle, cls: "tick")
        }
        if showXTicks, let label = panel.x.label {
            w.text(label, x: p.x + p.w / 2, y: p.maxY + 10 + Font.tick + 20, size: Font.axisLabel, anchor: .middle, cls: "axis-label")
        }
        // left y ticks
        drawYTicks(yt, mapping: f.y, x: p.x, outward: -1, color: panel.y.color ?? .ink, into: &w)
        if let label = panel.y.label {
            w.text(label, x: cell.x + 18, y: p.y + p.h / 2, size: Font.axisLabel, anchor: .middle,
                   color: panel.y.color ?? .ink, rotate: -90, cls: "axis-label")
        }
        // right y ticks
        if let y2 = panel.y2, let m2 = f.y2, let d2 = f.y2Domain {
            let t2 = TickSet(domain: d2, spec: y2, pixelLength: p.h, spacing: 42)
            drawYTicks(t2, mapping: m2, x: p.maxX, outward: 1, color: y2.color ?? .ink, into: &w)
            if let label = y2.label {
                w.text(label, x: cell.maxX - 14, y: p.y + p.h / 2, size: Font.axisLabel, anchor: .middle,
                       color: y2.color ?? .ink, rotate: 90, cls: "axis-label")
            }
        }
    }

    func drawYTicks(_ t: TickSet, mapping m: AxisMapping, x: Double, outward: Double, color: Color, into w: inout SVGWriter) {
        for v in t.minor { if let y = m.map(v), m.contains(v) { w.line(x, y, x + 3 * outward, y, color: color, width: 0.8) } }
        var lastY = Double.infinity
        for tick in t.labeled {
            guard let y = m.map(tick.value) else { continue }
            w.line(x, y, x + 6 * outward, y, color: color, width: 1)
            if abs(y - lastY) < Font.tick + 2 { continue }
            lastY = y
            w.text(tick.label, x: x + 9 * outward, y: y + Font.tick * 0.36, size: Font.tick,
                   anchor: outward < 0 ? .end : .start, color: color, cls: "tick")
        }
    }

    /// Band labels sit at the top of their band: across it when they fit, else turned to read
    /// down its left edge when the band is at least a line wide, else left out.
    func bandLabelRects(_ f: Frame) -> [(Band, Rect, vertical: Bool)] {
        var out: [(Band, Rect, vertical: Bool)] = []
        for band in panel.bands {
            guard let label = band.label, let a = f.x.map(band.x0), let b = f.x.map(band.x1) else { continue }
            let lo = max(min(a, b), f.plot.x), hi = min(max(a, b), f.plot.maxX)
            let tw = textWidth(label, size: Font.annotation)
            if hi - lo >= tw + 6 {
                out.append((band, Rect(x: (lo + hi) / 2 - tw / 2, y: f.plot.y + 3, w: tw, h: Font.annotation + 4), false))
            } else if hi - lo >= Font.annotation + 4 && tw + 10 < f.plot.h {
                out.append((band, Rect(x: lo + 2, y: f.plot.y + 4, w: Font.annotation + 2, h: tw + 4), true))
            }
        }
        return out
    }

    func drawBandLabels(_ f: Frame, avoiding box: Rect?, into w: inout SVGWriter) {
        for (band, r, vertical) in bandLabelRects(f) {
            if let box, box.intersects(r) { continue }
            let color = band.color.mixed(with: .black, 0.45)
            if vertical {
                // Rotated 90° clockwise about its anchor: reads top to bottom along the band.
                w.text(band.label!, x: r.x + 3, y: r.y + 2, size: Font.annotation, color: color, rotate: 90, cls: "band-label", halo: true)
            } else {
                w.text(band.label!, x: r.x + r.w / 2, y: r.y + Font.annotation, size: Font.annotation, anchor: .middle,
                       color: color, cls: "band-label", halo: true)
            }
        }
    }

    func referenceLabelRects(_ f: Frame) -> [(ReferenceLine, Rect)] {
        var out: [(ReferenceLine, Rect)] = []
        for r in panel.referenceLines {
            guard let label = r.label else { continue }
            let tw = textWidth(label, size: Font.annotation)
            switch r.orientation {
            case .horizontal:
                guard let y = yMap(f, r.side).map(r.value), y > f.plot.y + 14, y < f.plot.maxY else { continue }
                out.append((r, Rect(x: f.plot.maxX - tw - 6, y: y - Font.annotation - 3, w: tw, h: Font.annotation)))
            case .vertical:
                guard let x = f.x.map(r.value), x >= f.plot.x, x <= f.plot.maxX else { continue }
                let left = x + tw + 8 > f.plot.maxX
                out.append((r, Rect(x: left ? x - tw - 4 : x + 4, y: f.plot.maxY - Font.annotation - 6, w: tw, h: Font.annotation)))
            }
        }
        return out
    }

    func drawReferenceLabels(_ f: Frame, into w: inout SVGWriter) {
        for (r, rect) in referenceLabelRects(f) {
            w.text(r.label!, x: rect.x, y: rect.maxY, size: Font.annotation, color: r.color.mixed(with: .black, 0.3), cls: "refline-label", halo: true)
        }
    }
}
