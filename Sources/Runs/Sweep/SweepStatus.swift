import Foundation
import GrokCore
import Report
import RunFiles

/// One run's state as `grok-sweep status` shows it.
public enum RunStatus: String, Sendable, CaseIterable {
    case pending, running, stopped, done, failed, diverged
}

/// A run's line in the status table, from its files (and Slurm's view, for a Slurm sweep).
public struct RunStatusLine: Sendable {
    public var cell: SweepCell
    public var status: RunStatus
    public var step: Int?
    public var totalSteps: Int?
    public var testAccuracy: Double?
    public var exitCode: String?
    /// Why it failed, or Slurm's state and reason.
    public var detail: String?
    /// Seconds of training so far (timing.csv), for the ETA.
    public var wallSeconds: Double?
}

/// What `grok-sweep status` shows: one line per run, and for a Slurm sweep why Slurm's view
/// is missing when it did not answer.
public struct SweepStatusReport: Sendable {
    public var manifest: SweepManifest
    public var lines: [RunStatusLine]
    public var slurmProblem: String?
}

public enum SweepStatus {
    public static func lines(_ sweep: SweepDirectory) throws -> (manifest: SweepManifest, lines: [RunStatusLine]) {
        let r = try read(sweep)
        return (r.manifest, r.lines)
    }

    public static func read(_ sweep: SweepDirectory) throws -> SweepStatusReport {
        let manifest = try sweep.readManifest()
        let slurm = manifest.engine == .slurm ? SlurmCluster.taskStates(sweep) : SlurmView()
        let lines = manifest.runs.map { line($0, sweep: sweep, slurm: slurm.states[$0.index]) }
        return SweepStatusReport(manifest: manifest, lines: lines, slurmProblem: slurm.problem)
    }

    static func line(_ cell: SweepCell, sweep: SweepDirectory, slurm: SlurmTaskState?) -> RunStatusLine {
        let p = RunProgress.read(cell, in: sweep)
        var l = RunStatusLine(cell: cell, status: .pending, step: p.step, totalSteps: p.totalSteps,
                              testAccuracy: p.testAccuracy)
        let run = RunDirectory(sweep.runURL(cell))
        l.wallSeconds = TimingFile.lastWallSeconds(run.timingURL)
        // From the run's own files: whether it completed, and whether a trainer holds it now.
        let completed = run.isRunDirectory && run.hasCompleted
        let locked = DirectoryLock.probe(directory: run.url) == .held
        let fromFiles: RunStatus = completed ? .done : locked ? .running : p.step == nil ? .pending : .stopped
        switch CellState.load(sweep.stateURL(cell)) {
        case .state(let state):
            switch state.status {
            case .done: l.status = .done
            case .diverged: l.status = .diverged; l.detail = state.message
            case .failed: l.status = .failed; l.detail = state.message; l.exitCode = state.exitCode.map(String.init)
            case .interrupted: l.status = .stopped
            case .running:
                let alive = state.host == CellState.hostName ? state.pid.map(Orphans.isAlive) ?? false : true
                l.status = alive || locked ? .running : .stopped
            }
        case .unreadable(let why):
            l.status = fromFiles
            l.detail = "\(sweep.stateURL(cell).lastPathComponent) in state/ is unreadable (\(why)): status from the run's files"
        case .missing:
            l.status = fromFiles
        }
        // The files outrank a state that was never updated: a run that completed after its
        // grok-sweep was killed is done.
        if completed, l.status != .done, l.status != .diverged {
            l.status = .done
            l.exitCode = nil
            l.detail = [l.detail, "completed (found in its run directory)"].compactMap { $0 }.joined(separator: "; ")
        }
        // Slurm knows what the files cannot say: queued, and tasks that died without a word.
        if let s = slurm, l.status != .done, l.status != .diverged {
            switch s.state {
            case "PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "SUSPENDED":
                l.status = p.step == nil ? .pending : .stopped
                l.detail = "Slurm \(s.state)" + (s.reason.map { $0 == "None" ? "" : " (\($0))" } ?? "")
            case "RUNNING", "CONFIGURING", "COMPLETING":
                l.status = .running
            case "COMPLETED": break
            default:
                l.status = .failed
                l.exitCode = s.exitCode
                l.detail = "Slurm \(s.state)" + (l.detail.map { ": " + $0 } ?? "")
            }
        }
        return l
    }

    /// Seconds until every run has finished, from the running runs' speed so far; nil when
    /// nothing runs or nothing can be estimated. `parallel`: runs at once.
    public static func eta(_ lines: [RunStatusLine], parallel: Int) -> Double? {
        let running = lines.filter { $0.status == .running }
        var rates: [Double] = []
        var remaining = 0.0
        for l in running {
            guard let s = l.step, s > 0, let w = l.wallSeconds, w > 0, let t = l.totalSteps else { continue }
            rates.append(Double(s) / w)
            remaining += Double(t - s) / (Double(s) / w)
        }
        guard !rates.isEmpty else { return nil }
        let meanRate = rates.reduce(0, +) / Double(rates.count)
        let waiting = lines.filter { $0.status == .pending || $0.status == .stopped }
        for l in waiting { remaining += Double((l.totalSteps ?? 0) - (l.step ?? 0)) / meanRate }
        return remaining / Double(max(1, min(parallel, running.count + waiting.count)))
    }

    /// The table `grok-sweep status` prints, and a last line when Slurm did not answer.
    public static func render(_ report: SweepStatusReport) -> String {
        var text = render(report.manifest, report.lines)
        if let problem = report.slurmProblem {
            text += "\n\(problem): the statuses above come from the run files alone (queued tasks show as pending)"
        }
        return text
    }

    public static func render(_ manifest: SweepManifest, _ lines: [RunStatusLine]) -> String {
        let width = max(4, lines.map(\.cell.name.count).max() ?? 4)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        var out = [pad("run", width) + "  status    step              test_acc  note"]
        for l in lines {
            let step = l.step.map { "\($0)" + (l.totalSteps.map { "/\($0)" } ?? "") } ?? "-"
            let acc = l.testAccuracy.map { String(format: "%.4f", $0) } ?? "-"
            var note = l.exitCode.map { "exit \($0)" } ?? ""
            if let d = l.detail { note += (note.isEmpty ? "" : "; ") + d }
            out.append(pad(l.cell.name, width) + "  " + pad(l.status.rawValue, 8) + "  " + pad(step, 16) + "  " + pad(acc, 8) + "  " + note)
        }
        var counts: [String] = []
        for s in RunStatus.allCases {
            let n = lines.filter { $0.status == s }.count
            if n > 0 { counts.append("\(n) \(s.rawValue)") }
        }
        var last = "\(lines.count) runs: " + counts.joined(separator: ", ")
        let parallel = manifest.engine == .local ? ProcessInfo.processInfo.activeProcessorCount : max(1, lines.filter { $0.status == .running }.count)
        if let e = eta(lines, parallel: parallel) { last += "; ETA \(ProgressLine.duration(e))" }
        out.append(last)
        return out.joined(separator: "\n")
    }
}
