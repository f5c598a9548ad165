import Foundation
import GrokCore

/// A run's folder: config.json, metrics.csv, timing.csv, snapshots/, checkpoint.safetensors.
/// Everything a chart or report needs is in these files, so nothing depends on process memory.
public struct RunDirectory: Sendable {
    public let url: URL
    public var configURL: URL { url.appendingPathComponent("config.json") }
    public var metricsURL: URL { url.appendingPathComponent("metrics.csv") }
    public var timingURL: URL { url.appendingPathComponent("timing.csv") }
    /// Only in runs with a norm intervention: the factor it applied at each evaluated step.
    public var clampURL: URL { url.appendingPathComponent("clamp.csv") }
    public var snapshotsURL: URL { url.appendingPathComponent("snapshots") }
    public var checkpointURL: URL { url.appendingPathComponent("checkpoint.safetensors") }

    public init(_ url: URL) { self.url = url }

    public func snapshotURL(step: Int) -> URL {
        snapshotsURL.appendingPathComponent(String(format: "step-%010d.safetensors", step))
    }

    /// The names a run directory may hold: what grok-train, the diagnostics and grok-report
    /// write there. `--force` replaces a directory only when everything in it is one of these
    /// (or a temporary file of an interrupted atomic write), so it never deletes a user's files.
    public static let runEntryNames: Set<String> = [
        "config.json", "metrics.csv", "timing.csv", "clamp.csv", "htsr.csv", "phases.json", "snapshots",
        "checkpoint.safetensors", "warning-checkpoint.safetensors", "figures", "report.html", DirectoryLock.fileName,
    ]

    static func isTemporaryFile(_ name: String) -> Bool { name.hasPrefix(".") && name.contains(".tmp-") }

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
        do {
            try fm.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw GrokError("cannot create run directory \(url.path): \(error.localizedDescription)")
        }
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
        where name != "config.json" && name != DirectoryLock.fileName && (Self.runEntryNames.contains(name) || Self.isTemporaryFile(name)) {
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
        if let odd = snaps.first(where: { !($0.hasPrefix("step-") && $0.hasSuffix(".safetensors")) && !Self.isTemporaryFile($0) }) {
            throw GrokError("--force refuses to empty \(url.path): snapshots/ holds '\(odd)', which is not a snapshot")
        }
    }

    /// Writes config.json: the hyperparameters plus the facts of this run.
    public func writeConfig(_ config: TrainingConfig, extra: [String: Any]) throws {
        let enc = JSONEncoder()
        enc.keyEncodingStrategy = .convertToSnakeCase
        let base = try enc.encode(config)
        var dict = (try JSONSerialization.jsonObject(with: base)) as? [String: Any] ?? [:]
        for (k, v) in extra { dict[k] = v }
        let data = try JSONSerialization.data(withJSONObject: dict, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try AtomicFile.write(data + Data("\n".utf8), to: configURL)
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

    /// Reads the hyperparameters back from config.json (for --resume).
    public func readConfig() throws -> TrainingConfig {
        guard let data = FileManager.default.contents(atPath: configURL.path) else {
            throw GrokError("cannot resume: \(configURL.path) is missing (is \(url.path) a GrokLab run directory?)")
        }
        let dec = JSONDecoder()
        dec.keyDecodingStrategy = .convertFromSnakeCase
        do { return try dec.decode(TrainingConfig.self, from: data) }
        catch { throw GrokError("cannot resume: \(configURL.path) is not a valid GrokLab config (\(error))") }
    }
}

/// An append-only CSV file whose rows reach the disk as soon as they are written, so a live
/// run can be plotted. On resume it is first cut back to the rows at or before the checkpoint.
public final class CSVLog {
    private let handle: FileHandle
    public let url: URL

    /// Opens `url` for appending. When `keepThroughStep` is given the file must exist: rows whose
    /// first column (the step) is larger, and any partial last line, are dropped first. Otherwise
    /// the file is created with `header`.
    public init(url: URL, header: [String], keepThroughStep: Int?) throws {
        self.url = url
        let fm = FileManager.default
        if let keep = keepThroughStep, let data = fm.contents(atPath: url.path) {
            let text = String(decoding: data, as: UTF8.self)
            var kept: [Substring] = []
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if !text.hasSuffix("\n"), !lines.isEmpty { lines.removeLast() }  // partial line from a kill
            for (i, line) in lines.enumerated() where !line.isEmpty {
                if i == 0 { kept.append(line); continue }
                guard let stepText = line.split(separator: ",", maxSplits: 1).first,
                      let step = Int(stepText), step <= keep else { continue }
                kept.append(line)
            }
            var existingHeader = kept.first.map(String.init) ?? ""
            // A completed run's metrics.csv ends with the diagnostics' "phase" column (labels
            // that need the whole curve); a resumed run drops it and gets it back at the end.
            if existingHeader == header.joined(separator: ",") + ",phase" {
                kept = kept.map { $0[..<($0.lastIndex(of: ",") ?? $0.endIndex)] }
                existingHeader = String(kept[0])
            }
            guard existingHeader == header.joined(separator: ",") else {
                throw GrokError("cannot resume: the columns of \(url.lastPathComponent) differ from this run's (was it written by another version or with other --htsr settings?)")
            }
            try AtomicFile.write(kept.joined(separator: "\n") + "\n", to: url)
        } else {
            try AtomicFile.write(header.joined(separator: ",") + "\n", to: url)
        }
        guard let h = FileHandle(forWritingAtPath: url.path) else {
            throw GrokError("cannot open \(url.path) for writing")
        }
        handle = h
        handle.seekToEndOfFile()
    }

    public func append(_ fields: [String]) {
        handle.write(Data((fields.joined(separator: ",") + "\n").utf8))
    }

    deinit { try? handle.close() }
}

/// Numbers in CSV: shortest text that reads back to the same Double ("nan" for NaN).
@inline(__always)
public func csvNumber(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    return "\(x)"
}
