import Foundation
import GrokCore

/// A run's folder: config.json, metrics.csv, timing.csv, snapshots/, checkpoint.safetensors.
/// Everything a chart or report needs is in these files, so nothing depends on process memory.
public struct RunDirectory: Sendable {
    public let url: URL
    public var configURL: URL { url.appendingPathComponent("config.json") }
    public var metricsURL: URL { url.appendingPathComponent("metrics.csv") }
    public var timingURL: URL { url.appendingPathComponent("timing.csv") }
    public var snapshotsURL: URL { url.appendingPathComponent("snapshots") }
    public var checkpointURL: URL { url.appendingPathComponent("checkpoint.safetensors") }

    public init(_ url: URL) { self.url = url }

    public func snapshotURL(step: Int) -> URL {
        snapshotsURL.appendingPathComponent(String(format: "step-%010d.safetensors", step))
    }

    /// Creates a fresh run directory. An existing non-empty one is refused unless `force`
    /// (then its contents are removed first).
    public func create(force: Bool) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: url.path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw GrokError("\(url.path) exists and is not a directory") }
            let contents = (try? fm.contentsOfDirectory(atPath: url.path)) ?? []
            if !contents.isEmpty {
                guard force else {
                    throw GrokError("run directory \(url.path) already exists; use --resume to continue it or --force to overwrite it")
                }
                for name in contents { try fm.removeItem(at: url.appendingPathComponent(name)) }
            }
        }
        do {
            try fm.createDirectory(at: snapshotsURL, withIntermediateDirectories: true)
        } catch {
            throw GrokError("cannot create run directory \(url.path): \(error.localizedDescription)")
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
            for name in (try? fm.contentsOfDirectory(atPath: dir.path)) ?? [] where name.hasPrefix(".") && name.contains(".tmp-") {
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
