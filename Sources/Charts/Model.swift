import Foundation

/// The description of a figure: plain values, no drawing. `Chart.svg()` draws it.

/// Line dash patterns (scaled with the line width so thick dashes stay readable).
public enum Dash: Sendable, Equatable {
    case solid, dashed, dotted, dashDot

    func pattern(width: Double) -> String? {
        let w = max(width, 1)
        switch self {
        case .solid: return nil
        case .dashed: return "\(px(5 * w)) \(px(3 * w))"
        case .dotted: return "\(px(1 * w)) \(px(2 * w))"
        case .dashDot: return "\(px(6 * w)) \(px(2.5 * w)) \(px(1 * w)) \(px(2.5 * w))"
        }
    }
}

public enum Marker: Sendable, Equatable { case none, circle, square, triangle }

/// Which y axis a series is measured against.
public enum YSide: Sendable, Equatable { case left, right }

/// A line through (x, y) pairs. A non-finite value (or a non-positive one on a log axis)
/// breaks the line: the pieces on either side are drawn separately, never joined.
public struct LineSeries: Sendable {
    public var label: String?
    public var x: [Double]
    public var y: [Double]
    public var color: Color
    public var dash: Dash
    public var width: Double
    public var marker: Marker
    public var side: YSide

    public init(label: String? = nil, x: [Double], y: [Double], color: Color = Palette.blue,
                dash: Dash = .solid, width: Double = 2, marker: Marker = .none, side: YSide = .left) {
        self.label = label; self.x = x; self.y = y; self.color = color; self.dash = dash
        self.width = width; self.marker = marker; self.side = side
    }
}

/// Points drawn as markers only.
public struct ScatterSeries: Sendable {
    public var label: String?
    public var x: [Double]
    public var y: [Double]
    public var color: Color
    public var marker: Marker
    public var size: Double
    public var side: YSide

    public init(label: String? = nil, x: [Double], y: [Double], color: Color = Palette.blue,
                marker: Marker = .circle, size: Double = 3.5, side: YSide = .left) {
        self.label = label; self.x = x; self.y = y; self.color = color; self.marker = marker
        self.size = size; self.side = side
    }
}

/// A histogram given by its bin edges (count + 1 of them) and heights.
public struct Histogram: Sendable {
    public enum Style: Sendable, Equatable { case bars, step }
    public var label: String?
    public var edges: [Double]
    public var heights: [Double]
    public var color: Color
    public var style: Style
    public var side: YSide

    public init(label: String? = nil, edges: [Double], heights: [Double], color: Color = Palette.skyBlue,
                style: Style = .bars, side: YSide = .left) {
        self.label = label; self.edges = edges; self.heights = heights; self.color = color
        self.style = style; self.side = side
    }

    /// Bins `values` into `bins` equal-width (linear) or equal-ratio (log) bins between the
    /// smallest and largest finite (positive, for log) value; heights are densities (count /
    /// (total * width)) when `density`, raw counts otherwise.
    public static func binned(_ values: [Double], bins: Int, log: Bool = false, density: Bool = true,
                              label: String? = nil, color: Color = Palette.skyBlue, style: Style = .bars) -> Histogram {
        let data = values.filter { $0.isFinite && (!log || $0 > 0) }
        guard let lo = data.min(), let hi = data.max(), bins > 0 else {
            return Histogram(label: label, edges: [], heights: [], color: color, style: style)
        }
        let a = log ? Foundation.log10(lo) : lo
        var b = log ? Foundation.log10(hi) : hi
        if b <= a { b = a + (log ? 0.1 : max(abs(a) * 0.1, 1e-12)) }
        // Interpolated and scaled by halves, so a range as wide as the doubles (-1e308 to
        // 1e308) stays finite instead of overflowing to infinity.
        let edgesAxis = (0...bins).map { k -> Double in
            let t = Double(k) / Double(bins)
            return a * (1 - t) + b * t
        }
        let edges = log ? edgesAxis.map { pow(10, $0) } : edgesAxis
        var counts = [Double](repeating: 0, count: bins)
        let halfSpan = b / 2 - a / 2
        for v in data {
            let u = log ? Foundation.log10(v) : v
            let t = (u / 2 - a / 2) / halfSpan * Double(bins)
            counts[clampedIndex(t, count: bins)] += 1
        }
        var heights = counts
        if density {
            let n = Double(data.count)
            for i in 0..<bins {
                let h = counts[i] / (n * (edges[i + 1] - edges[i]))
                heights[i] = h.isFinite ? h : 0
            }
        }
        return Histogram(label: label, edges: edges, heights: heights, color: color, style: style)
    }
}

public enum PlotItem: Sendable {
    case line(LineSeries)
    case scatter(ScatterSeries)
    case histogram(Histogram)
    case area(AreaSeries)

    public var label: String? {
        switch self {
        case .line(let s): return s.label
        case .scatter(let s): return s.label
        case .histogram(let h): return h.label
        case .area(let a): return a.label
        }
    }
    public var side: YSide {
        switch self {
        case .line(let s): return s.side
        case .scatter(let s): return s.side
        case .histogram(let h): return h.side
        case .area(let a): return a.side
        }
    }
}

