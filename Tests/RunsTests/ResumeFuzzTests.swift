import XCTest
import RunFiles
import Foundation
import GrokCore
import Training
import Diagnostics
import Runs

/// Hostile run directories for --resume (no value in an input file may crash a
/// tool): seeded mutations of a finished run's config.json, metrics.csv, timing.csv, htsr.csv
/// and phases.json. Each resume must finish or refuse with a one-line GrokError; a crash fails
/// the suite.
final class ResumeFuzzTests: XCTestCase {
    static let fragments = ["\"", ",", "\n", "{", "}", "[", "]", ":", "null", "-1", "1e999", "nan", "inf",
                            "9223372036854775808", "\"steps\": -5", "\"widths\": []", "\"threads\": 0",
                            "step", ",phase", "🙂", String(repeating: "9", count: 40)]

    func mutate(_ input: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var b = input
        switch rng.nextInt(below: 4) {
        case 0 where !b.isEmpty: for _ in 0..<(1 + rng.nextInt(below: 6)) { b[rng.nextInt(below: b.count)] = UInt8(truncatingIfNeeded: rng.next()) }
        case 1: b = Array(b.prefix(rng.nextInt(below: b.count + 1)))
        case 2 where !b.isEmpty:
            let i = rng.nextInt(below: b.count)
            b.removeSubrange(i..<min(b.count, i + 1 + rng.nextInt(below: 40)))
        default:
            b.insert(contentsOf: Array(Self.fragments[rng.nextInt(below: Self.fragments.count)].utf8), at: rng.nextInt(below: b.count + 1))
        }
        return b
    }

    func testMutatedRunDirectoriesNeverCrashAResume() throws {
        let fm = FileManager.default
        let base = fm.temporaryDirectory.appendingPathComponent("resume-fuzz-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: base) }
        var c = TrainingConfig.paper
        c.widths = [784, 16, 12, 10]; c.trainSize = 100; c.batchSize = 20; c.steps = 20; c.snapshots = 4; c.threads = 1
        var d = DiagnosticsSettings(); d.htsr = .plain
        func quietRun(_ url: URL, _ start: TrainingRun.Start) -> TrainingRun {
            var r = TrainingRun(directory: url, start: start)
            r.quiet = true; r.buildReport = false; r.note = { _ in }; r.output = { _ in }
            return r
        }
        let original = base.appendingPathComponent("original")
        try quietRun(original, .fresh(c, d, force: false)).run()
        let files = ["config.json", "metrics.csv", "timing.csv", "htsr.csv", "phases.json"]
        var rng = SeededRandom(seed: 10, stream: "resume-fuzz")
        var completed = 0
        for i in 0..<40 {
            let dir = base.appendingPathComponent("case-\(i)")
            try fm.copyItem(at: original, to: dir)
            for f in files where rng.nextUnit() < 0.35 {
                let url = dir.appendingPathComponent(f)
                var bytes = Array(try Data(contentsOf: url))
                for _ in 0..<(1 + rng.nextInt(below: 3)) { bytes = mutate(bytes, &rng) }
                try Data(bytes).write(to: url)
            }
            do {
                let result = try quietRun(dir, .resume(threads: nil)).run()
                XCTAssertEqual(result.outcome, .completed, "case \(i)")
                completed += 1
            } catch let error as GrokError {
                XCTAssertFalse(error.message.contains(where: \.isNewline), "case \(i): multi-line error \(error.message)")
            } catch {
                XCTFail("case \(i): not a GrokError: \(error)")
            }
            try? fm.removeItem(at: dir)
        }
        XCTAssertGreaterThan(completed, 5, "some mutations are harmless and resume")
    }
}
