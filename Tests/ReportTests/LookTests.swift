import XCTest
import Foundation
import Report

/// Writes a sample report for a human to look at when GROKLAB_REPORT_SAMPLE names a folder.
final class LookTests: XCTestCase {
    func testWriteSampleWhenAsked() throws {
        guard let out = ProcessInfo.processInfo.environment["GROKLAB_REPORT_SAMPLE"] else { return }
        let dir = try SyntheticRun.make(name: "synthetic-anti-grokking", in: URL(fileURLWithPath: out))
        let r = try RunReport.build(runDirectory: dir)
        print(r.files.map(\.path).joined(separator: "\n"))
        print(r.warnings.joined(separator: "\n"))
    }
}
