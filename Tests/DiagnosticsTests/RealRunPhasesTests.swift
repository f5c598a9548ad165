import XCTest
import RunFiles
import Foundation
import Datasets
import Diagnostics
import Phases
import Training
import Model

/// The phase labeler on a real (short) training run: real data, real network, the real
/// diagnostics observer with the HTSR analyzer. The labels must agree with what metrics.csv
/// says happened: memorizing until the first evaluation with train accuracy >= 0.99.
final class RealRunPhasesTests: XCTestCase {
    func testPhasesOfAShortRealRunMatchItsMetrics() throws {
        var config = TrainingConfig.paper
        config.widths = [784, 32, 32, 10]
        config.trainSize = 100
        config.batchSize = 20
        config.steps = 400
        config.lr = 2e-3
        config.snapshots = 16
        config.initScale = 2   // memorizes 100 images by step ~81 (scale 8 needs thousands of steps)
        config.threads = 1
        let data = try MNIST.load(.embedded, trainSize: 100, subset: .balanced, seed: 0)
        let run = try makeRunDirectory("realrun", config: config)
        let dir = run.url
        defer { try? FileManager.default.removeItem(at: dir) }
        var settings = DiagnosticsSettings()
        settings.htsr = .plain
        let diagnostics = RunDiagnostics(shape: try MLPShape(widths: config.widths), configuration: settings.configuration)
        StopSignal.reset()
        let result = try Trainer.run(config: config, data: data, directory: run, resume: false,
                                     observers: [diagnostics], progress: ProgressReporter(totalSteps: config.steps, quiet: true))
        XCTAssertEqual(result.outcome, .completed)
        XCTAssertTrue(result.summary.contains { $0.hasPrefix("phases (accuracy):") }, "\(result.summary)")

        // What metrics.csv says.
        let lines = try String(contentsOf: run.metricsURL, encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",").map(String.init)
        let stepCol = header.firstIndex(of: "step")!, trainCol = header.firstIndex(of: "train_acc")!
        let phaseCol = try XCTUnwrap(header.firstIndex(of: "phase"), "completed runs get a phase column")
        XCTAssertEqual(phaseCol, header.count - 1)
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let steps = rows.map { Int($0[stepCol])! }
        let fitted = rows.first { Double($0[trainCol])! >= 0.99 }.map { Int($0[stepCol])! }
        let fitStep = try XCTUnwrap(fitted, "this configuration memorizes its 100 images within 400 steps")

        // What phases.json says.
        let report = try PhasesReport.read(from: dir.appendingPathComponent("phases.json"))
        XCTAssertEqual(report.fitStep, fitStep)
        XCTAssertEqual(report.accuracy.first?.startStep, 0)
        XCTAssertEqual(report.accuracy.last?.endStep, config.steps)
        for (a, b) in zip(report.accuracy, report.accuracy.dropFirst()) {
            XCTAssertLessThan(a.endStep, b.startStep, "segments are ordered and disjoint")
            XCTAssertNotEqual(a.phase, b.phase, "neighbouring segments differ")
        }
        // Every row's phase column is the segment containing its step; memorizing exactly before the fit.
        for (row, step) in zip(rows, steps) {
            let segment = report.accuracy.first { $0.startStep <= step && step <= $0.endStep }
            XCTAssertEqual(row[phaseCol], segment?.phase.rawValue, "step \(step)")
            XCTAssertEqual(row[phaseCol] == "memorizing", step < fitStep, "step \(step), fit at \(fitStep)")
        }

        // HTSR ran on every snapshot: three layers per evaluation, fits ok for the hidden layers.
        let htsr = try String(contentsOf: dir.appendingPathComponent("htsr.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(htsr.count - 1, 3 * steps.count)
        let statusCol = htsr[0].split(separator: ",").firstIndex(of: "status")!
        for line in htsr.dropFirst() where line.contains(",fc1,") || line.contains(",fc2,") {
            XCTAssertEqual(line.split(separator: ",", omittingEmptySubsequences: false)[statusCol], "ok")
        }
        XCTAssertEqual(report.finalLayers.map(\.layer), ["fc1", "fc2", "fc3"])
        XCTAssertNotNil(report.finalLayers.first?.alpha)
        XCTAssertNotNil(report.confusion)
        XCTAssertEqual(report.confusion?.evaluations, steps.count)
        XCTAssertTrue(result.summary.contains { $0.contains("balanced recall") }, "\(result.summary)")

        // Relabel from the snapshots: the live run's analysis again (its mode, its per-step
        // shuffles), the originals kept beside the new files.
        let htsrURL = dir.appendingPathComponent("htsr.csv"), phasesURL = dir.appendingPathComponent("phases.json")
        let originalText = try String(contentsOf: htsrURL, encoding: .utf8)
        let before = try HTSRFile.read(htsrURL)
        var o = RunRelabel.Options()
        o.htsrMode = .plain   // this test's config.json has no diagnostics settings (default: paper)
        let relabel = try RunRelabel.relabel(directory: dir, options: o)
        XCTAssertEqual(relabel.analysedSnapshots, steps.count)
        let after = try HTSRFile.read(htsrURL)
        XCTAssertEqual(after.map(\.step), before.map(\.step))
        XCTAssertEqual(after.map(\.numTraps), before.map(\.numTraps))
        XCTAssertEqual(after.map(\.numTrapsCentered), before.map(\.numTrapsCentered))
        for (a, b) in zip(after, before) {
            XCTAssertEqual(a.alpha == nil, b.alpha == nil)
            if let x = a.alpha, let y = b.alpha { XCTAssertEqual(x, y, accuracy: 1e-9 * y) }
        }
        XCTAssertEqual(try PhasesReport.read(from: phasesURL).htsr, report.htsr)
        let backup = dir.appendingPathComponent("htsr.before-relabel.csv")
        XCTAssertEqual(try String(contentsOf: backup, encoding: .utf8), originalText)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("phases.before-relabel.json").path))

        // Phases only, with WeightWatcher's count: htsr.csv untouched, the first backup kept.
        let relabelled = try String(contentsOf: htsrURL, encoding: .utf8)
        o.reanalyze = false
        o.trapCount = .weightwatcher
        let second = try RunRelabel.relabel(directory: dir, options: o)
        XCTAssertEqual(second.analysedSnapshots, 0)
        XCTAssertEqual(second.report.htsrThresholds?.trapCount, .weightwatcher)
        XCTAssertEqual(try String(contentsOf: htsrURL, encoding: .utf8), relabelled)
        XCTAssertEqual(try String(contentsOf: backup, encoding: .utf8), originalText)

        // With every other snapshot pruned, a reanalysis keeps the pruned steps' rows as they
        // were (marked here by an edited cell) and redoes the rest: no evaluation is lost.
        let snapshots = dir.appendingPathComponent("snapshots")
        let pruned = Set(steps.enumerated().filter { $0.offset % 2 == 1 }.map(\.element))
        for s in pruned { try FileManager.default.removeItem(at: snapshots.appendingPathComponent(SnapshotName.fileName(step: s))) }
        let marked = try HTSRFile.read(htsrURL).map { row -> HTSRRow in
            var r = row
            if pruned.contains(r.step) { r.detXNum = -7 }
            return r
        }
        try HTSRFile.write(marked, to: htsrURL)
        o.reanalyze = true
        let third = try RunRelabel.relabel(directory: dir, options: o)
        XCTAssertEqual(third.analysedSnapshots, steps.count - pruned.count)
        let merged = try HTSRFile.read(htsrURL)
        XCTAssertEqual(merged.map(\.step), before.map(\.step), "every evaluation, in order")
        XCTAssertEqual(merged.map(\.layer), before.map(\.layer))
        for r in merged {
            if pruned.contains(r.step) { XCTAssertEqual(r.detXNum, -7, "kept as it was: step \(r.step)") }
            else { XCTAssertNotEqual(r.detXNum, -7, "analysed again: step \(r.step)") }
        }
    }
}

