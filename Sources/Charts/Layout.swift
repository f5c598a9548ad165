import Foundation

/// Type sizes, in pixels, chosen to read at a glance on an 800 x 500 figure.
enum Font {
    static let tick = 13.0
    static let axisLabel = 14.0
    static let panelTitle = 15.0
    static let chartTitle = 17.0
    static let legend = 13.0
    static let annotation = 12.0
}

struct Rect {
    var x: Double, y: Double, w: Double, h: Double
    var maxX: Double { x + w }
    var maxY: Double { y + h }
    func contains(_ p: (Double, Double)) -> Bool { p.0 >= x && p.0 <= maxX && p.1 >= y && p.1 <= maxY }
    func intersects(_ o: Rect) -> Bool { x < o.maxX && o.x < maxX && y < o.maxY && o.y < maxY }
    func insetBy(_ d: Double) -> Rect { Rect(x: x + d, y: y + d, w: w - 2 * d, h: h - 2 * d) }
}

/// A closed data interval for one axis.
struct Domain {
    var lower: Double
    var upper: Double
}

/// Data values an axis must show, gathered from a panel.
struct AxisData {
    var values: [Double] = []
    mutating func add(_ v: Double) { if v.isFinite { values.append(v) } }
    mutating func add(_ vs: [Double]) { for v in vs where v.isFinite { values.append(v) } }
}

enum Domains {
    /// The interval an axis shows: explicit limits win; otherwise the data range, padded a
    /// little so lines do not sit on the frame. On a log axis only positive values count.
    static func resolve(_ data: [Double], spec: AxisSpec) -> Domain {
        let vs = spec.scale == .log10 ? data.filter { $0 > 0 } : data
        var lo = vs.min(), hi = vs.max()
        switch spec.scale {
        case .linear:
            if lo == nil || hi == nil { lo = 0; hi = 1 }
            var a = lo!, b = hi!
            if b - a <= abs(a) * 1e-12 { let d = max(abs(a) * 0.1, 1e-9); a -= d; b += d }
            let pad = (b - a) * 0.04
            return Domain(lower: spec.min ?? (a - pad), upper: spec.max ?? (b + pad))
        case .log10:
            if lo == nil || hi == nil { lo = 1; hi = 10 }
            var a = log10(lo!), b = log10(hi!)
            if b - a < 1e-9 { a -= 0.5; b += 0.5 }
            let pad = (b - a) * 0.03
            var lower = pow(10, a - pad), upper = pow(10, b + pad)
            if let m = spec.min, m > 0 { lower = m }
            if let m = spec.max, m > 0 { upper = m }
            if upper <= lower { upper = lower * 10 }
            return Domain(lower: lower, upper: upper)
        }
    }
}

/// Tick marks and labels for one axis of a given pixel length.
struct TickSet {
    var labeled: [(value: Double, label: String)] = []
    var minor: [Double] = []

    init(domain: Domain, spec: AxisSpec, pixelLength: Double, spacing: Double) {
        let target = max(2, Int(pixelLength / spacing))
        switch spec.scale {
        case .linear:
            let ticks = Ticks.linear(domain.lower, domain.upper, target: target)
            let step = ticks.count > 1 ? ticks[1] - ticks[0] : Ticks.niceStep(span: domain.upper - domain.lower, target: target)
            labeled = ticks.map { ($0, Ticks.label($0, step: step)) }
        case .log10:
            let (major, minorTicks) = Ticks.log10(domain.lower, domain.upper)
            if major.count >= 2 {
                // Label every k-th decade when there are too many to fit.
                let k = max(1, Int((Double(major.count) / Double(max(target, 2))).rounded(.up)))
                for m in major {
                    let e = Int(log10(m).rounded())
                    if e % k == 0 { labeled.append((m, Ticks.decadeLabel(e, style: spec.logLabels))) } else { minor.append(m) }
                }
                minor += minorTicks
            } else {
                // Less than two decades in view: label 1-2-5 multiples too.
                for v in (major + minorTicks).sorted() {
                    let mant = v / pow(10, log10(v).rounded(.down))
                    let lead = Int(mant.rounded())
                    if [1, 2, 5].contains(lead) && abs(mant - Double(lead)) < 1e-6 {
                        labeled.append((v, Ticks.logValueLabel(v, style: spec.logLabels)))
                    } else {
                        minor.append(v)
                    }
                }
                if labeled.count < 2 {
                    labeled = Ticks.linear(domain.lower, domain.upper, target: 3).filter { $0 > 0 }
                        .map { ($0, Ticks.logValueLabel($0, style: spec.logLabels)) }
                }
            }
        }
    }

    var maxLabelWidth: Double { labeled.map { textWidth($0.label, size: Font.tick) }.max() ?? 0 }
}
