import Foundation
import GrokCore

/// The names of everything a run directory holds. Nothing else in GrokLab spells them.
public enum RunFileName {
    public static let config = "config.json"
    public static let metrics = "metrics.csv"
    public static let timing = "timing.csv"
    /// Only in runs with a norm intervention: the factor it applied at each evaluated step.
    public static let clamp = "clamp.csv"
    public static let htsr = "htsr.csv"
    public static let phases = "phases.json"
    public static let snapshots = "snapshots"
    public static let checkpoint = "checkpoint.safetensors"
    /// The weights at the HTSR early warning (--on-warning checkpoint or stop).
    public static let warningCheckpoint = "warning-checkpoint.safetensors"
    public static let figures = "figures"
    public static let report = "report.html"
    /// What `grok-analyze relabel` keeps of the files training wrote (not run entries: --force
    /// refuses to delete them).
    public static let htsrBeforeRelabel = "htsr.before-relabel.csv"
    public static let phasesBeforeRelabel = "phases.before-relabel.json"
    /// TensorBoard's event file (grok-train --tensorboard, grok-report --tensorboard): in the
    /// run directory itself, so a sweep directory opens in TensorBoard as one run per cell.
    /// TensorBoard reads any file whose name contains "tfevents".
    public static let tensorBoardEvents = "events.out.tfevents.groklab"
}

/// A run's folder: config.json, metrics.csv, timing.csv, htsr.csv, phases.json, snapshots/,
/// checkpoint.safetensors, figures/ and report.html. Everything a chart or report needs is in
/// these files, so nothing depends on process memory. This type owns the layout; the typed
/// readers and writers of each file (ConfigFile, MetricsFile, HTSRFile, PhasesFile,
/// SnapshotName) own the formats.
public struct RunDirectory: Sendable {
    public let url: URL
    public var configURL: URL { file(RunFileName.config) }
    public var metricsURL: URL { file(RunFileName.metrics) }
    public var timingURL: URL { file(RunFileName.timing) }
    public var clampURL: URL { file(RunFileName.clamp) }
    public var htsrURL: URL { file(RunFileName.htsr) }
    public var phasesURL: URL { file(RunFileName.phases) }
    public var snapshotsURL: URL { file(RunFileName.snapshots) }
    public var checkpointURL: URL { file(RunFileName.checkpoint) }
    public var warningCheckpointURL: URL { file(RunFileName.warningCheckpoint) }
    public var figuresURL: URL { file(RunFileName.figures) }
    public var reportURL: URL { file(RunFileName.report) }
    public var tensorBoardEventsURL: URL { file(RunFileName.tensorBoardEvents) }

    public init(_ url: URL) { self.url = url }

    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    public func snapshotURL(step: Int) -> URL {
        snapshotsURL.appendingPathComponent(SnapshotName.fileName(step: step))
    }

    /// The names a run directory may hold: what grok-train, the diagnostics and grok-report
    /// write there. `--force` replaces a directory only when everything in it is one of these
    /// (or a temporary file of an interrupted atomic write), so it never deletes a user's files.
    public static let runEntryNames: Set<String> = [
        RunFileName.config, RunFileName.metrics, RunFileName.timing, RunFileName.clamp, RunFileName.htsr,
        RunFileName.phases, RunFileName.snapshots, RunFileName.checkpoint, RunFileName.warningCheckpoint,
        RunFileName.figures, RunFileName.report, RunFileName.tensorBoardEvents, DirectoryLock.fileName,
    ]

    static func isTemporaryFile(_ name: String) -> Bool { name.hasPrefix(".") && name.contains(".tmp-") }

    /// The run a snapshot file belongs to (RUN/snapshots/step-N.safetensors with
    /// RUN/config.json), if any.
    public static func containing(snapshot file: URL) -> RunDirectory? {
        let folder = file.deletingLastPathComponent()
        let run = RunDirectory(folder.deletingLastPathComponent())
        guard folder.lastPathComponent == RunFileName.snapshots, run.isRunDirectory else { return nil }
        return run
    }

    /// True when `url` is a GrokLab run directory: it holds config.json.
    public var isRunDirectory: Bool { FileManager.default.fileExists(atPath: configURL.path) }

