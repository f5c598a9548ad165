import Foundation
import XCTest
import GrokCore
import Phases
import Diagnostics
import RunFiles

final class HTSRRuleSettingsTests: XCTestCase {
    func testRuleAndDropReachTheThresholdsAndBadDropsAreRefused() throws {
        var d = DiagnosticsSettings()
        XCTAssertEqual(d.htsrThresholds.rule, .stableRank)
        d.htsrRule = .paper
        d.htsrStableRankDrop = 0.05
        XCTAssertEqual(d.htsrThresholds.rule, .paper)
        XCTAssertEqual(d.htsrThresholds.stableRankDrop, 0.05)
        for bad in [0.0, 1.0, -0.1, .nan] {
            d.htsrStableRankDrop = bad
            XCTAssertThrowsError(try d.validate()) { e in
                XCTAssertTrue("\(e)".contains("--htsr-stable-rank-drop"), "\(e)")
            }
        }
    }

    func testSettingsSurviveConfigJSON() throws {
        var d = DiagnosticsSettings()
        d.htsrRule = .paper
        d.htsrStableRankDrop = 0.04
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rule-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        let data = try JSONSerialization.data(withJSONObject: ["diagnostics": d.jsonObject])
        try data.write(to: url)
        let back = try DiagnosticsSettings.read(configURL: url)
        XCTAssertEqual(back.htsrRule, .paper)
        XCTAssertEqual(back.htsrStableRankDrop, 0.04)
    }
}
