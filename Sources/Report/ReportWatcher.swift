import Foundation
import GrokCore
import RunFiles

/// Where a run stands, as far as its files tell a reader that may be on another machine.
public enum RunState: Sendable, Equatable {
    /// Training completed (see `RunDirectory.hasCompleted`).
    case completed
    /// Nobody writes the run: its lock file is there but nobody holds it (the trainer stopped:
    /// Ctrl-C, kill), or there is no lock file at all (a trainer creates it before anything
    /// else, so no trainer is at work).
    case stopped
    /// The lock is held, or it cannot be probed (a filesystem without flock): assumed to be
    /// still training.
    case running

    /// Reads the state from `dir` (cheap: metrics.csv's last row and a lock probe).
    public static func of(_ dir: URL) -> RunState {
        if RunDirectory(dir).hasCompleted { return .completed }
        switch DirectoryLock.probe(directory: dir) {
        case .held, .unknown: return .running
        case .free, .absent: return .stopped
        }
    }

    static func totalSteps(_ dir: URL) -> Int? {
        (try? ConfigFile.read(RunDirectory(dir).configURL))?["steps"]?.number.map { saturatingInt($0) }
    }

    /// The step of metrics.csv's last complete row (a half-written last line has no newline yet).
    static func lastMetricsStep(_ dir: URL) -> Int? { lastCompleteStep(RunDirectory(dir).metricsURL) }
}

/// `grok-report --watch RUN_DIR`: keeps a run's report.html live while the run trains (for a
/// run started with --no-report, or one on another machine's shared filesystem), then builds
/// the final page, without the live banner, once the run has completed or stopped.
public struct ReportWatcher {
    public var runDirectory: URL
    public var options: ReportOptions
    /// The least time between two live builds (and see `LiveReportBuilder.costFactor`).
    public var minimumInterval = 60.0
    /// How often the files are looked at.
    public var poll = 5.0
    /// Once the run has ended, how long the files must stay unchanged (the trainer writes
    /// the last HTSR rows and phases.json after its last evaluation) before the final build.
    public var settle = 10.0

    public init(runDirectory: URL, options: ReportOptions) {
        self.runDirectory = runDirectory; self.options = options
    }

    /// Watches until the run ends; `log` gets one line per build. Returns the final build.
    public func run(log: (String) -> Void) throws -> ReportResult {
        // A missing directory, or one that is not a run, fails at once: nothing would ever
        // come to build a report from.
        guard RunDirectory(runDirectory).isRunDirectory else {
            throw GrokError("\(runDirectory.path) is not a GrokLab run directory (no config.json); grok-report --watch follows a run that grok-train writes")
        }
        _ = try RunData.load(runDirectory)
        let builder = LiveReportBuilder(runDirectory: runDirectory, options: options, minimumInterval: minimumInterval)
        var seen = fingerprint()
        var state = RunState.of(runDirectory)
        if state == .running {
            log(liveLine(builder.buildNow()))
            while true {
                Thread.sleep(forTimeInterval: poll)
                state = RunState.of(runDirectory)
                if state != .running { break }
                let now = fingerprint()
                if now != seen, builder.isDue {
                    seen = now
                    log(liveLine(builder.buildNow()))
                }
            }
        }
        // Let the trainer's last writes land before the final page.
        var quietSince = newestChange()
        var last = fingerprint()
        while Date().timeIntervalSince(quietSince) < settle && DirectoryLock.isHeld(directory: runDirectory) != false {
            Thread.sleep(forTimeInterval: min(poll, settle))
            let f = fingerprint()
            if f != last { last = f; quietSince = Date() }
        }
        var final = options
        final.live = false
        let result = try RunReport.build(runDirectory: runDirectory, options: final)
        log("run \(state == .completed ? "completed" : "stopped"): final report \(result.report?.path ?? "not written")")
        return result
    }

    func liveLine(_ r: ReportResult?) -> String {
        guard r != nil else { return "live report: build failed (will retry)" }
        let step = RunState.lastMetricsStep(runDirectory).map(String.init) ?? "?"
        let total = RunState.totalSteps(runDirectory).map(String.init) ?? "?"
        let f = DateFormatter()
        f.dateFormat = "HH:mm:ss"
        return "live report at \(f.string(from: Date())): step \(step) of \(total)"
    }

    /// The files whose changes a live report follows.
    static let watchedFiles = [RunFileName.metrics, RunFileName.htsr, RunFileName.phases]

    /// When one of the files a report reads last changed.
    func newestChange() -> Date {
        Self.watchedFiles.compactMap { name in
            (try? FileManager.default.attributesOfItem(atPath: runDirectory.appendingPathComponent(name).path))?[.modificationDate] as? Date
        }.max() ?? .distantPast
    }

    /// Sizes and modification times of the files a report reads.
    func fingerprint() -> [String] {
        Self.watchedFiles.map { name in
            let a = try? FileManager.default.attributesOfItem(atPath: runDirectory.appendingPathComponent(name).path)
            let size = (a?[.size] as? NSNumber)?.int64Value ?? -1
            let date = (a?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(name):\(size):\(date)"
        }
    }
}
