import Foundation
import GrokCore

/// What `grok-sweep [flags]` was asked to do.
public struct StartOptions: Sendable {
    /// The grok-train part of the command line (lists allowed).
    public var trainArguments: [String] = []
    public var out: String?
    public var jobs = ProcessInfo.processInfo.activeProcessorCount
    public var force = false
    /// nil: run here; .slurm: write sweep.sbatch instead of running.
    public var emit: SweepEngine?
    public var slurm = SlurmOptions()
    public var grokThreshold = 0.8
    public var quiet = false
    public var commandLine = ""
    /// Write summary.csv/html and figures when a local sweep ends.
    public var summary = true
    public init() {}
}

public enum SweepStart {
    /// Checks the whole grid, prepares the sweep directory, then runs the cells here or writes
    /// the Slurm script. Returns the process exit code (0; 1 when a run failed; 130 when stopped).
    public static func run(_ o: StartOptions, log: (String) -> Void) throws -> Int32 {
        let grid = try interpretingFlags {
            guard o.jobs >= 1 else { throw GrokError("--jobs must be at least 1, got \(o.jobs)") }
            guard o.grokThreshold > 0, o.grokThreshold <= 1 else {
                throw GrokError("--grok-threshold must be in (0, 1], got \(o.grokThreshold)")
            }
            if o.emit == .slurm { try o.slurm.validate() }
            return try SweepGrid(arguments: o.trainArguments)
        }
        let train = try TrainTool.locate()
        let engine = o.emit ?? .local
        var manifest = SweepManifest(created: CellState.now(), commandLine: o.commandLine, engine: engine,
                                     grid: grid, grokThreshold: o.grokThreshold)
        let sweep = SweepDirectory(URL(fileURLWithPath: o.out ?? defaultDirectory(for: manifest)))

        // Refuse before anything is checked or written.
        var previous: SweepManifest? = nil
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: sweep.url.path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw GrokError("\(sweep.url.path) exists and is not a directory") }
            if sweep.exists {
                let p = try sweep.readManifest()
                if !p.sameGrid(as: manifest) && !o.force {
                    throw GrokError("\(sweep.url.path) holds a different sweep (\(p.runs.count) runs: \(p.runs.prefix(3).map(\.name).joined(separator: " "))\(p.runs.count > 3 ? " ..." : "")); use another --out, or --force to replace its grid")
                }
                previous = p
            } else if !((try? fm.contentsOfDirectory(atPath: sweep.url.path)) ?? []).isEmpty {
                throw GrokError("\(sweep.url.path) exists and is not a sweep directory (no sweep.json); use another --out")
            }
        }

        log("checking \(manifest.runs.count) run(s) with grok-train --check")
        let configs = try CellCheck.run(manifest.runs, train: train, jobs: o.jobs)

        try sweep.createLayout()
        let lock = try DirectoryLock(directory: sweep.url, holder: "grok-sweep")
        defer { lock.release() }

        if let p = previous {
            if p.sameGrid(as: manifest) { manifest.created = p.created }
            // --force with another grid: a cell whose settings changed starts over. Without
            // --force the grid is the same, and settings that read differently come from a newer
            // grok-train (a setting it records that the older one did not): the run is kept, and
            // grok-train --resume decides whether it can continue it.
            for cell in manifest.runs {
                let old = fm.contents(atPath: sweep.configURL(cell).path)
                guard let old, old != configs[cell.name] else { continue }
                if o.force {
                    log("\(cell.name): settings changed (--force): its run starts over")
                    for u in [sweep.runURL(cell), sweep.stateURL(cell), sweep.logURL(cell)] { try? fm.removeItem(at: u) }
                } else {
                    log("\(cell.name): this grok-train resolves the cell's settings differently from the one that started it; its run is kept and resumed as it is")
                }
            }
        }
        for cell in manifest.runs { try AtomicFile.write(configs[cell.name]!, to: sweep.configURL(cell)) }
        try sweep.writeManifest(manifest)

        if engine == .slurm {
            let scripts = try SlurmScript.write(sweep: sweep, manifest: manifest, options: o.slurm)
            log("wrote \(sweep.manifestURL.path), \(manifest.runs.count) run configs and \(scripts.map(\.lastPathComponent).joined(separator: ", ")); submit with: grok-sweep submit \(sweep.url.path)")
            return 0
        }

        log("sweep \(sweep.url.path): \(manifest.runs.count) runs, \(o.jobs) at a time, 1 thread each")
        SweepStop.install()
        let engineRun = LocalEngine(sweep: sweep, manifest: manifest, train: train, jobs: o.jobs,
                                    progress: SweepProgress(sweep: sweep, quiet: o.quiet))
        let outcome = try engineRun.run()
        if o.summary {
            do {
                let s = try SweepSummary.build(sweep)
                log("summary: \(s.csv.path), \(s.html.path)")
            } catch { log("summary: not built (\(error)); try grok-sweep summary \(sweep.url.path)") }
        }
        if outcome.interrupted {
            log("stopped; rerun the same command to resume")
            return 130
        }
        let bad = outcome.notDone
        if !bad.isEmpty {
            let failed = bad.filter { $0.status == .failed }.count, diverged = bad.count - failed
            let what = [failed > 0 ? "\(failed) failed" : nil, diverged > 0 ? "\(diverged) diverged" : nil].compactMap { $0 }.joined(separator: " and ")
            throw GrokError("\(bad.count) of \(manifest.runs.count) runs did not finish: \(what) (\(bad.map { "\($0.name) \($0.status.rawValue)" }.joined(separator: ", "))); the others finished; logs in \(sweep.logsURL.path)")
        }
        log("done: \(sweep.url.path)")
        return 0
    }

    /// sweeps/<date>-<tag>, or the newest sweeps/*/ holding this same grid, so that running
    /// the same command again continues the same sweep.
    static func defaultDirectory(for manifest: SweepManifest) -> String {
        let root = "sweeps"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted(by: >)
        for n in names where n.hasSuffix("-" + manifest.grid.tag) {
            let d = SweepDirectory(URL(fileURLWithPath: root).appendingPathComponent(n))
            if let m = try? d.readManifest(), m.sameGrid(as: manifest), m.engine == manifest.engine { return d.url.path }
        }
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.locale = Locale(identifier: "en_US_POSIX")
        return "\(root)/\(f.string(from: Date()))-\(manifest.grid.tag)"
    }
}
