import Foundation
import GrokCore

/// The Slurm job array's resources and limits (grok-sweep --emit slurm flags).
public struct SlurmOptions: Sendable, Equatable {
    /// At most this many tasks at once (the array's %K throttle); nil = as many as fit.
    public var maxParallel: Int?
    /// Memory per task, Slurm's syntax (1G, 1500M).
    public var mem = "2G"
    /// Time limit per task, Slurm's syntax (minutes, MM:SS, HH:MM:SS, D-HH:MM:SS); nil = the
    /// partition's default.
    public var time: String?
    /// Seconds before the time limit at which Slurm sends SIGTERM, so the run checkpoints.
    public var signalLead = 120
    public var partition: String?
    /// The cluster's MaxArraySize (1001 by default): larger sweeps are split into several arrays.
    public var maxArraySize = 1001

    public init() {}

    public func validate() throws {
        if let k = maxParallel, k < 1 { throw GrokError("--max-parallel must be at least 1, got \(k)") }
        guard mem.range(of: #"^[0-9]+[KMGT]?$"#, options: .regularExpression) != nil else {
            throw GrokError("--mem must be a size like 2G or 1500M, got '\(mem)'")
        }
        if let t = time, Self.minutes(t) == nil {
            throw GrokError("--time must be minutes, MM:SS, HH:MM:SS or D-HH:MM:SS, got '\(t)'")
        }
        guard signalLead >= 1, signalLead <= 65535 else { throw GrokError("--signal-lead must be 1..65535 seconds, got \(signalLead)") }
        if let t = time, let m = Self.minutes(t), Double(signalLead) >= m * 60 {
            throw GrokError("--signal-lead \(signalLead) s is not shorter than --time \(t)")
        }
        guard maxArraySize >= 2 else { throw GrokError("--max-array-size must be at least 2, got \(maxArraySize)") }
    }

    /// A Slurm time limit in minutes, nil when malformed.
    public static func minutes(_ t: String) -> Double? {
        var days = 0.0, rest = Substring(t)
        if let dash = t.firstIndex(of: "-") {
            guard let d = Double(t[..<dash]) else { return nil }
            days = d; rest = t[t.index(after: dash)...]
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false).map { Double($0) }
        guard !parts.isEmpty, parts.count <= 3, parts.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
        let p = parts.map { $0! }
        let m: Double
        switch (p.count, days > 0 || t.contains("-")) {
        case (1, false): m = p[0]
        case (1, true): m = p[0] * 60
        case (2, false): m = p[0] + p[1] / 60
        case (2, true): m = p[0] * 60 + p[1]
        default: m = p[0] * 60 + p[1] + p[2] / 60
        }
        let total = days * 1440 + m
        return total > 0 ? total : nil
    }
}

/// One sbatch script of a sweep: an array over cells offset ..< offset + count.
public struct SlurmPart: Codable, Sendable, Equatable {
    public var script: String
    public var offset: Int
    public var count: Int
    public init(script: String, offset: Int, count: Int) { self.script = script; self.offset = offset; self.count = count }
}

/// Writes the job-array scripts: one task per cell, each running `grok-sweep run-task DIR I`.
public enum SlurmScript {
    /// The parts a sweep of `cells` cells is split into (sweep.sbatch, sweep-2.sbatch, ...).
    public static func parts(cells: Int, maxArraySize: Int) -> [SlurmPart] {
        var out: [SlurmPart] = []
        var offset = 0
        while offset < cells {
            let n = min(maxArraySize, cells - offset)
            out.append(SlurmPart(script: out.isEmpty ? "sweep.sbatch" : "sweep-\(out.count + 1).sbatch", offset: offset, count: n))
            offset += n
        }
        return out
    }

