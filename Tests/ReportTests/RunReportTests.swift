import XCTest
import RunFiles
import Foundation
import GrokCore
import Report

final class RunReportTests: XCTestCase {
    var cleanup: [URL] = []
    override func tearDown() { for u in cleanup { try? FileManager.default.removeItem(at: u.deletingLastPathComponent()) } }

    func makeRun(htsr: Bool = true, phases: Bool = true, diagnostics: Bool = true) throws -> URL {
        let dir = try SyntheticRun.make(htsr: htsr, phases: phases, diagnostics: diagnostics)
        cleanup.append(dir)
        return dir
    }

    func options() -> ReportOptions { var o = ReportOptions(); o.png = false; return o }

    func testFullRunWritesEveryFigureAndAWellFormedReport() throws {
        let dir = try makeRun()
        let result = try RunReport.build(runDirectory: dir, options: options())
        let svgs = result.files.filter { $0.pathExtension == "svg" }
        let stems = svgs.map { $0.deletingPathExtension().lastPathComponent }
        for expected in ["1-three-phases", "2-alpha", "3-traps", "6-measures"] { XCTAssertTrue(stems.contains(expected), expected) }
        for svg in svgs {
            XCTAssertTrue(FileManager.default.fileExists(atPath: svg.path))
            let doc = try XMLDoc.parse(svg)
            XCTAssertEqual(doc.elements.first?.name, "svg")
        }
        let reportURL = try XCTUnwrap(result.report)
        XCTAssertEqual(reportURL.lastPathComponent, "report.html")
        let html = try XMLDoc.parse(reportURL)
        XCTAssertEqual(html.elements.first?.name, "html")
        // every figure inlined, once
        XCTAssertEqual(html.named("svg").count, svgs.count)
        XCTAssertEqual(html.named("figure").count, svgs.count)
        // self-contained: no scripts, images or stylesheets fetched
        XCTAssertTrue(html.named("script").isEmpty && html.named("img").isEmpty && html.named("link").isEmpty)
        let text = html.allText
        XCTAssertEqual(html.named("h1").first?.text, "synthetic-run")
        // peak test accuracy, computed here from the same curve, and its step
        let steps = SyntheticRun.metricSteps
        let best = steps.indices.max { SyntheticRun.testAcc(steps[$0]) < SyntheticRun.testAcc(steps[$1]) }!
        XCTAssertTrue(text.contains(String(format: "%.1f%%", SyntheticRun.testAcc(steps[best]) * 100)))
        XCTAssertTrue(text.contains("903,575"), "HTSR lead time from phases.json")
        XCTAssertTrue(text.contains("2,371,374"), "collapse step")
        XCTAssertTrue(text.contains("HTSR early warning") && text.contains("1,234,567") && text.contains("test accuracy there 81.2"),
                      "the early warning card from phases.json")
        // final alpha of FC1 at the last HTSR step, in the summary table
        let fc1Final = try XCTUnwrap(html.named("tr").first { $0.text.hasPrefix("FC1") })
        XCTAssertTrue(fc1Final.text.contains("10,000,000"))
        // the config table lists every key of config.json
        for key in ["steps", "lr", "widths", "init_scale", "command_line", "verbose"] {
            XCTAssertTrue(html.named("code").contains { $0.text == key }, key)
        }
        XCTAssertTrue(html.named("td").contains { $0.text == "[784, 200, 200, 10]" })
        XCTAssertFalse(text.contains("htsr.csv is missing"))
    }

    func testFigureContentsFollowTheFiles() throws {
        let dir = try makeRun()
        _ = try RunReport.build(runDirectory: dir, options: options())
        let fig = dir.appendingPathComponent("figures")
        // figure 1: train, test, norm; one band per accuracy phase (five)
        let f1 = try XMLDoc.parse(fig.appendingPathComponent("1-three-phases.svg"))
        XCTAssertEqual(f1.elements.filter { $0.attributes["class"]?.hasPrefix("series ") ?? false }.count, 3)
        XCTAssertEqual(f1.elements.filter { $0.attributes["class"] == "band" }.count, 5)
        // figure 2: three layers plus the mean over FC1 and FC2, the alpha = 2 line
        let f2 = try XMLDoc.parse(fig.appendingPathComponent("2-alpha.svg"))
        let legend = f2.elements.filter { $0.attributes["class"] == "legend-entry" }.map(\.text)
        // figure 2: raw alpha per layer, the rule's steadier alpha on top for FC1 and FC2, their mean
        for l in ["FC1", "FC2"] { XCTAssertTrue(legend.contains(l + " raw α") && legend.contains(l + " steadier α (rule)"), "\(legend)") }
        XCTAssertTrue(legend.contains("mean of FC1, FC2 (steadier α)"), "\(legend)")
        XCTAssertTrue(f2.elements.contains { $0.attributes["class"] == "refline-label" && $0.text == "α = 2" })
        // figure 3 of a file without num_traps_centered (written before it existed): one count per layer
        let f3 = try XMLDoc.parse(fig.appendingPathComponent("3-traps.svg"))
        let legend3 = f3.elements.filter { $0.attributes["class"] == "legend-entry" }.map(\.text)
        XCTAssertTrue(legend3.contains("FC1") && !legend3.contains { $0.contains("mean removed") }, "\(legend3)")
    }

