import XCTest
import TestSupport
import Foundation
import Runs

/// grok-sweep delay-law's reading of clamped runs and its fit, against hand-computed values.
final class DelayLawTests: XCTestCase {
    func makeRun(_ root: URL, _ name: String, rho: Double?, seed: Int, tGrok: Int?, last: Int = 1000) throws {
        let dir = root.appendingPathComponent("runs").appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let clamp = rho.map { ", \"norm_control\": {\"clamp\": {\"rho\": \($0), \"from_step\": 5, \"reference_norm\": 40}}" } ?? ""
        try "{\"seed\": \(seed)\(clamp)}".write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        // Test accuracy 0.5 until T_grok, then 0.95; weight norm rho * 40.
        var rows = ["step,train_loss,train_acc,test_loss,test_acc,l2_norm,l2_weights"]
        var steps = [0, 1, 1000, last]
        if let t = tGrok { steps += [t - 1, t] }
        for s in Set(steps).sorted() {
            let acc = tGrok.map { s >= $0 ? 0.95 : 0.5 } ?? 0.5
            rows.append("\(s),0.1,1,0.2,\(acc),50,\((rho ?? 1) * 40)")
        }
        try rows.joined(separator: "\n").write(to: dir.appendingPathComponent("metrics.csv"), atomically: true, encoding: .utf8)
    }

    func testFitMatchesHandComputedLeastSquares() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("delaylaw-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: root) }
        // ln T = ln 10 * (0, 1, 1, 2) at rho 0, 1, 2, 3: a = 0.6 ln 10, b = 0.1 ln 10,
        // residuals (-0.1, 0.3, -0.3, 0.1) ln 10, so SSR = 0.2 (ln 10)^2, Syy = 2 (ln 10)^2,
        // R^2 = 0.9, s.e.(a) = sqrt(SSR / (n - 2) / Sxx) = sqrt(0.02) ln 10.
        for (i, t) in [1, 10, 10, 100].enumerated() { try makeRun(root, "r\(i)", rho: Double(i), seed: 0, tGrok: t) }
        try makeRun(root, "censored", rho: 4, seed: 1, tGrok: nil, last: 5000)
        try makeRun(root, "free", rho: nil, seed: 0, tGrok: 7)     // not clamped: not a point
        let task = try DelayLaw.Task(parsing: "t;0.9;\(root.path)")
        let runs = try DelayLaw.runs(task)
        XCTAssertEqual(runs.map(\.rho), [0, 1, 2, 3, 4])
        XCTAssertEqual(runs.map(\.tGrok), [1, 10, 10, 100, nil])
        XCTAssertEqual(runs.last?.lastStep, 5000)
        XCTAssertTrue(runs.last!.censored)
        let fit = try XCTUnwrap(DelayLaw.fit(runs))
        let ln10 = log(10.0)
        XCTAssertEqual(fit.points, 4, "the censored run is not in the fit")
        XCTAssertEqual(fit.a, 0.6 * ln10, accuracy: 1e-12)
        XCTAssertEqual(fit.b, 0.1 * ln10, accuracy: 1e-12)
        XCTAssertEqual(fit.r2, 0.9, accuracy: 1e-12)
        XCTAssertEqual(fit.aError, 0.02.squareRoot() * ln10, accuracy: 1e-12)
        XCTAssertTrue(DelayLaw.summaryLine(task, runs, fit).contains("1 censored (rho 4.00 seed 1 at 5000)"))
        // Tables and figures are written.
        let out = root.appendingPathComponent("out")
        _ = try DelayLaw.write([task], to: out)
        let csv = try String(contentsOf: out.appendingPathComponent("delay-law.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 6)
        XCTAssertTrue(csv.contains("t,1,4,40,160,,1,5000,"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("figures/8-delay-law.svg").path))
        // An earlier fit's files are not replaced unless asked (through the real command too).
        try "kept".write(to: out.appendingPathComponent("delay-law-fit.csv"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try DelayLaw.write([task], to: out)) { XCTAssertTrue("\($0)".contains("--force"), "\($0)") }
        let refused = try Tool.run("grok-sweep", ["delay-law", "--task", "t;0.9;\(root.path)", "--out", out.path])
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("exists (an earlier delay-law fit)"), refused.stderr)
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("delay-law-fit.csv"), encoding: .utf8), "kept")
        let forced = try Tool.run("grok-sweep", ["delay-law", "--task", "t;0.9;\(root.path)", "--out", out.path, "--force"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertTrue(try String(contentsOf: out.appendingPathComponent("delay-law-fit.csv"), encoding: .utf8).hasPrefix("task,threshold"))
    }

    func testBadTaskIsAOneLineError() {
        for text in ["t;0.9", "t;2;dir", ";0.9;dir", "t;x;dir"] {
            XCTAssertThrowsError(try DelayLaw.Task(parsing: text)) { XCTAssertTrue("\($0)".contains("--task"), "\($0)") }
        }
        XCTAssertThrowsError(try DelayLaw.runs(try DelayLaw.Task(parsing: "t;0.9;/nonexistent/dir"))) { XCTAssertTrue("\($0)".contains("does not exist")) }
    }
}