    /// Creates a fresh run directory. An existing non-empty one is refused unless `force`, and
    /// `force` replaces only a recognisable run (config.json, and nothing but run files), never
    /// "/", the home directory, the current directory or one of its parents.
    /// The directory is locked (see `lock()`) before anything in it is removed, and the lock is
    /// returned: keep it for as long as the run writes here.
    @discardableResult
    public func create(force: Bool) throws -> DirectoryLock {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        var contents: [String] = []
        if fm.fileExists(atPath: url.path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw GrokError("\(url.path) exists and is not a directory") }
            contents = ((try? fm.contentsOfDirectory(atPath: url.path)) ?? []).filter { $0 != DirectoryLock.fileName }
            if !contents.isEmpty {
                guard force else {
                    throw GrokError("run directory \(url.path) already exists; use --resume to continue it or --force to overwrite it")
                }
                try checkReplaceable(contents: contents)
            }
        }
        try Directories.create(url, what: "run directory")
        let lock = try self.lock()
        for name in contents { try fm.removeItem(at: url.appendingPathComponent(name)) }
        do {
            try fm.createDirectory(at: snapshotsURL, withIntermediateDirectories: true)
        } catch {
            throw GrokError("cannot create run directory \(url.path): \(error.localizedDescription)")
        }
        return lock
    }

    /// Takes the run directory's exclusive lock: a second grok-train (or a sweep) on the same
    /// directory is refused with the holder's pid. Readers such as grok-report don't lock.
    public func lock() throws -> DirectoryLock {
        try DirectoryLock(directory: url, holder: "grok-train")
    }

    /// Empties a run directory that has a config.json but no checkpoint (a run killed before
    /// its first checkpoint): everything but config.json and the lock goes, so the run can
    /// start again from step 0 under its own config.
    public func removeOutputsKeepingConfig() throws {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: url.path)) ?? []
        where name != RunFileName.config && name != DirectoryLock.fileName && (Self.runEntryNames.contains(name) || Self.isTemporaryFile(name)) {
            try fm.removeItem(at: url.appendingPathComponent(name))
        }
        try fm.createDirectory(at: snapshotsURL, withIntermediateDirectories: true)
    }

    /// Refuses `--force` on anything but a run directory's own files.
    func checkReplaceable(contents: [String]) throws {
        let resolved = url.resolvingSymlinksInPath().standardizedFileURL.path
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).resolvingSymlinksInPath().standardizedFileURL.path
        let home = FileManager.default.homeDirectoryForCurrentUser.resolvingSymlinksInPath().standardizedFileURL.path
        if resolved == "/" || resolved == home || cwd == resolved || cwd.hasPrefix(resolved.hasSuffix("/") ? resolved : resolved + "/") {
            throw GrokError("--force refuses to empty \(resolved): it is \(resolved == "/" ? "the root directory" : resolved == home ? "your home directory" : "the current directory or one of its parents"); give --out a run directory")
        }
        guard isRunDirectory else {
            throw GrokError("--force refuses to empty \(url.path): it is not a GrokLab run directory (no config.json)")
        }
        let foreign = contents.filter { !Self.runEntryNames.contains($0) && !Self.isTemporaryFile($0) }.sorted()
        if let first = foreign.first {
            throw GrokError("--force refuses to empty \(url.path): it holds \(foreign.count == 1 ? "'\(first)'" : "'\(first)' and \(foreign.count - 1) other entries") that no GrokLab run writes")
        }
        // Inside snapshots/ only snapshot files (and temporaries) belong.
        let snaps = (try? FileManager.default.contentsOfDirectory(atPath: snapshotsURL.path)) ?? []
        if let odd = snaps.first(where: { SnapshotName.step(of: $0) == nil && !Self.isTemporaryFile($0) }) {
            throw GrokError("--force refuses to empty \(url.path): snapshots/ holds '\(odd)', which is not a snapshot")
        }
    }

    /// Removes temporary files a killed process left mid-write (AtomicFile's ".NAME.tmp-..."):
    /// the real files they were meant to replace are intact, these are just litter.
    public func removeStaleTemporaryFiles() {
        let fm = FileManager.default
        for dir in [url, snapshotsURL] {
            for name in (try? fm.contentsOfDirectory(atPath: dir.path)) ?? [] where Self.isTemporaryFile(name) {
                try? fm.removeItem(at: dir.appendingPathComponent(name))
            }
        }
    }
}