    /// With num_traps_centered, figure 3 draws both counts per layer.
    func testTrapFigureShowsBothCounts() throws {
        let dir = try makeRun()
        let url = dir.appendingPathComponent("htsr.csv")
        var lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[0] += ",num_traps_centered"
        for i in 1..<lines.count { lines[i] += ",0" }
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        _ = try RunReport.build(runDirectory: dir, options: options())
        let f3 = try XMLDoc.parse(dir.appendingPathComponent("figures/3-traps.svg"))
        let legend = f3.elements.filter { $0.attributes["class"] == "legend-entry" }.map(\.text)
        for l in ["FC1", "FC2"] {
            XCTAssertTrue(legend.contains(l + " (WeightWatcher)") && legend.contains(l + " (mean removed)"), "\(legend)")
        }
    }

    func testRunWithoutHTSRStillDrawsFigureOneAndSaysHTSRIsMissing() throws {
        let dir = try makeRun(htsr: false)
        let result = try RunReport.build(runDirectory: dir, options: options())
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("figures/1-three-phases.svg").path))
        XCTAssertTrue(result.warnings.contains { $0.contains("htsr.csv is missing") })
        let html = try XMLDoc.parse(dir.appendingPathComponent("report.html"))
        XCTAssertTrue(html.allText.contains("htsr.csv is missing"))
        let f2 = try XMLDoc.parse(dir.appendingPathComponent("figures/2-alpha.svg"))
        XCTAssertTrue(f2.elements.contains { $0.attributes["class"] == "note" && $0.text == "htsr.csv not written yet" })
    }

    func testTruncatedLastLinesAndHalfWrittenJSONAreTolerated() throws {
        let dir = try makeRun()
        for file in ["metrics.csv", "htsr.csv"] {
            let h = try FileHandle(forWritingTo: dir.appendingPathComponent(file))
            h.seekToEndOfFile()
            h.write(Data("20000000,0.01,0.9".utf8))   // a row caught mid-write
            try h.close()
        }
        try Data("{\"accuracy\": [{\"phase\": \"memo".utf8).write(to: dir.appendingPathComponent("phases.json"))
        let result = try RunReport.build(runDirectory: dir, options: options())
        XCTAssertTrue(result.warnings.contains { $0.contains("metrics.csv: ignored a partially written last line") })
        XCTAssertTrue(result.warnings.contains { $0.contains("htsr.csv: ignored a partially written last line") })
        XCTAssertTrue(result.warnings.contains { $0.contains("phases.json") })
        let html = try XMLDoc.parse(dir.appendingPathComponent("report.html"))
        XCTAssertTrue(html.allText.contains("10,000,000"), "last complete step still reported")
        XCTAssertFalse(html.allText.contains("20,000,000"))
    }

    func testMetricsWithoutDiagnosticColumnsSaysNotRecorded() throws {
        let dir = try makeRun(diagnostics: false)
        _ = try RunReport.build(runDirectory: dir, options: options())
        let f6 = try XMLDoc.parse(dir.appendingPathComponent("figures/6-measures.svg"))
        let notes = f6.elements.filter { $0.attributes["class"] == "note" }
        XCTAssertEqual(notes.count, 3, "sparsity, entropy, circuit complexity missing; L2 norm present")
    }

    func testMissingDirectoryIsAOneLineError() {
        let missing = URL(fileURLWithPath: "/nonexistent/run-\(UUID().uuidString)")
        XCTAssertThrowsError(try RunReport.build(runDirectory: missing)) { error in
            let e = error as? GrokError
            XCTAssertNotNil(e)
            XCTAssertTrue(e?.message.contains(missing.path) ?? false)
            XCTAssertFalse(e?.message.contains("\n") ?? true)
        }
    }

    func testPNGsWrittenWhenTheConverterExists() throws {
        let dir = try makeRun()
        var o = ReportOptions(); o.png = true
        let result = try RunReport.build(runDirectory: dir, options: o)
        let pngs = result.files.filter { $0.pathExtension == "png" }
        if PNGProbe.available {
            XCTAssertEqual(pngs.count, result.files.filter { $0.pathExtension == "svg" }.count)
            XCTAssertFalse(result.warnings.contains { $0.contains("PNG skipped") })
        } else {
            XCTAssertTrue(pngs.isEmpty)
            XCTAssertTrue(result.warnings.contains("rsvg-convert not found; PNG skipped"))
        }
    }
}

import Charts
enum PNGProbe { static var available: Bool { PNGRenderer.findConverter() != nil } }
