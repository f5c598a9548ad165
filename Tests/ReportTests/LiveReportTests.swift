import XCTest
import RunFiles
import Foundation
import GrokCore
import Report

/// The live report's page and its rules (the browser side: scripts/check-live-report.sh).
final class LiveReportTests: XCTestCase {
    func makeRun(lastStep: Double? = nil) throws -> URL {
        let dir = try SyntheticRun.make(name: "live-run")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        if let lastStep {   // cut metrics.csv after `lastStep`: a run still training
            let url = dir.appendingPathComponent("metrics.csv")
            let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
            let kept = [lines[0]] + lines.dropFirst().filter { Double($0.prefix { $0 != "," })! <= lastStep }
            try (kept.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        }
        return dir
    }

    func page(_ dir: URL, live: Bool) throws -> XMLDoc {
        var o = ReportOptions()
        o.png = false
        o.live = live
        let r = try RunReport.build(runDirectory: dir, options: o)
        return try XMLDoc.parse(XCTUnwrap(r.report))
    }

    func testLivePageHasBannerAndReloadAndTheFinalPageHasNeither() throws {
        let dir = try makeRun(lastStep: 100_000)
        let live = try page(dir, live: true)
        let banner = try XCTUnwrap(live.elements.first { $0.attributes["id"] == "live-banner" })
        // The kept rows end at the synthetic run's largest step <= 10^5: 10^(34 x 7/48) = 90,852.
        let last = try XCTUnwrap(SyntheticRun.metricSteps.filter { $0 <= 100_000 }.last)
        XCTAssertEqual(last, (pow(10, 34 * 7.0 / 48)).rounded())
        let expected = "live, step \(Int(last) / 1000),\(String(format: "%03d", Int(last) % 1000)) of 10,000,000, updated "
        XCTAssertTrue(banner.text.hasPrefix(expected), banner.text)
        XCTAssertNotNil(banner.text.range(of: #"updated \d\d:\d\d$"#, options: .regularExpression), banner.text)
        XCTAssertEqual(live.named("script").count, 1)
        // The script is CDATA (the XML parser hands it out separately): read the file.
        let source = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        let script = try XCTUnwrap(source.components(separatedBy: "<script>").last?.components(separatedBy: "</script>").first)
        XCTAssertTrue(script.contains("window.location.reload()"), script)
        XCTAssertTrue(script.contains("60000"), script)       // once a minute
        let final = try page(dir, live: false)
        XCTAssertNil(final.elements.first { $0.attributes["id"] == "live-banner" })
        XCTAssertTrue(final.named("script").isEmpty)
        XCTAssertEqual(final.named("figure").count, live.named("figure").count)
    }

    func testRebuildIntervalKeepsTheCostUnderOnePercent() {
        for duration in [0.05, 0.5, 2.0, 30.0] {
            let wait = LiveReportBuilder.interval(afterBuildOf: duration, minimum: 60, costFactor: 99)
            XCTAssertGreaterThanOrEqual(wait, 60)
            XCTAssertLessThanOrEqual(duration / (duration + wait), 0.01 + 1e-12)
        }
        XCTAssertEqual(LiveReportBuilder.interval(afterBuildOf: 2, minimum: 60, costFactor: 99), 198)
    }

    func testBuilderBuildsInTheBackgroundOnlyWhenDue() throws {
        let dir = try makeRun(lastStep: 1000)
        let report = dir.appendingPathComponent("report.html")
        let patient = LiveReportBuilder(runDirectory: dir, minimumInterval: 3600)
        XCTAssertFalse(patient.isDue)
        patient.evaluationDone()
        patient.waitForBuild()
        XCTAssertFalse(FileManager.default.fileExists(atPath: report.path))
        let eager = LiveReportBuilder(runDirectory: dir, minimumInterval: 0)
        XCTAssertTrue(eager.isDue)
        eager.evaluationDone()
        eager.waitForBuild()
        let html = try String(contentsOf: report, encoding: .utf8)
        XCTAssertTrue(html.contains("id=\"live-banner\""))
        XCTAssertTrue(eager.summary(runSeconds: 100).hasPrefix("live report: rebuilt 1 times"))
        // Live pages skip PNGs.
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("figures/1-three-phases.png").path))
    }

    func testRunStateFromMetricsAndLock() throws {
        let done = try makeRun()
        XCTAssertEqual(RunState.of(done), .completed)
        let going = try makeRun(lastStep: 1000)
        XCTAssertEqual(RunState.of(going), .running)          // no lock to ask: assumed running
        let lock = try DirectoryLock(directory: going, holder: "grok-train")
        XCTAssertEqual(DirectoryLock.isHeld(directory: going), true)
        XCTAssertEqual(RunState.of(going), .running)
        lock.release()
        XCTAssertEqual(DirectoryLock.isHeld(directory: going), false)
        XCTAssertEqual(RunState.of(going), .stopped)
    }

    func testWatchingAnEndedRunBuildsTheFinalPageAndReturns() throws {
        let dir = try makeRun()
        var watcher = ReportWatcher(runDirectory: dir, options: { var o = ReportOptions(); o.png = false; return o }())
        watcher.settle = 0
        var lines: [String] = []
        let result = try watcher.run { lines.append($0) }
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines[0].hasPrefix("run completed: final report"), lines[0])
        let html = try String(contentsOf: XCTUnwrap(result.report), encoding: .utf8)
        XCTAssertFalse(html.contains("live-banner"))
        XCTAssertThrowsError(try ReportWatcher(runDirectory: dir.appendingPathComponent("nope"), options: ReportOptions()).run { _ in })
    }
}
