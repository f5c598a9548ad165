import Foundation
import XCTest
import Diagnostics
import HTSR
import RunFiles

/// htsr.csv's rows as the diagnostics make them from HTSR's `LayerAnalysis`.
final class HTSRRowTests: XCTestCase {
    /// norm, Q and warning are no htsr.csv columns; text loses its commas, quotes and newlines.
    func testARowKeepsOnlyTheFilesMetricsAndCleansText() {
        var a = LayerAnalysis(name: "fc1, \"odd\"", kind: "dense", N: 20, M: 10)
        a.alpha = 2; a.Q = 2; a.norm = 9; a.warning = "over-trained"; a.numTraps = 4; a.xmax = .infinity
        a.status = .fitFailed("a, b\nc")
        let row = HTSRRow(step: 7, analysis: a)
        XCTAssertEqual(row.csvLine, "7,fc1; 'odd',20,10,2.0,,,,,,,,,,,,4,,,,,,,,,,failed: a; b c")
    }

    /// Each htsr.csv column is an analyzer metric of the same name, and a row made from an
    /// analysis writes exactly the analysis's values in those columns.
    func testEveryColumnIsTheAnalyzersMetricOfThatName() {
        var a = LayerAnalysis(name: "w", kind: "dense", N: 30, M: 20)
        var k = 0.0
        for m in LayerAnalysis.metrics {
            k += 1
            switch m.kind {
            case .int: if m.name != "N" && m.name != "M" { m.set(.int(Int(k)), in: &a) }
            case .double: m.set(.double(k + 0.5), in: &a)
            case .bool: m.set(.bool(true), in: &a)
            case .text: if m.name == "status" { m.set(.text("skipped: too small"), in: &a) }
            }
        }
        let cells = HTSRRow(step: 3, analysis: a).csvLine.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(cells.count, HTSRRow.columns.count)
        for (name, cell) in zip(HTSRRow.metricNames, cells.dropFirst(2)) {
            guard let m = LayerAnalysis.metric(named: name) else { XCTFail("\(name) is not a LayerAnalysis metric"); continue }
            switch m.value(a) {
            case .int(let i)?: XCTAssertEqual(cell, String(i), name)
            case .double(let d)?: XCTAssertEqual(cell, "\(d)", name)
            case .bool(let b)?: XCTAssertEqual(cell, b ? "true" : "false", name)
            case .text(let t)?: XCTAssertEqual(cell, t, name)
            case nil: XCTFail("\(name) was set")
            }
        }
    }
}
