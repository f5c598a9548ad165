import Foundation
import GrokCore

/// A submitted array: the job id sbatch gave and the cells it covers.
public struct SlurmJob: Codable, Sendable, Equatable {
    public var jobID: String
    public var part: SlurmPart
    public var submitted: String
    enum CodingKeys: String, CodingKey { case jobID = "job_id", part, submitted }
}

/// One array task as `scontrol show job -o` reports it.
public struct SlurmTaskState: Sendable, Equatable {
    public var state: String
    public var exitCode: String?
    public var reason: String?
    public init(state: String, exitCode: String?, reason: String?) { self.state = state; self.exitCode = exitCode; self.reason = reason }
}

/// Talks to Slurm through its ordinary commands (sbatch, scontrol).
public enum SlurmCluster {
    /// Runs a Slurm command found on PATH; nil when it is not installed.
    static func command(_ name: String, _ args: [String]) -> (status: Int32, out: String, err: String)? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
        guard let path else { return nil }
        let p = Process()
        p.executableURL = path
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// `grok-sweep submit DIR`: sbatch --parsable for every part; the job ids go to slurm-jobs.json.
    public static func submit(_ sweep: SweepDirectory) throws -> [SlurmJob] {
        _ = try sweep.readManifest()
        let fm = FileManager.default
        var scripts = ((try? fm.contentsOfDirectory(atPath: sweep.url.path)) ?? [])
            .filter { $0.hasPrefix("sweep") && $0.hasSuffix(".sbatch") }
        scripts.sort { partNumber($0) < partNumber($1) }
        guard !scripts.isEmpty else {
            throw GrokError("\(sweep.url.path) has no sweep.sbatch; write it first with grok-sweep ... --emit slurm --out \(sweep.url.path)")
        }
        guard command("sbatch", ["--version"]) != nil else {
            throw GrokError("sbatch not found: Slurm is not installed here (run grok-sweep submit on the cluster's login node)")
        }
        var jobs: [SlurmJob] = (try? JSONDecoder().decode([SlurmJob].self, from: Data(contentsOf: sweep.jobsURL))) ?? []
        for name in scripts {
            let url = sweep.url.appendingPathComponent(name)
            let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            guard let part = partOf(script: name, text: text) else {
                throw GrokError("\(url.path) is not a grok-sweep script (no run-task line)")
            }
            guard let r = command("sbatch", ["--parsable", url.path]) else { throw GrokError("cannot run sbatch") }
            guard r.status == 0 else {
                throw GrokError("sbatch \(name) failed: \(r.err.split(separator: "\n").last.map(String.init) ?? "exit \(r.status)")")
            }
            let id = r.out.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
            jobs.append(SlurmJob(jobID: id, part: part, submitted: CellState.now()))
            try AtomicFile.write(try SweepDirectory.json(jobs), to: sweep.jobsURL)
        }
        return jobs
    }

    static func partNumber(_ script: String) -> Int {
        Int(script.dropFirst("sweep-".count).prefix { $0.isNumber }) ?? 1
    }

    /// Reads the offset and array size back from a script (so submit needs no other record).
    public static func partOf(script: String, text: String) -> SlurmPart? {
        var offset: Int?, count: Int?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("#SBATCH --array=0-") {
                count = Int(line.dropFirst("#SBATCH --array=0-".count).prefix { $0.isNumber }).map { $0 + 1 }
            }
            if line.hasPrefix("exec "), let r = line.range(of: "$((SLURM_ARRAY_TASK_ID + ") {
                offset = Int(line[r.upperBound...].prefix { $0.isNumber })
            }
        }
        guard let offset, let count else { return nil }
        return SlurmPart(script: script, offset: offset, count: count)
    }

    /// Task states by cell index, from `scontrol show job -o` for every submitted array.
    /// Finished jobs vanish from scontrol after MinJobAge (300 s): their cells then come from
    /// the run directories alone.
    public static func taskStates(_ sweep: SweepDirectory) -> [Int: SlurmTaskState] {
        guard let data = FileManager.default.contents(atPath: sweep.jobsURL.path),
              let jobs = try? JSONDecoder().decode([SlurmJob].self, from: data) else { return [:] }
        var out: [Int: SlurmTaskState] = [:]
        for job in jobs {
            guard let r = command("scontrol", ["show", "job", "-o", job.jobID]), r.status == 0 else { continue }
            for (tasks, state) in parse(scontrol: r.out) {
                for t in tasks where t < job.part.count { out[job.part.offset + t] = state }
            }
        }
        return out
    }

    /// Parses `scontrol show job -o` lines: ArrayTaskId= (an index, or a range/list with an
    /// optional %K for pending tasks), JobState=, ExitCode=, Reason=.
    public static func parse(scontrol text: String) -> [([Int], SlurmTaskState)] {
        var out: [([Int], SlurmTaskState)] = []
        for line in text.split(separator: "\n") {
            var fields: [String: String] = [:]
            for token in line.split(separator: " ") {
                guard let eq = token.firstIndex(of: "=") else { continue }
                fields[String(token[..<eq])] = String(token[token.index(after: eq)...])
            }
            guard let ids = fields["ArrayTaskId"], let state = fields["JobState"] else { continue }
            var tasks: [Int] = []
            for piece in ids.split(separator: "%")[0].split(separator: ",") {
                let ends = piece.split(separator: "-").compactMap { Int($0) }
                if ends.count == 2, ends[0] <= ends[1] { tasks += Array(ends[0]...ends[1]) } else if ends.count == 1 { tasks.append(ends[0]) }
            }
            out.append((tasks, SlurmTaskState(state: state, exitCode: fields["ExitCode"], reason: fields["Reason"])))
        }
        return out
    }
}

/// `grok-sweep run-task DIR INDEX`: one cell, as a Slurm array task runs it. Resumes the run if
/// it has a checkpoint; SIGTERM (the time limit's --signal, a requeue, scancel) is forwarded so
/// grok-train checkpoints. Exits with grok-train's code, so Slurm shows a failed cell as FAILED.
public enum SweepTask {
    public static func run(_ sweep: SweepDirectory, index: Int, log: (String) -> Void) throws -> Int32 {
        let manifest = try sweep.readManifest()
        guard index >= 0, index < manifest.runs.count else {
            throw GrokError("run index \(index) is out of range: the sweep has runs 0..\(manifest.runs.count - 1)")
        }
        let cell = manifest.runs[index]
        let plan = CellProcess.plan(cell, in: sweep)
        if case .skip(let s) = plan {
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
