import Foundation
import GrokCore
import Phases
import RunFiles

/// Reads what the early-warning study needs from any run directory: htsr.csv (the weight-only
/// series), config.json (the seed, the accuracy-phase thresholds) and, when present,
/// metrics.csv (the accuracy truth). Nothing about particular runs is assumed.
public enum WarningRunLoader {
    /// `name` labels the run in tables; `layers` are the watched layers (nil: the HTSR rule's
    /// layers that htsr.csv has, else every layer in it).
    public static func load(_ dir: URL, name: String, layers: [String]? = nil) throws -> WarningRun {
        let run = RunDirectory(dir)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw GrokError("\(dir.path) is not a directory")
        }
        guard run.isRunDirectory else { throw GrokError("\(dir.path) is not a GrokLab run directory (no config.json)") }
        guard FileManager.default.fileExists(atPath: run.htsrURL.path) else {
            throw GrokError("\(run.htsrURL.path) is missing: the run has no HTSR analysis (trained with --htsr off?)")
        }
        let config = try ConfigFile.read(run.configURL)
        let seed = config["seed"]?.number.flatMap { $0 == $0.rounded() ? Int($0) : nil }
        let settings = try DiagnosticsSettings.read(configURL: run.configURL)
        let rows = try HTSRFile.read(run.htsrURL)
        guard !rows.isEmpty else { throw GrokError("\(run.htsrURL.path) has no rows") }
        var present: [String] = []
        for r in rows where !present.contains(r.layer) { present.append(r.layer) }
        let watched: [String]
        if let layers {
            if let missing = layers.first(where: { !present.contains($0) }) {
                throw GrokError("\(run.htsrURL.path) has no layer '\(missing)' (it has \(present.joined(separator: ", ")))")
            }
            watched = layers
        } else {
            let rule = settings.htsrThresholds.layers.filter(present.contains)
            watched = rule.isEmpty ? present : rule
        }
        var accuracy: [AccuracyPoint] = []
        if FileManager.default.fileExists(atPath: run.metricsURL.path) {
            accuracy = try MetricsFile.readAccuracy(run.metricsURL)
        }
        // Finished: metrics.csv reaches the configured steps (no step count recorded: taken as finished).
        let total = config["steps"]?.number.map { Int($0) }
        let finished = total.map { t in accuracy.last.map { $0.step >= t } ?? false } ?? true
        return WarningRun(name: name, seed: seed, series: WeightSeries(points: rows.map(\.phasePoint), layers: watched),
                          accuracyPoints: accuracy, thresholds: settings.configuration.thresholds, finished: finished)
    }
}