/// Stops a run (as SIGINT would) when it observes a given step.
final class StopAtStep: TrainingObserver {
    let step: Int
    init(step: Int) { self.step = step }
    var extraMetricColumns: [String] { [] }
    func runStarted(_ context: RunContext) throws {}
    func observe(_ snapshot: WeightSnapshot, metrics: EvaluationMetrics) throws -> [Double] {
        if snapshot.step == step { StopSignal.request() }
        return []
    }
    func runEnded(_ outcome: RunOutcome) throws -> [String] { [] }
}

final class KilledRunHTSRTests: XCTestCase {
    func run(_ config: TrainingConfig, in dir: URL, resume: Bool, stopAt: Int? = nil) throws {
        let data = try MNIST.load(.embedded, trainSize: 100, subset: .balanced, seed: 0)
        let run = RunDirectory(dir)
        if !resume { try run.create(force: false); try config.write(to: run, extra: [:]) }
        var settings = DiagnosticsSettings()
        settings.htsr = .plain
        var observers: [TrainingObserver] = [RunDiagnostics(shape: try MLPShape(widths: config.widths), configuration: settings.configuration)]
        if let s = stopAt { observers.append(StopAtStep(step: s)) }
        StopSignal.reset()
        defer { StopSignal.reset() }
        _ = try Trainer.run(config: config, data: data, directory: run, resume: resume, observers: observers,
                            progress: ProgressReporter(totalSteps: config.steps, quiet: true))
    }

