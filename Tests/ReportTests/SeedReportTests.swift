import XCTest
import Foundation
import Report

/// Runs over seeds: grouping by settings, the bands and the phase-centre table, on run
/// directories written here with known numbers.
final class SeedReportTests: XCTestCase {
    static let steps = [0, 10, 100, 1000, 10_000, 100_000]

    func folder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("seeds-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// A run whose test accuracy is `offset` above a common curve and fc1's alpha `offset * 10`
    /// above 3; phases.json labels 10-100 pre-grokking, 1000-10^4 grokking, 10^5 grokked.
    func run(in parent: URL, wd: String, seed: Int, offset: Double) throws -> URL {
        let dir = parent.appendingPathComponent("wd\(wd)-s\(seed)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let config = "{\"seed\": \(seed), \"wd\": \(wd), \"lr\": 0.0005, \"started\": \"2026-12-0\(seed + 1)T00:00:00Z\", \"command_line\": \"grok-train --seed \(seed)\"}\n"
        try config.write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let test = [0.1, 0.15, 0.2, 0.5, 0.8, 0.9].map { $0 + offset }
        var m = ["step,train_loss,train_acc,test_loss,test_acc"]
        for (i, s) in Self.steps.enumerated() { m.append("\(s),0.01,\(i == 0 ? 0.2 : 1.0),0.1,\(test[i])") }
        try (m.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("metrics.csv"), atomically: true, encoding: .utf8)
        var h = ["step,layer,N,M,alpha,num_traps,num_traps_centered,ks_stat,status"]
        for (i, s) in Self.steps.enumerated() {
            h.append("\(s),fc1,784,200,\(3 + offset * 10 + Double(i)),\(i),\(i / 2),\(0.01 * Double(i + 1)),ok")
            h.append("\(s),fc2,200,200,2.5,0,0,0.02,ok")
        }
        try (h.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("htsr.csv"), atomically: true, encoding: .utf8)
        let phases = """
        {"accuracy": [{"phase": "memorizing", "start_step": 0, "end_step": 0},
          {"phase": "pre-grokking", "start_step": 10, "end_step": 100},
          {"phase": "grokking", "start_step": 1000, "end_step": 10000},
          {"phase": "grokked", "start_step": 100000, "end_step": 100000}]}
        """
        try phases.write(to: dir.appendingPathComponent("phases.json"), atomically: true, encoding: .utf8)
        return dir
    }

    func testGroupsBandsAndThePhaseCentreTable() throws {
        let parent = try folder("runs")
        let dirs = [try run(in: parent, wd: "0", seed: 0, offset: 0), try run(in: parent, wd: "0", seed: 1, offset: 0.01),
                    try run(in: parent, wd: "0", seed: 2, offset: 0.05), try run(in: parent, wd: "0.01", seed: 0, offset: 0)]
        let runs = try dirs.map { try SeedRun.load($0, name: $0.lastPathComponent) }
        let groups = SeedGroup.group(runs)
        XCTAssertEqual(groups.map(\.label), ["wd=0", "wd=0.01"], "seed, start time and command line do not split groups")
        XCTAssertEqual(groups[0].runs.map(\.seed), [0, 1, 2])

        let band = groups[0].band(groups[0].commonSteps) { SeedGroup.accuracy($0, $1, test: true) }
        XCTAssertEqual(band.x, Self.steps.map(Double.init))
        XCTAssertEqual(band.mean[3], 0.52, accuracy: 1e-12)   // 0.5, 0.51, 0.55
        XCTAssertEqual(band.lower[3], 0.5, accuracy: 1e-12)
        XCTAssertEqual(band.upper[3], 0.55, accuracy: 1e-12)

        let table = PhaseCentreTable(groups: groups)
        // Grokking spans 1000 and 10^4: the labelled step nearest their geometric middle
        // (10^3.5) is the first of the two.
        let grokking = table.points.filter { $0.group == "wd=0" && $0.phase == "grokking" }
        XCTAssertEqual(grokking.map(\.step), [1000, 1000, 1000])
        XCTAssertEqual(table.points.first { $0.phase == "end" }?.step, 100_000)
        // alpha FC1 at 1000: 6, 6.1, 6.5 -> mean 6.2, sample sd 0.2646.
        XCTAssertTrue(table.markdown.contains("| grokking | 3 of 3 | 1,000 | 0.520 ± 0.026 | 6.20 ± 0.26 | 2.50 ± 0.00 | 3.0 ± 0.0 / 0.0 ± 0.0 | 1.0 ± 0.0 / 0.0 ± 0.0 | 0.0400 ± 0.0000 |"),
                      table.markdown)
        XCTAssertTrue(table.markdown.contains("| anti-grokking | 0 of 3 |"), table.markdown)
        XCTAssertTrue(table.markdown.contains("| grokking | 1 of 1 | 1,000 | 0.500 | 6.00 | 2.50 |"), "one run: no sd")
        XCTAssertEqual(table.csv.split(separator: "\n").count, 1 + 4 * 4, "a row per run and phase reached")
    }

    func testTheFolderHoldsFiguresTablesAndRefusesForeignFolders() throws {
        let parent = try folder("runs2")
        let dirs = [try run(in: parent, wd: "0", seed: 0, offset: 0), try run(in: parent, wd: "0", seed: 1, offset: 0.02)]
        let out = try folder("out").appendingPathComponent("report")
        let r = try SeedReport.build(runs: dirs.map { ($0, $0.lastPathComponent) }, out: out, png: false)
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: out.path))
        XCTAssertEqual(names, ["figures", "phase-centres.md", "phase-centres.csv", "index.html", "seeds.json"])
        let figures = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("figures").path).sorted()
        XCTAssertEqual(figures, ["1-all_runs-three-phases.svg", "2-all_runs-alpha.svg"])
        let svg = try String(contentsOf: out.appendingPathComponent("figures/1-all_runs-three-phases.svg"), encoding: .utf8)
        XCTAssertTrue(svg.contains("<polygon class=\"area"), "a filled band over the two seeds")
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("phase-centres.md"), encoding: .utf8), r.table)
        // Again into the same folder: it is an earlier seeds report.
        XCTAssertNoThrow(try SeedReport.build(runs: dirs.map { ($0, $0.lastPathComponent) }, out: out, png: false))
        // A folder with something else in it is left alone.
        let foreign = try folder("foreign")
        try "mine".write(to: foreign.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try SeedReport.build(runs: dirs.map { ($0, $0.lastPathComponent) }, out: foreign, png: false)) { e in
            XCTAssertTrue("\(e)".contains("not writing into it"), "\(e)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: foreign.path), ["notes.txt"])
    }
}
