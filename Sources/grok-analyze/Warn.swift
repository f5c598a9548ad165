import ArgumentParser
import Diagnostics
import Foundation
import GrokCore
import Phases
import ToolSupport
import RunFiles

/// `grok-analyze warn RUN_DIR...`: when each weight-only signal first fires in each run, and,
/// where metrics.csv gives the truth, how early it warned of the collapse.
struct Warn: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "When each weight-only early-warning signal first fires in each run, scored against the accuracy collapse.",
        discussion: """
        Reads each run's htsr.csv (the weights' HTSR numbers at every snapshot) and
        config.json; with metrics.csv present, scores every signal against the
        accuracy labeller's collapse onset (the first of --collapse-sustain
        evaluations with test accuracy --collapse-drop below its running peak while
        train accuracy stays fitted; the thresholds of the run's config.json).

        Outcomes per run: in time (at or after the accuracy peak and before the
        collapse onset), before peak (too early to act on), late (at or after the
        onset), missed (never fired); on runs that never collapse: false alarm or
        quiet. Lead = onset - first firing step.

        Signals with a threshold theory does not fix (KS, stable rank, alpha slope,
        weight norm rise) have it chosen on data, leave one seed out: each run is
        scored with the threshold that did best on the runs of the other seeds (in
        time minus false alarms; then fewer warnings before the peak; then the longer
        lead). With a single seed there is nothing to hold out and the signal's prior
        threshold is used ("fallback").

        The table and Markdown end with the answer in words: how many collapsed runs
        and controls it rests on (runs still training that have not collapsed have
        no verdict), how HTSR's own rule did, and the best other signal.

        Signals (per watched layer, default the HTSR rule's FC1 and FC2):
        \(WarningSignal.all(layers: ["fc1"]).map { "  \($0.name): \($0.meaning)" }.joined(separator: "\n"))

        Example: grok-analyze warn runs/paper-seed0 runs/paper-wd0.01-seed0 --format markdown
        """)

    @Argument(help: "Run directories (each with config.json and htsr.csv; metrics.csv for the scores).")
    var directories: [String] = []

    @Option(help: "table, markdown, csv (one row per run and signal) or json. (default: table)")
    var format: WarningReport.Format = .table

    @Option(help: "Watched layers, comma-separated. (default: the HTSR rule's layers, fc1,fc2)")
    var layers: String?

    @Option(help: "Evaluations in a row a signal must hold to fire. (default: 1)")
    var sustain: Int = 1

    func validate() throws {
        guard !directories.isEmpty else { throw ValidationError("give at least one run directory (see --help)") }
        guard sustain >= 1 else { throw ValidationError("--sustain \(sustain): expected 1 or more") }
        if let layers, layerList(layers).isEmpty { throw ValidationError("--layers: no layer names given") }
    }

    func layerList(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() throws {
        let chosen = layers.map(layerList)
        var runs: [WarningRun] = []
        for d in directories {
            let name = d.count > 1 && d.hasSuffix("/") ? String(d.dropLast()) : d
            runs.append(try WarningRunLoader.load(URL(fileURLWithPath: d), name: name, layers: chosen))
        }
        let watched = runs[0].series.layers
        if let other = runs.first(where: { $0.series.layers != watched }) {
            throw GrokError("\(other.name) watches layers \(other.series.layers.joined(separator: ",")), \(runs[0].name) \(watched.joined(separator: ",")): give --layers")
        }
        let report = WarningReport(runs: runs, signals: WarningSignal.all(layers: watched), sustain: sustain)
        print(report.render(format), terminator: "")
    }
}

extension WarningReport.Format: ExpressibleByArgument {}