    /// One part's script. Paths never appear raw in a directive: the job starts in the sweep
    /// directory (`--chdir`, quoted as sbatch reads directives) and logs to the relative
    /// logs/slurm-%A_%a.out there, so spaces, quotes, `%` and `#` in the sweep's path change
    /// nothing. The tools are found on the task's PATH, as a cluster installs them (the task
    /// inherits the environment `grok-sweep submit` ran in); this machine's build is not named.
    public static func text(part: SlurmPart, sweep: SweepDirectory, manifest: SweepManifest,
                            options o: SlurmOptions) throws -> String {
        let path = sweep.url.path
        guard !path.contains(where: \.isNewline) else {
            throw GrokError.usage("the sweep directory \(path.debugDescription) has a line break in its path, which no Slurm directive can hold; choose another --out")
        }
        var lines = ["#!/bin/bash",
                     "# GrokLab sweep \(manifest.grid.tag): \(manifest.runs.count) runs; this array: runs \(part.offset)..\(part.offset + part.count - 1).",
                     "# Written by grok-sweep --emit slurm; submit with: grok-sweep submit \(shellQuote(path))",
                     "#SBATCH --job-name=grok-sweep-\(manifest.grid.tag)",
                     "#SBATCH --array=0-\(part.count - 1)" + (o.maxParallel.map { "%\($0)" } ?? ""),
                     "#SBATCH --ntasks=1",
                     "#SBATCH --cpus-per-task=1",
                     "#SBATCH --mem=\(o.mem)"]
        if let t = o.time { lines.append("#SBATCH --time=\(t)") }
        if let p = o.partition { lines.append("#SBATCH --partition=\(directiveQuote(p))") }
        lines += ["#SBATCH --chdir=\(directiveQuote(path))",
                  "#SBATCH --output=\(SweepDirectory.logsName)/slurm-%A_%a.out",
                  "#SBATCH --open-mode=append",
                  // B: the signal goes to the batch shell, which is run-task itself (exec below);
                  // it forwards it to grok-train, which writes its checkpoint and exits.
                  "#SBATCH --signal=B:TERM@\(o.signalLead)",
                  "#SBATCH --requeue",
                  "",
                  "# grok-sweep and grok-train come from PATH: the environment grok-sweep submit ran in",
                  "# (sbatch passes it on), or what the cluster's login scripts or modules set up.",
                  "if ! command -v grok-sweep >/dev/null; then",
                  "    echo \"error: grok-sweep is not on PATH on $(hostname); put the folder holding grok-sweep and grok-train on PATH before grok-sweep submit\" >&2",
                  "    exit 127",
                  "fi",
                  "# One task per cell. A requeued or preempted task resumes its run from the checkpoint.",
                  "export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1",
                  "exec grok-sweep run-task \(shellQuote(path)) $((SLURM_ARRAY_TASK_ID + \(part.offset)))",
                  ""]
        return lines.joined(separator: "\n")
    }

    /// Writes every part (and creates logs/, which Slurm does not: a missing --output folder
    /// fails the task with no log at all).
    public static func write(sweep: SweepDirectory, manifest: SweepManifest, options: SlurmOptions) throws -> [URL] {
        try FileManager.default.createDirectory(at: sweep.logsURL, withIntermediateDirectories: true)
        let fm = FileManager.default
        for old in (try? fm.contentsOfDirectory(atPath: sweep.url.path)) ?? [] where old.hasPrefix("sweep") && old.hasSuffix(".sbatch") {
            try? fm.removeItem(at: sweep.url.appendingPathComponent(old))
        }
        var urls: [URL] = []
        for part in parts(cells: manifest.runs.count, maxArraySize: options.maxArraySize) {
            let url = sweep.url.appendingPathComponent(part.script)
            try AtomicFile.write(text(part: part, sweep: sweep, manifest: manifest, options: options), to: url)
            chmod(url.path, 0o755)
            urls.append(url)
        }
        return urls
    }

    /// A value as sbatch reads a #SBATCH directive: inside double quotes, with each `"` and
    /// backslash escaped by a backslash (an unquoted `#` would start a comment, a space end the value).
    public static func directiveQuote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// A word for bash: as it is when it is plain, else in single quotes.
    public static func shellQuote(_ s: String) -> String {
        if s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=,:+".contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
