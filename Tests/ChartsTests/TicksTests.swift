import XCTest
import Charts

final class TicksTests: XCTestCase {
    func testLogTicksOverSevenDecadesAreTheDecades() {
        let (major, minor) = Ticks.log10(1, 1e7)
        XCTAssertEqual(major.count, 8)
        for (e, v) in major.enumerated() { XCTAssertEqual(v, pow(10, Double(e)), accuracy: 1e-9 * v) }
        // 2..9 times each of the seven decades 1, 10, ..., 1e6.
        XCTAssertEqual(minor.count, 7 * 8)
        XCTAssertTrue(minor.contains { abs($0 - 2) < 1e-12 })
        XCTAssertTrue(minor.contains { abs($0 - 9e6) < 1e-3 })
        XCTAssertFalse(minor.contains { $0 > 1e7 })
    }

    func testLogTicksOfAPartialRange() {
        let (major, minor) = Ticks.log10(30, 2000)
        XCTAssertEqual(major, [100, 1000])
        // 30..90 (7 of them), 200..900 (8), 2000 (1).
        XCTAssertEqual(minor.count, 16)
        XCTAssertEqual(minor.first!, 30, accuracy: 1e-9)
        XCTAssertEqual(minor.last!, 2000, accuracy: 1e-9)
    }

    func testLinearNiceTicksHandChecked() {
        XCTAssertEqual(Ticks.linear(0, 1, target: 5), [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        // span 20 / 5 = 4 -> nice step 5; the multiples of 5 inside [-3, 17]
        XCTAssertEqual(Ticks.linear(-3, 17, target: 5), [0, 5, 10, 15])
        // span 0.7 / 4 = 0.175 -> step 0.2
        XCTAssertEqual(Ticks.linear(0.1, 0.8, target: 4), [0.2, 0.4, 0.6, 0.8])
        // span 93.6 - 20 over 6 -> 12.27 -> step 10
        XCTAssertEqual(Ticks.linear(20, 93.6, target: 6), [20, 30, 40, 50, 60, 70, 80, 90])
        XCTAssertEqual(Ticks.niceStep(span: 3.5, target: 10), 0.5)
        XCTAssertEqual(Ticks.niceStep(span: 1200, target: 5), 200)
    }

    func testTickLabels() {
        XCTAssertEqual(Ticks.decadeLabel(3), "10³")
        XCTAssertEqual(Ticks.decadeLabel(-2), "10⁻²")
        XCTAssertEqual(Ticks.decadeLabel(3, style: .exponent), "1e3")
        XCTAssertEqual(Ticks.label(0.6000000000000001, step: 0.2), "0.6")
        XCTAssertEqual(Ticks.label(15, step: 5), "15")
        XCTAssertEqual(Ticks.label(-0.25, step: 0.05), "−0.25")
    }

    func testLogMappingPutsTheGeometricMidpointAtHalfWidth() {
        let m = AxisMapping(kind: .log10, lower: 1, upper: 1e6, pixelStart: 60, pixelEnd: 760)
        XCTAssertEqual(m.map(1000)!, 60 + 700.0 / 2, accuracy: 1e-9)
        XCTAssertEqual(m.map(1)!, 60, accuracy: 1e-12)
        XCTAssertEqual(m.map(1e6)!, 760, accuracy: 1e-9)
        XCTAssertEqual(m.map(10)!, 60 + 700.0 / 6, accuracy: 1e-9)
        XCTAssertNil(m.map(0))
        XCTAssertNil(m.map(-5))
        XCTAssertNil(m.map(.nan))
    }

    func testLinearMappingWithInvertedPixels() {
        // y axes grow downward in SVG: value 0 at the bottom pixel 400, 1 at the top pixel 100.
        let m = AxisMapping(kind: .linear, lower: 0, upper: 1, pixelStart: 400, pixelEnd: 100)
        XCTAssertEqual(m.map(0.25)!, 325, accuracy: 1e-12)
        XCTAssertEqual(m.map(1)!, 100, accuracy: 1e-12)
        XCTAssertNil(m.map(.infinity))
    }

    func testHistogramBinningAndDensity() {
        let h = Histogram.binned([0, 1, 1, 2, 3, 4], bins: 4)
        XCTAssertEqual(h.edges, [0, 1, 2, 3, 4])
        // counts [1, 2, 1, 2] (the maximum lands in the last bin), width 1, total 6
        XCTAssertEqual(h.heights, [1.0 / 6, 2.0 / 6, 1.0 / 6, 2.0 / 6])
        let lg = Histogram.binned([1, 10, 100, 1000, -1, 0], bins: 3, log: true, density: false)
        XCTAssertEqual(lg.edges.count, 4)
        XCTAssertEqual(lg.edges[1], 10, accuracy: 1e-9)
        XCTAssertEqual(lg.heights, [1, 1, 2])
    }
}
