import XCTest
import Foundation
import GrokCore
import Tensors
import Report

/// Figures 4, 5 and 9 from real snapshot files: small random layers with the PyTorch names,
/// the last one with a few huge entries (correlation traps) and a rank-one "digit" pattern.
enum SyntheticSnapshots {
    static let steps = [100, 30_000, 300_000, 1_000_000, 10_000_000]

    static func write(into run: URL) throws {
        let dir = run.appendingPathComponent("snapshots")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (k, step) in steps.enumerated() {
            var rng = SeededRandom(seed: UInt64(step))
            func uniform(_ n: Int, _ scale: Double) -> [Double] { (0..<n).map { _ in (2 * rng.nextUnit() - 1) * scale } }
            var fc1 = uniform(200 * 784, 8.0 / 28)
            // a growing rank-one pattern: a ring in the 28 x 28 input plane
            let strength = Double(k) * 0.08
            let ring = (0..<784).map { i -> Double in
                let r = hypot(Double(i % 28) - 13.5, Double(i / 28) - 13.5)
                return exp(-pow(r - 8, 2) / 8) - 0.3
            }
            let u = uniform(200, 1)
            for o in 0..<200 { for i in 0..<784 { fc1[o * 784 + i] += strength * u[o] * ring[i] } }
            if k == steps.count - 1 { for j in 0..<6 { fc1[j * 9173 % fc1.count] = 40 + Double(j) * 5 } }
            let tensors = [
                Tensor(name: "fc1.weight", shape: [200, 784], doubles: fc1),
                Tensor(name: "fc1.bias", shape: [200], doubles: uniform(200, 0.3)),
                Tensor(name: "fc2.weight", shape: [200, 200], doubles: uniform(40_000, 8.0 / 14.1)),
                Tensor(name: "fc2.bias", shape: [200], doubles: uniform(200, 0.5)),
                Tensor(name: "fc3.weight", shape: [10, 200], doubles: uniform(2000, 8.0 / 14.1)),
                Tensor(name: "fc3.bias", shape: [10], doubles: uniform(10, 0.5)),
            ]
            let name = String(format: "step-%010d.safetensors", step)
            try SafeTensors.write(tensors, to: dir.appendingPathComponent(name))
        }
    }
}

final class SnapshotFiguresTests: XCTestCase {
    func testFiguresFourFiveAndNineFromSnapshots() throws {
        let dir = try SyntheticRun.make()
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        try SyntheticSnapshots.write(into: dir)
        var o = ReportOptions(); o.png = false
        let result = try RunReport.build(runDirectory: dir, options: o)
        let stems = result.files.map { $0.deletingPathExtension().lastPathComponent }
        for s in ["4-esd-fc1", "5-randomized-esd-fc1", "9-singular-vector"] { XCTAssertTrue(stems.contains(s), s) }
        let f9 = try XMLDoc.parse(dir.appendingPathComponent("figures/9-singular-vector.svg"))
        // one image per accuracy phase that has a snapshot: 100 (memorizing), 30,000
        // (pre-grokking), 300,000 (grokking), 1,000,000 (grokked), 10,000,000 (anti-grokking)
        XCTAssertEqual(f9.elements.filter { $0.attributes["class"] == "px" }.count, 5 * 784)
        XCTAssertEqual(f9.elements.filter { $0.attributes["class"] == "panel-title" }.map(\.text),
                       ["memorizing", "pre-grokking", "grokking", "grokked", "anti-grokking"])
        // the last snapshot has outlier entries: figure 5 shows traps there
        let f5 = try XMLDoc.parse(dir.appendingPathComponent("figures/5-randomized-esd-fc1.svg"))
        let titles = f5.elements.filter { $0.attributes["class"] == "panel-title" }.map(\.text)
        XCTAssertTrue(titles.last?.contains("step 10,000,000") ?? false)
        XCTAssertFalse(titles.last?.hasSuffix(" 0 traps") ?? true, "\(titles)")
        let html = try XMLDoc.parse(dir.appendingPathComponent("report.html"))
        XCTAssertEqual(html.named("figure").count, 7)
    }
}
