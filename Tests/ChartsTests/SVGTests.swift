import XCTest
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Charts

/// Collects the elements of an SVG document, so tests can check what was drawn.
final class ElementCollector: NSObject, XMLParserDelegate {
    struct Element { let name: String; let attributes: [String: String]; var text: String }
    var elements: [Element] = []
    var stack: [Int] = []

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.append(Element(name: name, attributes: attributes, text: ""))
        stack.append(elements.count - 1)
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let i = stack.last { elements[i].text += string }
    }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
    }

    /// Parses `text`; fails the test with the parser's error when it is not well-formed XML.
    static func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ElementCollector {
        let c = ElementCollector()
        let p = XMLParser(data: Data(text.utf8))
        p.delegate = c
        let ok = p.parse()
        XCTAssertTrue(ok, "not well-formed XML: \(String(describing: p.parserError))", file: file, line: line)
        return c
    }

    func withClass(_ cls: String, name: String? = nil) -> [Element] {
        elements.filter { e in
            (name == nil || e.name == name) && (e.attributes["class"]?.split(separator: " ").contains { $0 == cls } ?? false)
        }
    }
}

final class SVGTests: XCTestCase {
    func sampleChart(seriesCount: Int = 3) -> Chart {
        let xs = (0..<60).map { pow(10, Double($0) / 10) }
        var items: [PlotItem] = []
        for k in 0..<seriesCount {
            items.append(.line(LineSeries(label: "series \(k)", x: xs, y: xs.map { Foundation.log10($0) * Double(k + 1) },
                                          color: Palette.color(k))))
        }
        let panel = Panel(title: "A panel", x: AxisSpec("step", scale: .log10), y: AxisSpec("value"), items: items,
                          bands: [Band(x0: 1, x1: 100, label: "early", color: Palette.skyBlue),
                                  Band(x0: 100, x1: 1e5, label: "late", color: Palette.vermillion)],
                          referenceLines: [ReferenceLine(.horizontal, at: 2, label: "α = 2")])
        return Chart(title: "Sample", panels: [panel])
    }

    func testSVGParsesAndHasOnePolylinePerSeries() {
        let doc = ElementCollector.parse(sampleChart(seriesCount: 3).svg())
        XCTAssertEqual(doc.elements.first?.name, "svg")
        XCTAssertEqual(doc.withClass("series", name: "polyline").count, 3)
        XCTAssertEqual(doc.withClass("legend-entry").map(\.text), ["series 0", "series 1", "series 2"])
        XCTAssertEqual(doc.withClass("band", name: "rect").count, 2)
        XCTAssertEqual(Set(doc.withClass("band-label").map(\.text)), ["early", "late"])
        XCTAssertEqual(doc.withClass("refline").count, 1)
        XCTAssertTrue(doc.withClass("tick").contains { $0.text == "10³" })
        XCTAssertEqual(doc.withClass("chart-title").first?.text, "Sample")
    }

    func testNaNBreaksAPolylineIntoPieces() {
        let x: [Double] = [1, 2, 3, 4, 5, 6, 7, 8]
        let y: [Double] = [1, 2, .nan, 4, 5, 6, .infinity, 8]
        let chart = Chart(panels: [Panel(items: [.line(LineSeries(label: "gappy", x: x, y: y))])])
        let doc = ElementCollector.parse(chart.svg())
        let lines = doc.withClass("series", name: "polyline")
        XCTAssertEqual(lines.count, 2, "runs [1,2] and [4,5,6] are lines")
        XCTAssertEqual(lines.map { $0.attributes["points"]!.split(separator: " ").count }, [2, 3])
        XCTAssertEqual(doc.withClass("series-point").count, 1, "the lone point 8 is a dot")
    }

    func testNonPositiveValuesBreakLinesOnALogAxis() {
        let chart = Chart(panels: [Panel(y: AxisSpec(scale: .log10),
                                         items: [.line(LineSeries(x: [1, 2, 3, 4, 5], y: [1, 2, 0, 3, 4]))])])
        XCTAssertEqual(ElementCollector.parse(chart.svg()).withClass("series", name: "polyline").count, 2)
    }

    func testPointOnLogAxisLandsAtHalfTheWidthInTheSVG() {
        // x axis fixed to [1, 1e6]: a vertical reference line at 1000 must sit at the centre
        // of the plot frame.
        let panel = Panel(x: AxisSpec(scale: .log10, min: 1, max: 1e6),
                          items: [.line(LineSeries(x: [1, 1e6], y: [0, 1]))],
                          referenceLines: [ReferenceLine(.vertical, at: 1000)], legend: .hidden)
        let doc = ElementCollector.parse(Chart(panels: [panel]).svg())
        let frame = doc.withClass("frame").first!.attributes
        let fx = Double(frame["x"]!)!, fw = Double(frame["width"]!)!
        let line = doc.withClass("refline").first!.attributes
        XCTAssertEqual(Double(line["x1"]!)!, fx + fw / 2, accuracy: 0.01)
    }

