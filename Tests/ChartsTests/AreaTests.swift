import XCTest
import Foundation
import Charts

/// The filled band between two curves.
final class AreaTests: XCTestCase {
    /// Polygons of the band: each goes out along the upper bound and back along the lower one.
    func polygons(_ chart: Chart) -> [[(Double, Double)]] {
        ElementCollector.parse(chart.svg()).withClass("area", name: "polygon").map { e in
            (e.attributes["points"] ?? "").split(separator: " ").map { pair in
                let xy = pair.split(separator: ",").map { Double($0)! }
                return (xy[0], xy[1])
            }
        }
    }

    func chart(_ area: AreaSeries, yMin: Double = 0, yMax: Double = 10, scale: ScaleKind = .linear) -> Chart {
        Chart(width: 600, height: 400, panels: [Panel(x: AxisSpec("x"), y: AxisSpec("y", scale: scale, min: yMin, max: yMax),
                                                    items: [.area(area)], legend: .hidden)])
    }

    func testTheBandRunsAlongTheUpperBoundAndBackAlongTheLower() throws {
        let a = AreaSeries(x: [0, 1, 2, 3], lower: [1, 2, 3, 4], upper: [2, 4, 6, 8])
        let p = polygons(chart(a))
        XCTAssertEqual(p.count, 1)
        let pts = try XCTUnwrap(p.first)
        XCTAssertEqual(pts.count, 8)
        // Out: x increases; back: x decreases. SVG y grows downwards: the upper bound is above.
        XCTAssertEqual(pts[0...3].map(\.0), pts[0...3].map(\.0).sorted())
        XCTAssertEqual(pts[4...7].map(\.0), pts[4...7].map(\.0).sorted(by: >))
        for k in 0..<4 {
            XCTAssertEqual(pts[k].0, pts[7 - k].0, accuracy: 1e-9, "same x out and back")
            XCTAssertLessThan(pts[k].1, pts[7 - k].1, "upper above lower at x = \(k)")
        }
        // The pixel heights are proportional to upper - lower = 1, 2, 3, 4.
        let h = (0..<4).map { pts[7 - $0].1 - pts[$0].1 }
        for k in 1..<4 { XCTAssertEqual(h[k] / h[0], Double(k + 1), accuracy: 1e-3) }
    }

    func testAMissingBoundInterruptsTheBand() {
        let a = AreaSeries(x: [0, 1, 2, 3, 4, 5], lower: [1, 1, .nan, 1, 1, 1], upper: [2, 2, 2, 2, 2, .infinity])
        let p = polygons(chart(a))
        XCTAssertEqual(p.map(\.count), [4, 4], "two pieces of two points each: x 0-1 and 3-4")
        // On a log axis a non-positive bound is missing too.
        let log = AreaSeries(x: [1, 2, 3], lower: [0, 1, 1], upper: [2, 2, 2])
        XCTAssertEqual(polygons(chart(log, yMin: 0.1, yMax: 10, scale: .log10)).map(\.count), [4])
    }

    func testTheAxisMakesRoomForTheBandAndTheLegendShowsIt() {
        let a = AreaSeries(label: "seeds", x: [0, 1], lower: [-5, -5], upper: [50, 50])
        let c = Chart(width: 600, height: 400, panels: [Panel(x: AxisSpec("x"), y: AxisSpec("y"),
                                                             items: [.area(a), .line(LineSeries(label: "mean", x: [0, 1], y: [1, 1]))])])
        let svg = ElementCollector.parse(c.svg())
        let ticks = svg.elements.filter { $0.name == "text" }.compactMap { Double($0.text.replacingOccurrences(of: "−", with: "-")) }
        XCTAssertGreaterThanOrEqual(ticks.max() ?? 0, 40, "the y axis reaches the band's top")
        XCTAssertLessThanOrEqual(ticks.min() ?? 0, 0, "and its bottom")
        XCTAssertTrue(svg.elements.contains { $0.name == "text" && $0.text == "seeds" }, "legend entry")
    }
}