    /// A SIGKILL can land while snapshots still wait for the background HTSR analysis: their
    /// htsr.csv rows were never written. The resumed run analyses them from the snapshot files,
    /// so its htsr.csv equals an uninterrupted run's, byte for byte.
    func testResumeCompletesHTSRRowsAKillLost() throws {
        var config = TrainingConfig.paper
        config.widths = [784, 24, 16, 10]
        config.trainSize = 100; config.batchSize = 20; config.steps = 60; config.snapshots = 10
        config.threads = 1; config.initScale = 2; config.lr = 2e-3
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("groklab-killhtsr-\(getpid())")
        try? FileManager.default.removeItem(at: base)
        defer { try? FileManager.default.removeItem(at: base) }
        let full = base.appendingPathComponent("full"), part = base.appendingPathComponent("part")
        try run(config, in: full, resume: false)

        let evals = EvaluationSchedule.log.steps(total: config.steps, snapshots: config.snapshots)
        let stop = evals[evals.count - 3]
        try run(config, in: part, resume: false, stopAt: stop)
        // What a kill during the analysis leaves: the last two analysed snapshots have no rows.
        let htsr = part.appendingPathComponent("htsr.csv")
        let lines = try String(contentsOf: htsr, encoding: .utf8).split(separator: "\n")
        let lost = Set(evals.filter { $0 <= stop }.suffix(2).map(String.init))
        let kept = lines.enumerated().filter { i, l in i == 0 || !lost.contains(String(l.prefix { $0 != "," })) }.map { $0.1 }
        XCTAssertEqual(kept.count, lines.count - 6)   // 2 snapshots x 3 layers
        try (kept.joined(separator: "\n") + "\n").write(to: htsr, atomically: true, encoding: .utf8)

        try run(config, in: part, resume: true)
        XCTAssertEqual(try String(contentsOf: full.appendingPathComponent("htsr.csv"), encoding: .utf8),
                       try String(contentsOf: htsr, encoding: .utf8))
        XCTAssertEqual(try Data(contentsOf: full.appendingPathComponent("metrics.csv")),
                       try Data(contentsOf: part.appendingPathComponent("metrics.csv")))
    }

    /// A relabel reads metrics.csv (and, with --phases-only, htsr.csv): a file cut short (rows
    /// lost, a partial last line) is refused with what is missing, and nothing is rewritten;
    /// labels from it would silently leave those evaluations out.
    func testRelabelRefusesTruncatedFiles() throws {
        var config = TrainingConfig.paper
        config.widths = [784, 24, 16, 10]
        config.trainSize = 100; config.batchSize = 20; config.steps = 60; config.snapshots = 10
        config.threads = 1; config.initScale = 2; config.lr = 2e-3
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("groklab-relabel-cut-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        try run(config, in: dir, resume: false)
        var options = RunRelabel.Options()
        options.htsrMode = .plain
        let fm = FileManager.default
        let metrics = dir.appendingPathComponent("metrics.csv"), htsr = dir.appendingPathComponent("htsr.csv")
        let phases = try Data(contentsOf: dir.appendingPathComponent("phases.json"))

        // metrics.csv cut in the middle of a row: the last evaluations are gone.
        let metricsText = try String(contentsOf: metrics, encoding: .utf8)
        var cut = String(metricsText.prefix(metricsText.count * 2 / 3))
        if cut.hasSuffix("\n") { cut += "12" }
        try cut.write(to: metrics, atomically: true, encoding: .utf8)
        var notes: [String] = []
        XCTAssertThrowsError(try RunRelabel.relabel(directory: dir, options: options) { notes.append($0) }) {
            XCTAssertTrue("\($0)".contains("metrics.csv lacks") && "\($0)".contains("evaluations up to step 60"), "\($0)")
        }
        XCTAssertTrue(notes.contains { $0.contains("partially written last line") }, "\(notes)")
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("phases.json")), phases, "nothing rewritten")
        XCTAssertFalse(fm.fileExists(atPath: dir.appendingPathComponent("htsr.before-relabel.csv").path))
        try metricsText.write(to: metrics, atomically: true, encoding: .utf8)

        // htsr.csv cut: --phases-only would label from the rows that are left.
        let htsrText = try String(contentsOf: htsr, encoding: .utf8)
        try String(htsrText.prefix(htsrText.count / 2)).write(to: htsr, atomically: true, encoding: .utf8)
        options.reanalyze = false
        XCTAssertThrowsError(try RunRelabel.relabel(directory: dir, options: options)) {
            XCTAssertTrue("\($0)".contains("no HTSR rows") && "\($0)".contains("without --phases-only"), "\($0)")
        }
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("phases.json")), phases, "nothing rewritten")
        // Analysed again from the snapshots, the run relabels.
        options.reanalyze = true
        XCTAssertEqual(try RunRelabel.relabel(directory: dir, options: options).analysedSnapshots, 11)
    }
}
