import XCTest
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GrokCore
import Charts

/// No value may crash the chart code (alpha 1e20 or an accuracy of 1e30 in a CSV
/// once killed grok-report with SIGILL). Seeded random charts built from extreme values must all
/// draw to well-formed SVG; a crash fails the suite.
final class ChartFuzzTests: XCTestCase {
    static let extremes: [Double] = [
        0, -0.0, 1, -1, 0.5, 3, 1e6, 1e15, 1e20, 1e30, 1e300, -1e300, .greatestFiniteMagnitude,
        -.greatestFiniteMagnitude, 1e-300, 5e-324, -5e-324, .infinity, -.infinity, .nan, 9.3e18, -9.3e18,
    ]

    func value(_ rng: inout SeededRandom) -> Double {
        rng.nextUnit() < 0.6 ? Self.extremes[rng.nextInt(below: Self.extremes.count)] : (rng.nextUnit() - 0.3) * 10
    }

    func values(_ n: Int, _ rng: inout SeededRandom) -> [Double] { (0..<n).map { _ in value(&rng) } }

    func axis(_ rng: inout SeededRandom) -> AxisSpec {
        let scale: ScaleKind = rng.nextUnit() < 0.5 ? .linear : .log10
        let lo: Double? = rng.nextUnit() < 0.3 ? value(&rng) : nil
        let hi: Double? = rng.nextUnit() < 0.3 ? value(&rng) : nil
        return AxisSpec("axis", scale: scale, min: lo, max: hi,
                        logLabels: rng.nextUnit() < 0.5 ? .superscript : .exponent)
    }

    func panel(_ rng: inout SeededRandom) -> Panel {
        var items: [PlotItem] = []
        for _ in 0..<(1 + rng.nextInt(below: 3)) {
            let n = rng.nextInt(below: 12)
            switch rng.nextInt(below: 4) {
            case 0: items.append(.line(LineSeries(label: "line", x: values(n, &rng), y: values(n, &rng), marker: .circle)))
            case 1: items.append(.scatter(ScatterSeries(label: "dots", x: values(n, &rng), y: values(n, &rng),
                                                         side: rng.nextUnit() < 0.5 ? .left : .right)))
            case 2: items.append(.histogram(Histogram.binned(values(n * 5, &rng), bins: 1 + rng.nextInt(below: 30),
                                                             log: rng.nextUnit() < 0.5, label: "hist")))
            default: items.append(.histogram(Histogram(label: "raw", edges: values(n + 1, &rng), heights: values(n, &rng))))
            }
        }
        let bands = (0..<rng.nextInt(below: 3)).map { _ in Band(x0: value(&rng), x1: value(&rng), label: "phase", color: .gray) }
        let lines = (0..<rng.nextInt(below: 3)).map { _ in
            ReferenceLine(rng.nextUnit() < 0.5 ? .vertical : .horizontal, at: value(&rng), label: "ref")
        }
        return Panel(title: "fuzz", x: axis(&rng), y: axis(&rng), y2: rng.nextUnit() < 0.3 ? axis(&rng) : nil,
                     items: items, bands: bands, referenceLines: lines)
    }

    func testRandomChartsOfExtremeValuesDrawWithoutCrashing() throws {
        var rng = SeededRandom(seed: 10, stream: "chart-fuzz")
        for i in 0..<400 {
            var panels = (0..<(1 + rng.nextInt(below: 2))).map { _ in panel(&rng) }
            if rng.nextUnit() < 0.1 {
                panels.append(.image(ImagePlot(rows: 2, cols: 2, values: values(4, &rng),
                                               colormap: rng.nextUnit() < 0.5 ? .diverging : .grayscale,
                                               limit: rng.nextUnit() < 0.5 ? value(&rng) : nil)))
            }
            let chart = Chart(title: "case \(i)", panels: panels, columns: 1 + rng.nextInt(below: 2),
                              sharedX: rng.nextUnit() < 0.5)
            let svg = chart.svg()
            XCTAssertTrue(svg.hasPrefix("<svg") || svg.hasPrefix("<?xml"), "case \(i)")
            for bad in ["nan", "inf\""] {
                if let r = svg.range(of: bad) {
                    let start = svg.index(r.lowerBound, offsetBy: -80, limitedBy: svg.startIndex) ?? svg.startIndex
                    let context = String(svg[start..<r.upperBound])
                    XCTFail("case \(i): a non-finite number in the SVG: ...\(context)")
                }
            }
            let parser = XMLParser(data: Data(svg.utf8))
            XCTAssertTrue(parser.parse(), "case \(i): SVG is not well-formed XML")
        }
    }
}