/// A shaded vertical stripe between two x values (a phase), with a label at its top.
public struct Band: Sendable {
    public var x0: Double
    public var x1: Double
    public var label: String?
    public var color: Color
    public var opacity: Double

    public init(x0: Double, x1: Double, label: String? = nil, color: Color, opacity: Double = 0.14) {
        self.x0 = x0; self.x1 = x1; self.label = label; self.color = color; self.opacity = opacity
    }
}

/// A straight line across the plot at a fixed x (vertical) or y (horizontal).
public struct ReferenceLine: Sendable {
    public enum Orientation: Sendable, Equatable { case vertical, horizontal }
    public var orientation: Orientation
    public var value: Double
    public var label: String?
    public var color: Color
    public var dash: Dash
    public var width: Double
    public var side: YSide

    public init(_ orientation: Orientation, at value: Double, label: String? = nil, color: Color = .gray,
                dash: Dash = .dashed, width: Double = 1.5, side: YSide = .left) {
        self.orientation = orientation; self.value = value; self.label = label; self.color = color
        self.dash = dash; self.width = width; self.side = side
    }
}

/// One axis: label, scale and (optionally) fixed limits; unset limits follow the data.
public struct AxisSpec: Sendable {
    public var label: String?
    public var scale: ScaleKind
    public var min: Double?
    public var max: Double?
    public var logLabels: LogLabelStyle
    /// Colours the axis label and ticks (a right-hand axis takes its series' colour).
    public var color: Color?

    public init(_ label: String? = nil, scale: ScaleKind = .linear, min: Double? = nil, max: Double? = nil,
                logLabels: LogLabelStyle = .superscript, color: Color? = nil) {
        self.label = label; self.scale = scale; self.min = min; self.max = max
        self.logLabels = logLabels; self.color = color
    }
}

/// Where a panel's legend goes.
public enum LegendPlacement: Sendable, Equatable {
    /// The emptiest inside corner if one is free of data, otherwise a row above the plot.
    case auto
    /// A row (or rows) above the plot area, never over data.
    case top
    case hidden
}

/// A grid of values drawn as coloured cells (a 28x28 image of a singular vector).
public struct ImagePlot: Sendable {
    public var rows: Int
    public var cols: Int
    public var values: [Double]   // row-major, rows * cols
    public var colormap: Colormap
    /// The value mapped to full colour; nil = the largest magnitude (diverging) or the
    /// [min, max] range (grayscale).
    public var limit: Double?
    public var caption: String?

    public init(rows: Int, cols: Int, values: [Double], colormap: Colormap = .diverging,
                limit: Double? = nil, caption: String? = nil) {
        self.rows = rows; self.cols = cols; self.values = values; self.colormap = colormap
        self.limit = limit; self.caption = caption
    }
}

/// One plot area with its axes, or one image.
public struct Panel: Sendable {
    public var title: String?
    public var x: AxisSpec
    public var y: AxisSpec
    public var y2: AxisSpec?
    public var items: [PlotItem]
    public var bands: [Band]
    public var referenceLines: [ReferenceLine]
    public var legend: LegendPlacement
    public var image: ImagePlot?
    /// Shown in the middle of an empty panel ("htsr.csv not written yet").
    public var note: String?
    /// Relative height in a stacked figure.
    public var weight: Double

    public init(title: String? = nil, x: AxisSpec = AxisSpec(), y: AxisSpec = AxisSpec(), y2: AxisSpec? = nil,
                items: [PlotItem] = [], bands: [Band] = [], referenceLines: [ReferenceLine] = [],
                legend: LegendPlacement = .auto, note: String? = nil, weight: Double = 1) {
        self.title = title; self.x = x; self.y = y; self.y2 = y2; self.items = items; self.bands = bands
        self.referenceLines = referenceLines; self.legend = legend; self.note = note; self.weight = weight
    }

    /// A panel that shows an image instead of axes.
    public static func image(_ image: ImagePlot, title: String? = nil) -> Panel {
        var p = Panel(title: title, legend: .hidden)
        p.image = image
        return p
    }
}

/// A figure: panels on a grid (`columns` = 1 stacks them). With `sharedX` the panels of a
/// column use one x range and only the bottom one carries x tick labels.
public struct Chart: Sendable {
    public var title: String?
    public var width: Double
    public var height: Double
    public var panels: [Panel]
    public var columns: Int
    public var sharedX: Bool
    /// Prefix of the ids inside the SVG (clip paths): figures inlined into one HTML page
    /// need different ones.
    public var idPrefix: String

    public init(title: String? = nil, width: Double = 800, height: Double = 500, panels: [Panel],
                columns: Int = 1, sharedX: Bool = false, idPrefix: String = "c") {
        self.title = title; self.width = width; self.height = height; self.panels = panels
        self.columns = max(1, columns); self.sharedX = sharedX
        self.idPrefix = String(idPrefix.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" })
        if self.idPrefix.isEmpty || !(self.idPrefix.first!.isLetter) { self.idPrefix = "c" + self.idPrefix }
    }
}