    func testLabelsAreEscaped() {
        let evil = "wd<0.01 & \"lr\">'1e-3'"
        let panel = Panel(title: evil, x: AxisSpec(evil), items: [.line(LineSeries(label: evil, x: [1, 2], y: [1, 2]))])
        let svg = Chart(title: evil, panels: [panel]).svg()
        XCTAssertFalse(svg.contains(evil))
        XCTAssertTrue(svg.contains("wd&lt;0.01 &amp; &quot;lr&quot;&gt;&#39;1e-3&#39;"))
        let doc = ElementCollector.parse(svg)
        XCTAssertEqual(doc.withClass("legend-entry").first?.text, evil)
        XCTAssertEqual(doc.withClass("chart-title").first?.text, evil)
        XCTAssertEqual(XML.escaped("a<b"), "a&lt;b")
    }

    func testLegendAvoidsData() {
        // A line along the top edge from left to right and down the right side: the top corners
        // and the bottom-right corner are taken, so the legend must go bottom-left.
        let x: [Double] = [0, 50, 95, 95]
        let y: [Double] = [95, 95, 95, 0]
        let panel = Panel(x: AxisSpec(min: 0, max: 100), y: AxisSpec(min: 0, max: 100),
                          items: [.line(LineSeries(label: "edge", x: x, y: y))])
        let doc = ElementCollector.parse(Chart(panels: [panel]).svg())
        let frame = doc.withClass("frame").first!.attributes
        let fx = Double(frame["x"]!)!, fy = Double(frame["y"]!)!, fh = Double(frame["height"]!)!
        let entry = doc.withClass("legend-entry").first!.attributes
        let ex = Double(entry["x"]!)!, ey = Double(entry["y"]!)!
        XCTAssertLessThan(ex, fx + 100)
        XCTAssertGreaterThan(ey, fy + fh / 2)
    }

    func testLegendGoesOnTopWhenEveryCornerIsBusy() {
        // A dense cloud that fills the whole plot: no corner is free.
        var xs: [Double] = [], ys: [Double] = []
        for i in 0...20 { for j in 0...20 { xs.append(Double(i)); ys.append(Double(j)) } }
        let panel = Panel(items: [.scatter(ScatterSeries(label: "cloud", x: xs, y: ys))])
        let doc = ElementCollector.parse(Chart(panels: [panel]).svg())
        let fy = Double(doc.withClass("frame").first!.attributes["y"]!)!
        let ey = Double(doc.withClass("legend-entry").first!.attributes["y"]!)!
        XCTAssertLessThan(ey, fy, "legend above the plot frame")
    }

    func testStackedSharedXAndSecondAxisAndImage() {
        let xs = [1.0, 10, 100, 1000]
        let top = Panel(y: AxisSpec("acc"), y2: AxisSpec("norm", color: Palette.orange),
                        items: [.line(LineSeries(label: "acc", x: xs, y: [0.1, 0.5, 0.9, 0.5])),
                                .line(LineSeries(label: "norm", x: xs, y: [90, 80, 70, 60], side: .right))])
        let bottom = Panel(x: AxisSpec("step", scale: .log10),
                           items: [.histogram(Histogram(edges: [1, 10, 100, 1000], heights: [3, 1, 2], style: .bars))])
        let image = Panel.image(ImagePlot(rows: 28, cols: 28, values: (0..<784).map { Double($0 % 28) - 13.5 }, caption: "v₁"))
        let chart = Chart(width: 800, height: 900, panels: [top, bottom, image], sharedX: true)
        let doc = ElementCollector.parse(chart.svg())
        XCTAssertEqual(doc.withClass("series", name: "polyline").count, 2)
        XCTAssertEqual(doc.withClass("bar").count, 3)
        XCTAssertEqual(doc.withClass("frame").count, 3)
        // the image: 784 cells inside the image group
        XCTAssertEqual(doc.withClass("px", name: "rect").count, 784)
        // right axis labels use the norm colour
        XCTAssertTrue(doc.withClass("tick").contains { $0.attributes["fill"] == Palette.orange.hex })
        XCTAssertTrue(doc.withClass("caption").contains { $0.text == "v₁" })
    }

    func testWriteSVGAndPNGStatus() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("charts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let chart = sampleChart()
        let svgURL = dir.appendingPathComponent("a.svg")
        try chart.writeSVG(to: svgURL)
        XCTAssertEqual(try String(contentsOf: svgURL, encoding: .utf8), chart.svg())
        // With no converter on PATH the PNG is skipped with a clear message, never an error.
        XCTAssertNil(PNGRenderer.findConverter(path: dir.path))
        let skipped = PNGRenderer.render(svg: svgURL, to: dir.appendingPathComponent("a.png"), converter: nil)
        XCTAssertEqual(skipped, .skipped("rsvg-convert not found; PNG skipped"))
        if let conv = PNGRenderer.findConverter() {
            let png = dir.appendingPathComponent("a.png")
            XCTAssertEqual(PNGRenderer.render(svg: svgURL, to: png, converter: conv), .written(png))
            let head = try Data(contentsOf: png).prefix(8)
            XCTAssertEqual(Array(head), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        }
        // Samples for a human to look at (set GROKLAB_CHART_SAMPLES=/some/dir).
        if let out = ProcessInfo.processInfo.environment["GROKLAB_CHART_SAMPLES"] {
            let o = URL(fileURLWithPath: out)
            try chart.writeSVG(to: o.appendingPathComponent("sample.svg"))
        }
    }
}
