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
    /// Job states after which the task is out of the queue for good.
    public static let finalStates: Set<String> = [
        "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE", "OUT_OF_MEMORY",
    ]
    public var state: String
    public var exitCode: String?
    public var reason: String?
    public init(state: String, exitCode: String?, reason: String?) { self.state = state; self.exitCode = exitCode; self.reason = reason }
}

/// What Slurm said about a sweep's arrays: each cell's task state, and why there is nothing to
/// say when Slurm did not answer in time (the status then comes from the run files alone).
public struct SlurmView: Sendable {
    public var states: [Int: SlurmTaskState] = [:]
    /// Set when a query timed out or Slurm could not be reached.
    public var problem: String?
}

/// Talks to Slurm through its ordinary commands (sbatch, scontrol), each bounded in time: a
/// controller that does not answer makes the client retry for many seconds per call.
public enum SlurmCluster {
    /// The longest one query may take (seconds) before it is abandoned.
    public static var queryTimeout: Double {
        ProcessInfo.processInfo.environment["GROKLAB_SLURM_TIMEOUT"].flatMap(Double.init) ?? 5
    }

    struct CommandResult { var status: Int32; var out: String; var err: String; var timedOut: Bool }

    /// Runs a Slurm command found on PATH for at most `timeout` seconds (then it is killed);
    /// nil when it is not installed.
    static func command(_ name: String, _ args: [String], timeout: Double) -> CommandResult? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
        guard let path else { return nil }
        // Files, not pipes: a killed command must not leave a reader waiting.
        let tmp = FileManager.default.temporaryDirectory
        let outURL = tmp.appendingPathComponent("groklab-\(name)-\(getpid())-\(UUID().uuidString).out")
        let errURL = outURL.deletingPathExtension().appendingPathExtension("err")
        defer { try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL) }
        guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
              FileManager.default.createFile(atPath: errURL.path, contents: nil),
              let out = FileHandle(forWritingAtPath: outURL.path), let err = FileHandle(forWritingAtPath: errURL.path) else { return nil }
        let p = Process()
        p.executableURL = path
        p.arguments = args
        p.standardOutput = out; p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while p.isRunning {
            if Date() >= deadline {
                timedOut = true
                kill(p.processIdentifier, SIGKILL)
                break
            }
            usleep(20_000)
        }
        p.waitUntilExit()
        try? out.close(); try? err.close()
        let text = { (u: URL) in String(decoding: FileManager.default.contents(atPath: u.path) ?? Data(), as: UTF8.self) }
        return CommandResult(status: p.terminationStatus, out: text(outURL), err: text(errURL), timedOut: timedOut)
    }

    /// The jobs `grok-sweep submit` recorded in slurm-jobs.json (none when it never ran).
    static func recordedJobs(_ sweep: SweepDirectory) throws -> [SlurmJob] {
        guard let data = FileManager.default.contents(atPath: sweep.jobsURL.path) else { return [] }
        do { return try JSONDecoder().decode([SlurmJob].self, from: data) }
        catch { throw GrokError("\(sweep.jobsURL.path) is not a valid job record (\(error.localizedDescription)); move it away to submit again") }
    }

    /// `grok-sweep submit DIR`: sbatch --parsable for every part that has unfinished runs (only
    /// their tasks, with `--array`); the job ids go to slurm-jobs.json. Refused while an earlier
    /// submission of the sweep still has tasks in the queue (a second task on the same run
    /// would find it locked and fail), or when Slurm cannot say whether it has.
    public static func submit(_ sweep: SweepDirectory) throws -> [SlurmJob] {
        let manifest = try sweep.readManifest()
        let fm = FileManager.default
        var scripts = ((try? fm.contentsOfDirectory(atPath: sweep.url.path)) ?? [])
            .filter { $0.hasPrefix("sweep") && $0.hasSuffix(".sbatch") }
        scripts.sort { partNumber($0) < partNumber($1) }
        guard !scripts.isEmpty else {
            throw GrokError("\(sweep.url.path) has no sweep.sbatch; write it first with grok-sweep ... --emit slurm --out \(sweep.url.path)")
        }
        guard command("sbatch", ["--version"], timeout: queryTimeout) != nil else {
            throw GrokError("sbatch not found: Slurm is not installed here (run grok-sweep submit on the cluster's login node)")
        }
        var jobs = try recordedJobs(sweep)
        if !jobs.isEmpty {
            let view = taskStates(jobs)
            if let problem = view.problem {
                throw GrokError("cannot tell whether this sweep's earlier submission (job \(jobs.map(\.jobID).joined(separator: ", "))) is still queued: \(problem); submit again when Slurm answers")
            }
            let active = view.states.filter { !SlurmTaskState.finalStates.contains($0.value.state) }
            if !active.isEmpty {
                throw GrokError("this sweep is already submitted: \(active.count) of its tasks are still in Slurm's queue (\(Set(active.values.map(\.state)).sorted().joined(separator: ", "))); see grok-sweep status \(sweep.url.path), and submit again once they have left it to rerun the runs that did not finish")
            }
        }
        let unfinished = Set(manifest.runs.filter { if case .skip = CellProcess.plan($0, in: sweep) { return false }; return true }.map(\.index))
        var submitted: [SlurmJob] = []
        for name in scripts {
            let url = sweep.url.appendingPathComponent(name)
            let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            guard let part = partOf(script: name, text: text) else {
                throw GrokError("\(url.path) is not a grok-sweep script (no run-task line)")
            }
            let tasks = (0..<part.count).filter { unfinished.contains(part.offset + $0) }
            guard !tasks.isEmpty else { continue }
            var args = ["--parsable"]
            if tasks.count < part.count {
                args.append("--array=" + tasks.map(String.init).joined(separator: ",") + (throttle(text).map { "%\($0)" } ?? ""))
            }
            guard let r = command("sbatch", args + [url.path], timeout: 60) else { throw GrokError("cannot run sbatch") }
            guard r.status == 0, !r.timedOut else {
                throw GrokError("sbatch \(name) failed: \(r.timedOut ? "no answer within 60 s" : r.err.split(separator: "\n").last.map(String.init) ?? "exit \(r.status)")")
            }
            let id = r.out.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
            let job = SlurmJob(jobID: id, part: part, submitted: CellState.now())
            jobs.append(job)
            submitted.append(job)
            try AtomicFile.write(try SweepDirectory.json(jobs), to: sweep.jobsURL)
        }
        return submitted
    }

    /// The %K of a script's --array line.
    static func throttle(_ text: String) -> Int? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("#SBATCH --array=") }),
              let percent = line.firstIndex(of: "%") else { return nil }
        return Int(line[line.index(after: percent)...])
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
    /// the run directories alone. Each query is bounded by `queryTimeout`; the first one that
    /// times out or cannot reach the controller ends the queries, and says so.
    public static func taskStates(_ sweep: SweepDirectory) -> SlurmView {
        do { return taskStates(try recordedJobs(sweep)) }
        catch { return SlurmView(states: [:], problem: "\(error)") }
    }

    static func taskStates(_ jobs: [SlurmJob]) -> SlurmView {
        var view = SlurmView()
        let timeout = queryTimeout
        for job in jobs {
            guard let r = command("scontrol", ["show", "job", "-o", job.jobID], timeout: timeout) else {
                view.problem = "Slurm's scontrol is not installed here"
                break
            }
            if r.timedOut {
                view.problem = "Slurm did not answer within \(String(format: "%g", timeout)) s (scontrol show job \(job.jobID))"
                break
            }
            guard r.status == 0 else {
                // A job that left the queue more than MinJobAge ago is unknown: not a problem.
                if r.err.contains("Invalid job id") { continue }
                let why = r.err.split(separator: "\n").last.map { String($0).trimmingCharacters(in: .whitespaces) } ?? "exit \(r.status)"
                view.problem = "Slurm is unreachable (scontrol: \(why))"
                break
            }
            for (tasks, state) in parse(scontrol: r.out) {
                for t in tasks where t < job.part.count { view.states[job.part.offset + t] = state }
            }
        }
        return view
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
