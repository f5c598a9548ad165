import XCTest
import TestSupport
import Foundation
import Tensors
#if canImport(FoundationXML)
import FoundationXML
#endif

final class AnalyzeToolTests: XCTestCase {
    func testDirectoryOfCheckpointsGivesOneRowPerMatrix() throws {
        let dir = try temporaryDirectory(self, "mlps")
        try writeMLP(dir.appendingPathComponent("b.safetensors"), seed: 2)
        try writeMLP(dir.appendingPathComponent("a.safetensors"), widths: [784, 200, 10], seed: 1)
        let r = try Tool.analyze([dir.path])   // stdout is a file, not a terminal: csv
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.errorLines, [])
        let rows = parseCSV(r.stdout)
        XCTAssertEqual(rows.map { "\(URL(fileURLWithPath: $0["file"]!).lastPathComponent) \($0["name"]!)" },
                       ["a.safetensors fc1.weight", "a.safetensors fc2.weight",
                        "b.safetensors fc1.weight", "b.safetensors fc2.weight", "b.safetensors fc3.weight"])
        XCTAssertEqual(rows.map { $0["layer_id"]! }, ["0", "2", "0", "2", "4"], "position among the file's tensors")
        XCTAssertEqual(rows.first?["N"], "784")
        XCTAssertEqual(rows.first?["M"], "200")
        for row in rows {
            let alpha = try XCTUnwrap(Double(row["alpha"] ?? ""), "alpha of \(row["name"]!) is not a number")
            XCTAssertGreaterThan(alpha, 1)
            XCTAssertEqual(row["status"], "ok")
            XCTAssertEqual(row["step"], "", "no step outside a run")
            XCTAssertEqual(row["num_traps"], "", "randomization is off")
        }
        XCTAssertTrue(r.stderr.contains("fc1.bias: 1-D, skipped"), r.stderr)
    }

    /// Each bad file: exactly one `error:` line naming it; the good files still analysed.
    func testBadFilesGetOneErrorLineEachAndTheRestIsAnalysed() throws {
        let dir = try temporaryDirectory(self, "mixed")
        try writeMLP(dir.appendingPathComponent("good.safetensors"), widths: [784, 30, 10], seed: 3)
        let full = try SafeTensors.encode([Tensor(name: "w", shape: [40, 30], doubles: gaussian(rows: 40, cols: 30, seed: 4))])
        try full.prefix(full.count - 100).write(to: dir.appendingPathComponent("truncated.safetensors"))
        var npy = try NPY.encode(Tensor(name: "x", shape: [8, 8], doubles: gaussian(rows: 8, cols: 8, seed: 5)))
        let offset = try XCTUnwrap(npy.range(of: Data("(8, 8)".utf8))).lowerBound
        npy.replaceSubrange(offset..<(offset + 6), with: Data("(9, 8)".utf8))   // the header lies: 72 values, 64 stored
        try npy.write(to: dir.appendingPathComponent("lying.npy"))
        var notJSON = Data(); let junk = Array("this is not json".utf8)
        withUnsafeBytes(of: UInt64(junk.count).littleEndian) { notJSON.append(contentsOf: $0) }
        notJSON.append(contentsOf: junk)
        try notJSON.write(to: dir.appendingPathComponent("notjson.safetensors"))
        var w = gaussian(rows: 20, cols: 30, seed: 6); w[5 * 30 + 7] = .nan
        try SafeTensors.write([Tensor(name: "bad.weight", shape: [20, 30], doubles: w),
                               Tensor(name: "fine.weight", shape: [20, 30], doubles: gaussian(rows: 20, cols: 30, seed: 7))],
                              to: dir.appendingPathComponent("nan.safetensors"))
        let missing = dir.appendingPathComponent("missing.npy").path

        let r = try Tool.analyze([dir.path, missing])
        XCTAssertEqual(r.status, 1)
        let errors = r.errorLines
        XCTAssertEqual(errors.count, 5, r.stderr)
        for (file, words) in [("truncated.safetensors", ["truncated"]), ("lying.npy", ["shape"]), ("notjson.safetensors", ["JSON"]),
                              ("nan.safetensors", ["bad.weight[5, 7] is NaN"]), ("missing.npy", ["no such file"])] {
            let lines = errors.filter { $0.contains(file) }
            XCTAssertEqual(lines.count, 1, "\(file): \(errors)")
            for w in words { XCTAssertTrue(lines.first?.contains(w) ?? false, "\(w) not in \(lines)") }
        }
        XCTAssertEqual(r.stderr.split(separator: "\n").filter { !$0.hasPrefix("error: ") && !$0.hasPrefix("note: ") }, [],
                       "nothing but error and note lines")
        let rows = parseCSV(r.stdout)
        XCTAssertEqual(rows.map { "\(URL(fileURLWithPath: $0["file"]!).lastPathComponent) \($0["name"]!)" },
                       ["good.safetensors fc1.weight", "good.safetensors fc2.weight", "nan.safetensors fine.weight"])
    }

    func testJSONOutputParses() throws {
        let dir = try temporaryDirectory(self, "json")
        let url = dir.appendingPathComponent("m.safetensors")
        try writeMLP(url, widths: [784, 50, 10], seed: 8)
        let r = try Tool.analyze([url.path, "--format", "json", "--randomize"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(items.map { $0["name"] as? String }, ["fc1.weight", "fc2.weight"])
        for item in items {
            XCTAssertEqual(item["file"] as? String, url.path)
            XCTAssertNil(item["step"])
            XCTAssertNotNil(item["alpha"] as? Double)
            XCTAssertNotNil(item["num_traps"] as? Int, "--randomize fills the trap metrics")
            XCTAssertNotNil(item["num_traps_centered"] as? Int, "and the mean-aware ones")
            XCTAssertNotNil(item["mean_spike"] as? Bool)
            XCTAssertNotNil(item["mean_std_ratio"] as? Double)
            XCTAssertEqual(item["status"] as? String, "ok")
            XCTAssertNil(item["eigenvalues"], "spectra are not dumped")
        }
    }

    func testLayerSelection() throws {
        let dir = try temporaryDirectory(self, "layers")
        let url = dir.appendingPathComponent("m.safetensors")
        try writeMLP(url, widths: [784, 50, 20, 10], seed: 9)
        let some = try Tool.analyze([url.path, "--layers", "fc2.weight,fc1.weight"])
        XCTAssertEqual(some.status, 0, some.stderr)
        XCTAssertEqual(parseCSV(some.stdout).map { $0["name"]! }, ["fc1.weight", "fc2.weight"], "file order")
        XCTAssertFalse(some.stderr.contains("bias"), "unselected tensors are not mentioned")

        let unknown = try Tool.analyze([url.path, "--layers", "fc9.weight"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.errorLines.count, 1, unknown.stderr)
        let line = unknown.errorLines.first ?? ""
        for w in ["m.safetensors", "fc9.weight", "fc1.weight", "fc2.bias", "fc3.weight"] { XCTAssertTrue(line.contains(w), "\(w) not in \(line)") }
        XCTAssertEqual(parseCSV(unknown.stdout).count, 0)
    }

    func testRunDirectoryRowsInStepOrderWithStepColumn() throws {
        let run = try temporaryDirectory(self, "run")
        try #"{"steps": 200}"#.write(to: run.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let snaps = run.appendingPathComponent("snapshots")
        try FileManager.default.createDirectory(at: snaps, withIntermediateDirectories: true)
        for step in [200, 0, 10] {
            try writeMLP(snaps.appendingPathComponent(String(format: "step-%010d.safetensors", step)), widths: [784, 30, 10], seed: UInt64(step))
        }
        let csv = try Tool.analyze([run.path])
        XCTAssertEqual(csv.status, 0, csv.stderr)
        let rows = parseCSV(csv.stdout)
        XCTAssertEqual(rows.map { "\($0["step"]!) \($0["name"]!)" },
                       ["0 fc1.weight", "0 fc2.weight", "10 fc1.weight", "10 fc2.weight", "200 fc1.weight", "200 fc2.weight"])
        XCTAssertEqual(csv.stderr.components(separatedBy: "fc1.bias").count - 1, 1, "one note per run, not per snapshot: \(csv.stderr)")

        let table = try Tool.analyze([run.path, "--format", "table"])
        XCTAssertEqual(table.status, 0, table.stderr)
        let lines = table.stdout.split(separator: "\n").map(String.init)
        let header = try XCTUnwrap(lines.first).split(separator: " ").map(String.init)
        XCTAssertEqual(Array(header.prefix(4)), ["step", "layer_id", "name", "N"])
        XCTAssertEqual(lines.dropFirst().prefix(6).map { $0.split(separator: " ").first.map(String.init) ?? "" },
                       ["0", "0", "10", "10", "200", "200"])
        XCTAssertTrue(table.stdout.contains("summary"), table.stdout)

        // The same --layers mistake in every snapshot: one error line, the rest counted.
        let unknown = try Tool.analyze([run.path, "--layers", "fc9.weight"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.errorLines.count, 1, unknown.stderr)
        XCTAssertTrue(unknown.errorLines.first?.contains("step-0000000000.safetensors") ?? false, unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("2 more snapshots"), unknown.stderr)
    }

    func testTableHasWeightWatcherColumnsAndSummary() throws {
        let dir = try temporaryDirectory(self, "table")
        let url = dir.appendingPathComponent("m.safetensors")
        // fc2 [4, 30] has M = 4 < 8: excluded from the means with its reason.
        try writeMLP(url, widths: [784, 30, 4], seed: 10)
        let r = try Tool.analyze([url.path, "--format", "table", "--randomize"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let header = try XCTUnwrap(r.stdout.split(separator: "\n").first).split(separator: " ").map(String.init)
        XCTAssertEqual(header, ["layer_id", "name", "N", "M", "alpha", "alpha_weighted", "D", "xmin", "xmax", "sigma", "num_pl_spikes",
                                "log_norm", "log_spectral_norm", "stable_rank", "mp_softrank", "num_spikes", "sigma_mp",
                                "detX_num", "ERG_gap", "num_traps", "rand_num_spikes", "rand_sigma_mp", "ks_stat", "ks_pvalue", "ww_softrank",
                                "mean_spike", "num_traps_centered", "status"])
        let fc1 = try XCTUnwrap(r.stdout.split(separator: "\n").first { $0.contains("fc1.weight") }).split(separator: " ")
        XCTAssertEqual(fc1[4].count, 5, "alpha with 4 significant digits: \(fc1[4])")
        XCTAssertTrue(r.stdout.contains("fc2.weight: skipped: M = 4"), r.stdout)
        XCTAssertTrue(r.stdout.contains("fc1.bias: 1-D, skipped"), r.stdout)
        let summary = try XCTUnwrap(r.stdout.components(separatedBy: "summary").last)
        XCTAssertTrue(summary.contains("1/2"), "one of two layers in the means: \(summary)")
    }

    func testChartsAreWrittenAndParseAsXML() throws {
        let dir = try temporaryDirectory(self, "charts")
        let url = dir.appendingPathComponent("m.safetensors")
        try writeMLP(url, widths: [784, 40, 10], seed: 11)
        let charts = dir.appendingPathComponent("figs")
        let r = try Tool.analyze([url.path, "--randomize", "--charts", charts.path, "--layers", "fc1.weight,fc2.weight"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let files = try FileManager.default.contentsOfDirectory(atPath: charts.path).sorted()
        let svgs = files.filter { $0.hasSuffix(".svg") }
        XCTAssertEqual(svgs, ["m-fc1.weight-esd.svg", "m-fc1.weight-randomized.svg", "m-fc2.weight-esd.svg", "m-fc2.weight-randomized.svg"])
        for svg in svgs {
            let parser = XMLParser(contentsOf: charts.appendingPathComponent(svg))
            XCTAssertEqual(parser?.parse(), true, "\(svg): \(String(describing: parser?.parserError))")
        }
        XCTAssertEqual(files.filter { $0.contains(".tmp") }, [], "no temporary files left")
        let pngs = files.filter { $0.hasSuffix(".png") }
        if pngs.isEmpty {
            XCTAssertTrue(r.stderr.contains("rsvg-convert"), "a missing converter is said: \(r.stderr)")
        } else {
            XCTAssertEqual(pngs.count, 4)
            let magic = try Data(contentsOf: charts.appendingPathComponent(pngs[0])).prefix(4)
            XCTAssertEqual(Array(magic), [0x89, 0x50, 0x4E, 0x47])
        }
    }

    /// The CLI end to end on the HTSR fixtures: the same alpha as WeightWatcher 0.7.7.
    func testFixtureAlphasMatchWeightWatcher() throws {
        let names = ["a_gauss_784x200", "b2_student_t2.5_784x200"]
        let r = try Tool.analyze(names.map { (try? fixture($0 + ".npy").path) ?? "" } + ["--format", "csv"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = parseCSV(r.stdout)
        let reference = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: fixture("weightwatcher-0.7.7.json"))) as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["name"]! }, names)
        for row in rows {
            let name = row["name"]!
            let ref = try XCTUnwrap(reference.first { $0["file"] as? String == name + ".npy" })
            XCTAssertEqual(try XCTUnwrap(Double(row["alpha"]!)), try XCTUnwrap(ref["alpha"] as? Double), accuracy: 1e-6, name)
            XCTAssertEqual(try XCTUnwrap(Double(row["num_pl_spikes"]!)), try XCTUnwrap(ref["num_pl_spikes"] as? Double), name)
        }
    }

    func testBadFlagsAreOneLine() throws {
        for (args, word) in [(["x.npy", "--format", "xml"], "xml"), (["x.npy", "--fix-fingers", "clip"], "clip"),
                             (["x.npy", "--threads", "-1"], "threads"), ([String](), "file"), (["x.npy", "--bogus"], "bogus")] {
            let r = try Tool.analyze(args)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("error: ") && r.stderr.contains(word), "\(args): \(r.stderr)")
        }
    }

    /// `bench` is a subcommand, not a path (a root with positional paths would swallow it).
    func testBenchSubcommandRuns() throws {
        let r = try Tool.analyze(["bench", "--large", "0", "--small-repeats", "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("784x200"), r.stdout)
    }
}
