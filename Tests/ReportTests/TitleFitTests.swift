import XCTest
import Foundation
import Report

/// Figure titles carry the run's name; a long one must not run off the canvas. Measured with
/// the real advance widths of DejaVu Sans (the SVGs' first font), not the charts' estimate.
final class TitleFitTests: XCTestCase {
    static let longName = "20261130-041740-omnigrok-adamw-mse-lr0.001-wd0.01-seed0-a-long-run-x70"

    func testTheFontReaderGivesDejaVuSansKnownAdvances() throws {
        let regular = try TrueTypeMetrics(path: TrueTypeMetrics.dejaVuSans)
        XCTAssertEqual(regular.unitsPerEm, 2048)
        // DejaVu Sans: digits 1303 units, space 651, "m" 1995 (its hmtx table).
        XCTAssertEqual(regular.width("0", size: 2048), 1303)
        XCTAssertEqual(regular.width(" ", size: 2048), 651)
        XCTAssertEqual(regular.width("m", size: 2048), 1995)
    }

    func testEveryTitleFitsItsCanvasWithA70CharacterRunName() throws {
        XCTAssertEqual(Self.longName.count, 70)
        let dir = try SyntheticRun.make(name: Self.longName)
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        var options = ReportOptions()
        options.png = false
        let result = try RunReport.build(runDirectory: dir, options: options)
        let regular = try TrueTypeMetrics(path: TrueTypeMetrics.dejaVuSans)
        let bold = try TrueTypeMetrics(path: TrueTypeMetrics.dejaVuSansBold)
        let svgs = result.files.filter { $0.pathExtension == "svg" }
        XCTAssertGreaterThanOrEqual(svgs.count, 4)
        var titles = 0
        for svg in svgs {
            let doc = try XMLDoc.parse(svg)
            let canvas = try XCTUnwrap(doc.elements.first?.attributes["width"].flatMap(Double.init))
            let chartTitle = doc.named("text").filter { $0.attributes["class"] == "chart-title" }.map(\.text)
            // The title still names the run in full: 70 characters fit on a line of their own.
            XCTAssertTrue(chartTitle.joined(separator: " ").contains(Self.longName), "\(svg.lastPathComponent): \(chartTitle)")
            for t in doc.named("text") where ["chart-title", "panel-title"].contains(t.attributes["class"] ?? "") {
                let x = try XCTUnwrap(t.attributes["x"].flatMap(Double.init))
                let size = try XCTUnwrap(t.attributes["font-size"].flatMap(Double.init))
                let w = (t.attributes["font-weight"] == "bold" ? bold : regular).width(t.text, size: size)
                let left: Double
                switch t.attributes["text-anchor"] ?? "start" {
                case "middle": left = x - w / 2
                case "end": left = x - w
                default: left = x
                }
                XCTAssertGreaterThanOrEqual(left, 0, "\(svg.lastPathComponent): '\(t.text)' starts left of the canvas")
                XCTAssertLessThanOrEqual(left + w, canvas, "\(svg.lastPathComponent): '\(t.text)' ends right of the canvas (\(canvas))")
                titles += 1
            }
        }
        XCTAssertGreaterThanOrEqual(titles, svgs.count)
    }
}
