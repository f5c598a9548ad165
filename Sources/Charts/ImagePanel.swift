import Foundation

extension Chart {
    /// An image panel: square cells centred in the cell, a colour bar on the right.
    func drawImagePanel(_ panel: Panel, cell: Rect, index: Int, into w: inout SVGWriter) {
        guard let img = panel.image, img.rows > 0, img.cols > 0, img.values.count == img.rows * img.cols else {
            w.text("no image", x: cell.x + cell.w / 2, y: cell.y + cell.h / 2, size: Font.axisLabel, anchor: .middle, color: .gray, cls: "note")
            return
        }
        let titleH = panel.title != nil ? 26.0 : 6
        let captionH = img.caption != nil ? 24.0 : 6
        let barW = 62.0
        let availW = cell.w - 16 - barW, availH = cell.h - titleH - captionH - 8
        let side = max(min(availW / Double(img.cols), availH / Double(img.rows)), 0.5)
        let iw = side * Double(img.cols), ih = side * Double(img.rows)
        let x0 = cell.x + (cell.w - barW - iw) / 2, y0 = cell.y + titleH + 4
        let finite = img.values.filter { $0.isFinite }
        let lo = finite.min() ?? 0, hi = finite.max() ?? 1
        let limit = img.limit ?? max(abs(lo), abs(hi), 1e-300)
        func t(_ v: Double) -> Double {
            switch img.colormap {
            case .diverging: return v / limit
            case .grayscale: return img.limit != nil ? v / limit : (hi > lo ? (v - lo) / (hi - lo) : 0.5)
            }
        }
        if let title = panel.title {
            let centre = x0 + iw / 2
            let room = 2 * (min(centre - cell.x, cell.maxX - centre) - FittedTitle.margin)
            let t = FittedTitle.singleLine(title, width: room, size: Font.panelTitle)
            w.text(t.text, x: centre, y: cell.y + 20, size: t.size, anchor: .middle, bold: true, cls: "panel-title")
        }
        w.beginGroup(cls: "image")
        // Cells overlap by a hair so no background seams show between them.
        for r in 0..<img.rows {
            for c in 0..<img.cols {
                let color = img.colormap.color(t(img.values[r * img.cols + c]))
                w.raw("<rect class=\"px\" x=\"\(px(x0 + Double(c) * side))\" y=\"\(px(y0 + Double(r) * side))\" width=\"\(px(side + 0.3))\" height=\"\(px(side + 0.3))\" fill=\"\(color.hex)\"/>")
            }
        }
        w.endGroup()
        w.rect(x: x0, y: y0, w: iw, h: ih, fill: nil, stroke: Color(r: 0x55, g: 0x55, b: 0x55), cls: "frame")
        // Colour bar: 20 steps from the top (max) to the bottom (min).
        let bx = x0 + iw + 10, steps = 20
        for k in 0..<steps {
            let u = 1 - (Double(k) + 0.5) / Double(steps)   // 1 at the top
            let tv: Double = img.colormap == .diverging ? 2 * u - 1 : u
            w.rect(x: bx, y: y0 + ih * Double(k) / Double(steps), w: 10, h: ih / Double(steps) + 0.3, fill: img.colormap.color(tv))
        }
        w.rect(x: bx, y: y0, w: 10, h: ih, fill: nil, stroke: Color(r: 0x88, g: 0x88, b: 0x88), strokeWidth: 0.8)
        let topLabel: String, bottomLabel: String
        switch img.colormap {
        case .diverging: topLabel = "+" + short(limit); bottomLabel = "−" + short(limit)
        case .grayscale: topLabel = short(img.limit ?? hi); bottomLabel = short(img.limit.map { _ in 0 } ?? lo)
        }
        w.text(topLabel, x: bx + 13, y: y0 + 10, size: 11, cls: "tick")
        w.text(bottomLabel, x: bx + 13, y: y0 + ih, size: 11, cls: "tick")
        if let cap = img.caption {
            w.text(cap, x: x0 + iw / 2, y: y0 + ih + 19, size: Font.annotation + 1, anchor: .middle, cls: "caption")
        }
    }

    func short(_ v: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 0.01 && abs(v) < 1000 { return String(format: "%.2g", v) }
        return String(format: "%.1e", v)
    }
}
