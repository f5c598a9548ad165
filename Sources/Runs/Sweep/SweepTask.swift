import Foundation
import GrokCore

/// `grok-sweep run-task DIR INDEX`: one cell, as a Slurm array task runs it. Resumes the run if
/// it has a checkpoint; SIGTERM (the time limit's --signal, a requeue, scancel) is forwarded so
/// grok-train checkpoints. Exits with grok-train's code, so Slurm shows a failed cell as FAILED.
public enum SweepTask {
    public static func run(_ sweep: SweepDirectory, index: Int, log: (String) -> Void) throws -> Int32 {
        let manifest = try sweep.readManifest()
        guard index >= 0, index < manifest.runs.count else {
            throw GrokError.usage("run index \(index) is out of range: the sweep has runs 0..\(manifest.runs.count - 1)")
        }
        let cell = manifest.runs[index]
        let plan = CellProcess.plan(cell, in: sweep)
        if case .skip(let s) = plan {
            if s == .done { CellProcess.recordCompletion(cell, in: sweep) }
            log("\(cell.name): already \(s.rawValue); nothing to do")
            return 0
        }
        for dir in [sweep.stateURL, sweep.logsURL] {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        SweepStop.install()
        let train = try TrainTool.locate()
        let restart = ProcessInfo.processInfo.environment["SLURM_RESTART_COUNT"].map { " (restart \($0))" } ?? ""
        log("\(cell.name): \(plan == .resume ? "resuming" : "starting")\(restart) on \(CellState.hostName)")
        let p = try CellProcess(cell: cell, plan: plan, sweep: sweep, train: train)
        var forwarded = false
        while p.isRunning {
            if SweepStop.isRequested && !forwarded { p.stop(); forwarded = true; log("\(cell.name): signal received; asking grok-train to checkpoint") }
            usleep(100_000)
        }
        let s = try p.finish()
        log("\(cell.name): \(s.status.rawValue) (exit \(s.exitCode ?? -1))\(s.message.map { ": " + $0 } ?? "")")
        return s.status == .done ? 0 : (s.exitCode ?? 1) == 0 ? 1 : s.exitCode!
    }
}
