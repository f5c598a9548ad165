import XCTest
import RunFiles
import Foundation
import GrokCore
import Report

/// grok-report writes only into run directories, and one bad line costs one row.
final class ReportSafetyTests: XCTestCase {
    let fm = FileManager.default

    func options() -> ReportOptions { var o = ReportOptions(); o.png = false; return o }

    func testAFolderThatIsNotARunGetsNoReport() throws {
        let dir = try SyntheticRun.make(config: false)
        defer { try? fm.removeItem(at: dir.deletingLastPathComponent()) }
        try "mine".write(to: dir.appendingPathComponent("report.html"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try RunReport.build(runDirectory: dir, options: options())) {
            XCTAssertTrue("\($0)".contains("not a GrokLab run directory"), "\($0)")
        }
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8), "mine")
        XCTAssertFalse(fm.fileExists(atPath: dir.appendingPathComponent("figures").path))
    }

    func testAnUnterminatedQuoteCostsOneRowNotTheRestOfTheFile() throws {
        let dir = try SyntheticRun.make()
        defer { try? fm.removeItem(at: dir.deletingLastPathComponent()) }
        let url = dir.appendingPathComponent("metrics.csv")
        var lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        let total = lines.count - 1
        XCTAssertGreaterThan(total, 10)
        lines[3] = "\"" + lines[3]   // an open quote early in the file
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        let run = try RunData.load(dir)
        XCTAssertEqual(run.metrics?.rowCount, total - 1)
        XCTAssertTrue(run.warnings.contains("metrics.csv: skipped 1 malformed line(s) (line 4)"), "\(run.warnings)")
        XCTAssertFalse(run.warnings.contains { $0.contains("partially written") })
    }
}
