import XCTest
import RunFiles
import Foundation
import GrokCore
import Report

/// Hostile run directories for grok-report (no value in an input file may crash a
/// tool). Seeded mutations of a valid run's metrics.csv, htsr.csv, config.json and phases.json
/// (extreme numbers in random cells, flipped and deleted bytes, spliced fragments, truncation)
/// must each give a report or a one-line GrokError; a crash fails the suite.
final class RunDirectoryFuzzTests: XCTestCase {
    static let numbers = ["1e20", "1e30", "-1e300", "1.7976931348623157e308", "1e-320", "5e-324", "inf", "-inf",
                          "nan", "0", "-0", "9223372036854775808", "-9223372036854775809", "1e999", "x", ""]
    static let fragments = ["\"", ",", "\n", "\r\n", "{", "}", "[", "]", ":", "null", "\\u0000", "🙂", "\"\"\"",
                            "1e20", "-1e300", "nan", String(repeating: "[", count: 600), "\"step\"", "\"phase\""]

    func options() -> ReportOptions { var o = ReportOptions(); o.png = false; o.esdPerPhase = false; return o }

    /// Replaces numeric cells of a CSV text with extreme values.
    func extremeCells(_ text: String, _ rng: inout SeededRandom) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for _ in 0..<(1 + rng.nextInt(below: 6)) where lines.count > 2 {
            let i = 1 + rng.nextInt(below: lines.count - 2)
            var cells = lines[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard !cells.isEmpty else { continue }
            cells[rng.nextInt(below: cells.count)] = Self.numbers[rng.nextInt(below: Self.numbers.count)]
            lines[i] = cells.joined(separator: ",")
        }
        return lines.joined(separator: "\n")
    }

    /// One byte-level mutation.
    func mutateBytes(_ input: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var b = input
        switch rng.nextInt(below: 5) {
        case 0 where !b.isEmpty: for _ in 0..<(1 + rng.nextInt(below: 8)) { b[rng.nextInt(below: b.count)] = UInt8(truncatingIfNeeded: rng.next()) }
        case 1: b = Array(b.prefix(rng.nextInt(below: b.count + 1)))
        case 2 where !b.isEmpty:
            let i = rng.nextInt(below: b.count)
            b.removeSubrange(i..<min(b.count, i + 1 + rng.nextInt(below: 64)))
        default:
            let f = Self.fragments[rng.nextInt(below: Self.fragments.count)]
            b.insert(contentsOf: Array(f.utf8), at: rng.nextInt(below: b.count + 1))
        }
        return b
    }

    func testMutatedRunDirectoriesNeverCrashTheReport() throws {
        var rng = SeededRandom(seed: 10, stream: "run-fuzz")
        let base = try SyntheticRun.make()
        defer { try? FileManager.default.removeItem(at: base.deletingLastPathComponent()) }
        let files = ["metrics.csv", "htsr.csv", "config.json", "phases.json"]
        var originals: [String: [UInt8]] = [:]
        for f in files { originals[f] = Array(try Data(contentsOf: base.appendingPathComponent(f))) }
        var built = 0
        for i in 0..<60 {
            for f in files {
                var bytes = originals[f]!
                if rng.nextUnit() < 0.5 {
                    if f.hasSuffix(".csv") && rng.nextUnit() < 0.6 {
                        bytes = Array(extremeCells(String(decoding: bytes, as: UTF8.self), &rng).utf8)
                    } else {
                        for _ in 0..<(1 + rng.nextInt(below: 3)) { bytes = mutateBytes(bytes, &rng) }
                    }
                }
                try Data(bytes).write(to: base.appendingPathComponent(f))
            }
            do {
                let result = try RunReport.build(runDirectory: base, options: options())
                XCTAssertNotNil(result.report, "case \(i)")
                built += 1
            } catch let error as GrokError {
                XCTAssertFalse(error.message.contains(where: \.isNewline), "case \(i): multi-line error")
            } catch {
                XCTFail("case \(i): not a GrokError: \(error)")
            }
        }
        XCTAssertGreaterThan(built, 40, "most mutated runs still get a report")
    }

    /// Two values that once crashed the charts: alpha 1e20 in htsr.csv and test_acc 1e30 in metrics.csv.
    func testHugeValuesAreLeftOutWithANote() throws {
        let dir = try SyntheticRun.make()
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        for (file, column, value) in [("htsr.csv", "alpha", "1e20"), ("metrics.csv", "test_acc", "1e30")] {
            let url = dir.appendingPathComponent(file)
            var lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
            let col = lines[0].split(separator: ",").firstIndex(of: Substring(column))!
            var cells = lines[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            cells[col] = value
            lines[2] = cells.joined(separator: ",")
            try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        }
        let result = try RunReport.build(runDirectory: dir, options: options())
        XCTAssertTrue(result.warnings.contains("htsr.csv: 1 value(s) of magnitude 1e15 or more left out of the figures (not plausible)"), "\(result.warnings)")
        XCTAssertTrue(result.warnings.contains("metrics.csv: 1 value(s) of magnitude 1e15 or more left out of the figures (not plausible)"))
        let run = try RunData.load(dir)
        XCTAssertTrue(run.metrics!.numbers("test_acc")![1].isNaN)
        XCTAssertEqual(run.metrics!.numbers("test_acc")!.filter(\.isNaN).count, 1)
    }
}
