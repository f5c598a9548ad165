import Foundation
import GrokCore

/// Runs a sweep's cells as child `grok-train` processes on this machine, `jobs` at a time, each
/// with one BLAS thread. Everything it needs to continue is in the files, so a killed sweep
/// (SIGKILL included) continues where it was when the same command runs again.
public final class LocalEngine {
    public let sweep: SweepDirectory
    public let manifest: SweepManifest
    public let train: URL
    public let jobs: Int
    let progress: SweepProgress

    public init(sweep: SweepDirectory, manifest: SweepManifest, train: URL, jobs: Int, progress: SweepProgress) {
        self.sweep = sweep; self.manifest = manifest; self.train = train; self.jobs = jobs; self.progress = progress
    }

    /// What happened to each cell in this invocation.
    public struct Outcome: Sendable {
        public var states: [String: CellState] = [:]
        public var skipped: [String: CellState.Status] = [:]
        public var interrupted = false
        public var failedCount: Int { notDone.count }
        /// The runs that did not finish well: failed or diverged now, or diverged in an earlier
        /// invocation (skipped now), by name.
        public var notDone: [(name: String, status: CellState.Status)] {
            (states.filter { $0.value.status == .failed || $0.value.status == .diverged }.map { ($0.key, $0.value.status) }
                + skipped.filter { $0.value == .diverged }.map { ($0.key, $0.value) }).sorted { $0.0 < $1.0 }
        }
    }

    public func run() throws -> Outcome {
        var outcome = Outcome()
        var queue: [(SweepCell, CellPlan)] = []
        for cell in manifest.runs {
            if Orphans.stopLeftover(CellState.read(sweep.stateURL(cell)), runDirectory: sweep.runURL(cell)) {
                progress.event("\(cell.name): stopped a grok-train left running by an earlier grok-sweep; resuming it here")
            }
            let plan = CellProcess.plan(cell, in: sweep)
            if case .skip(let s) = plan {
                if s == .done { CellProcess.recordCompletion(cell, in: sweep) }
                outcome.skipped[cell.name] = s
                continue
            }
            queue.append((cell, plan))
        }
        if !outcome.skipped.isEmpty {
            progress.event("\(outcome.skipped.count) of \(manifest.runs.count) runs already finished: left untouched")
        }
        progress.begin(total: manifest.runs.count, finished: outcome.skipped.count)
        var running: [CellProcess] = []
        var stopping = false
        while (!queue.isEmpty && !stopping) || !running.isEmpty {
            if SweepStop.isRequested && !stopping {
                stopping = true
                progress.event("stopping: asking \(running.count) running run(s) to checkpoint and exit")
                for r in running { r.stop() }
            }
            while !stopping && running.count < jobs && !queue.isEmpty {
                let (cell, plan) = queue.removeFirst()
                do {
                    let p = try CellProcess(cell: cell, plan: plan, sweep: sweep, train: train)
                    running.append(p)
                    progress.event("\(plan == .resume ? "resumed" : "started") \(cell.name) (pid \(p.process.processIdentifier))")
                } catch {
                    var s = CellState(status: .failed, attempts: 1, message: "\(error)")
                    s.ended = CellState.now()
                    try? s.write(sweep.stateURL(cell))
                    outcome.states[cell.name] = s
                    progress.event("failed to start \(cell.name): \(error)")
                }
            }
            for r in running where !r.isRunning {
                let s = try r.finish()
                outcome.states[r.cell.name] = s
                let took = ProgressLine.duration(Date().timeIntervalSince(r.startedAt))
                switch s.status {
                case .done: progress.finished(r.cell, line: "done \(r.cell.name) in \(took)\(progress.accuracyText(r.cell))")
                case .interrupted: progress.finished(r.cell, line: "stopped \(r.cell.name) (checkpoint written; rerun the same command to resume)")
                case .diverged: progress.finished(r.cell, line: "DIVERGED \(r.cell.name): \(s.message ?? "")")
                case .failed, .running: progress.finished(r.cell, line: "FAILED \(r.cell.name) (exit \(s.exitCode ?? -1)): \(s.message ?? "see \(sweep.logURL(r.cell).path)")")
                }
            }
            running.removeAll { !$0.isRunning }
            progress.update(running: running.map(\.cell), queued: queue.count)
            if !running.isEmpty { usleep(200_000) }
        }
        progress.end()
        outcome.interrupted = stopping
        return outcome
    }
}
