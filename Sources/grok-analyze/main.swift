import ArgumentParser
import Foundation
import GrokCore
import HTSR
import ToolSupport

/// `grok-analyze`: WeightWatcher-style HTSR metrics for the weight matrices in tensor files,
/// folders of them, or GrokLab run directories (every snapshot, in step order). A group whose
/// default subcommand analyses paths: a root with positional paths would swallow `bench`.
struct GrokAnalyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grok-analyze",
        abstract: "HTSR (WeightWatcher) metrics of the weight matrices in .safetensors/.npy files or GrokLab runs.",
        discussion: """
        Examples:
          grok-analyze model.safetensors                every 2-D/4-D tensor: one row
          grok-analyze runs/NAME --layers fc1.weight    every snapshot, in step order
          grok-analyze weights/ --format json           a folder of .safetensors/.npy
          grok-analyze w.npy --randomize --charts figs  traps; figures 4 and 5
          grok-analyze relabel runs/NAME                htsr.csv, phases.json anew
          grok-analyze traps snap.safetensors           locate, ablate traps; effect
          grok-analyze warn RUN_DIR...                  early-warning signals, scored
          grok-analyze bench                            analyzer speed against LAPACK

        Options of `grok-analyze PATH...` (the default subcommand, analyze):
          --format table|csv|json, --randomize, --seed N,
          --fix-fingers none|clip_xmax, --layers NAMES, --threads N, --charts DIR;
          `grok-analyze analyze --help` explains each.

        Biases (1-D/0-D), 3-D and integer tensors are skipped with a note. A file that
        cannot be read gets one line on stderr, `error: <path>: <problem>`, and the
        others are still analysed; the exit status is then 1.
        """,
        subcommands: [Analyze.self, Relabel.self, Traps.self, Warn.self, Bench.self],
        defaultSubcommand: Analyze.self)
}

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Analyse files, folders or run directories (the default: `grok-analyze PATH...`).")

    @Argument(help: "Files (.safetensors, .npy), folders of them, or run directories.")
    var paths: [String] = []

    @Option(help: "table, csv or json. (default: table on a terminal, csv otherwise)")
    var format: OutputFormat?

    @Flag(help: "Also compute the correlation-trap metrics (shuffled ESDs).")
    var randomize = false

    @Option(help: "Seed of the shuffles for --randomize.")
    var seed: UInt64 = 0

    @Option(help: "none (WeightWatcher's default) or clip_xmax (the grokking paper's). (default: none)")
    var fixFingers: FingerFix = .none

    @Option(help: "Only these tensors: exact names, comma-separated (e.g. fc1.weight,fc2.weight).")
    var layers: String?

    @Option(help: "Threads: layers analysed at once, or BLAS threads for a single layer; 0 = all cores. (default: all cores)")
    var threads: Int?

    @Option(help: "Write figure 4 (ESD + power-law fit) and, with --randomize, figure 5 (randomized ESD) per layer into this folder: SVG, and PNG when rsvg-convert exists.")
    var charts: String?

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one file, folder or run directory (see --help)") }
        if let threads, threads < 0 { throw ValidationError("--threads \(threads): expected 0 (all cores) or more") }
        if let layers, selection(layers).isEmpty { throw ValidationError("--layers: no layer names given") }
    }

    func selection(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() throws {
        var options = HTSROptions()
        options.randomize = randomize
        options.seed = seed
        options.fixFingers = fixFingers
        let chartFiles = try charts.map { try ChartFiles(directory: $0, randomized: randomize) }
        options.keepEigenvalues = chartFiles != nil
        options.keepDCurve = chartFiles != nil
        let chosen = format ?? (isatty(STDOUT_FILENO) == 1 ? .table : .csv)
        var pipeline = Pipeline(options: options, selection: layers.map(selection), format: chosen,
                                charts: chartFiles, threads: threads ?? 0)
        guard try pipeline.run(paths: paths) else { throw ExitCode(1) }
    }
}

/// `grok-analyze bench`: the analyzer's speed next to LAPACK alone.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Time the analyzer on a 784x200 layer and a large square one.")

    @Option(help: "Side of the large square layer (0 skips it).")
    var large: Int = 4096

    @Option(help: "Repeats of the 784x200 timing (the best is kept).")
    var smallRepeats: Int = 20

    func validate() throws {
        guard large >= 0, smallRepeats >= 1 else { throw ValidationError("--large must be >= 0 and --small-repeats >= 1") }
    }

    func run() throws {
        print(HTSRBenchmark.run(smallRepeats: smallRepeats, large: large))
    }
}

extension OutputFormat: ExpressibleByArgument {}
extension FingerFix: ExpressibleByArgument {}

runTool(GrokAnalyze.self)
