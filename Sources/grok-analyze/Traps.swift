import ArgumentParser
import Datasets
import Foundation
import HTSR
import TrapEffects

/// `grok-analyze traps FILE`: each correlation trap located in the original matrix, ablated,
/// and (with a run or --data) what the ablation does to the model.
struct Traps: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Locate each correlation trap, ablate it, and measure what the model loses.",
        discussion: """
        The permutation is --randomize's first shuffle for the layer (same seed, same
        traps). Per trap: singular value, eigenvalue over the MP spike threshold,
        height over the bulk edge, and the trap mode s u v^T moved back through the
        inverse permutation: inverse participation ratio (IPR) over entries, rows and
        columns (1 = all on one), the rows/columns carrying most of it, its share of
        ||W||_F^2.
        Ablation (all traps of a layer at once): noise = WeightWatcher 0.8's (W -
        unpermute(T) + R, R Gaussian with the mean and std of unpermute(T)); random-u
        / random-v = replace u or v by a random unit vector, keep s. traps_after = the
        analyzer's trap count on the ablated layer.
        When FILE is a run's snapshot (RUN/snapshots/step-N.safetensors), or with
        --run or --data: train/test accuracy and loss with each layer ablated (the
        others untouched), the mean Jensen-Shannon divergence (nats, T = 1) of the
        softmax outputs on the probes, and a verdict: harmful when removing the traps
        raises test accuracy by more than --harm-threshold, useful when it lowers it
        by more, else benign.
        """)

    @Argument(help: "A .safetensors or .npy file, a folder of them (their tensors together), or a run directory (its last snapshot), as grok-analyze reads them.")
    var file: String

    @Option(help: "Only these tensors: exact names, comma-separated. (default: every 2-D tensor)")
    var layers: String?

    @Option(help: "Seed of the shuffle and of the replacement noise.")
    var seed: UInt64 = 0

    @Option(help: "noise (WeightWatcher 0.8), random-u or random-v (Prakash & Martin's literal reading). (default: noise)")
    var method: TrapAblationMethod = .noise

    @Option(name: .customLong("run"), help: "The run directory whose config.json gives data, widths and loss (read only). (default: the snapshot's own run)")
    var runDirectory: String?

    @Option(help: "Data for the effect: embedded, fashion or an MNIST folder (overrides the run's; without a run, the paper preset's config).")
    var data: String?

    @Option(help: "Probes for the JS divergence: gaussian (MNIST's per-pixel mean/std) or test (the test images). (default: gaussian)")
    var probes: ProbeKind = .gaussian

    @Option(help: "Number of Gaussian probes.")
    var probeCount: Int = 1000

    @Option(help: "Test-accuracy change (fraction) beyond which the traps are harmful/useful.")
    var harmThreshold: Double = 0.005

    @Option(help: "Write the weights with every selected layer's traps ablated to this new .safetensors (never overwrites).")
    var save: String?

    @Option(help: "table, csv or json. (default: table on a terminal, csv otherwise)")
    var format: OutputFormat?

    func validate() throws {
        guard probeCount >= 1 else { throw ValidationError("--probe-count \(probeCount): expected 1 or more") }
        guard harmThreshold >= 0 else { throw ValidationError("--harm-threshold \(harmThreshold): expected >= 0") }
        if let save, FileManager.default.fileExists(atPath: save) {
            throw ValidationError("--save \(save): the file exists; not overwriting it")
        }
    }

    func run() throws {
        var r = TrapsRequest(file: URL(fileURLWithPath: file))
        r.layers = layers.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        r.seed = seed; r.method = method; r.probes = probes; r.probeCount = probeCount
        r.harmThreshold = harmThreshold
        r.run = runDirectory.map { URL(fileURLWithPath: $0) }
        r.data = data.map(DataSource.init)
        r.save = save.map { URL(fileURLWithPath: $0) }
        let report = try TrapsTool.run(r)
        switch format ?? (isatty(STDOUT_FILENO) == 1 ? .table : .csv) {
        case .json: print(try TrapsOutput.json(report))
        case .csv: print(TrapsOutput.csv(report), terminator: "")
        case .table: print(TrapsOutput.table(report), terminator: "")
        }
        fflush(nil)   // the report before the note on stderr
        if let saved = report.saved { FileHandle.standardError.write(Data("wrote \(saved)\n".utf8)) }
    }
}

extension TrapAblationMethod: ExpressibleByArgument {}
extension ProbeKind: ExpressibleByArgument {}

/// One row per trap (a layer without traps gets one row with an empty trap); the layer's
/// ablation effect is repeated on each of its rows.
enum TrapsOutput {
    static let header = ["layer", "trap", "singular_value", "eigenvalue", "over_threshold", "height",
                         "ipr_entries", "ipr_rows", "ipr_columns", "top_rows", "top_columns", "frobenius_share",
                         "traps_after", "train_acc_before", "train_acc_after", "test_acc_before", "test_acc_after",
                         "train_loss_before", "train_loss_after", "test_loss_before", "test_loss_after",
                         "js_divergence", "verdict"]

    static func cells(_ report: TrapsReport) -> [[String]] {
        func num(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }
        func top(_ m: [MassShare]) -> String { m.prefix(3).map { "\($0.index):\(String(format: "%.3f", $0.share))" }.joined(separator: " ") }
        var rows: [[String]] = []
        for l in report.layers {
            let effect = [l.trapsAfter.map(String.init) ?? "",
                          num(l.before?.trainAccuracy), num(l.after?.trainAccuracy),
                          num(l.before?.testAccuracy), num(l.after?.testAccuracy),
                          num(l.before?.trainLoss), num(l.after?.trainLoss),
                          num(l.before?.testLoss), num(l.after?.testLoss),
                          num(l.jsDivergence), l.verdict?.rawValue ?? ""]
            if l.traps.isEmpty { rows.append([l.layer] + Array(repeating: "", count: 11) + effect) }
            for t in l.traps {
                rows.append([l.layer, String(t.index), num(t.singularValue), num(t.eigenvalue), num(t.overThreshold),
                             num(t.height), num(t.iprEntries), num(t.iprRows), num(t.iprColumns),
                             top(t.topRows), top(t.topColumns), num(t.frobeniusShare)] + effect)
            }
        }
        return rows
    }

    static func csv(_ report: TrapsReport) -> String {
        ([header] + cells(report)).map { $0.map(CSVOutput.escape).joined(separator: ",") + "\n" }.joined()
    }

    static func json(_ report: TrapsReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }

    /// Numbers to 4 significant digits, columns aligned; a heading says what was measured.
    static func table(_ report: TrapsReport) -> String {
        var out = "\(report.file): seed \(report.seed), ablation \(report.method.rawValue)"
        if let p = report.probes { out += ", probes \(p.rawValue) (\(report.probeCount ?? 0)), harmful/useful beyond \(report.harmThreshold) test accuracy" }
        out += "\n"
        let short = cells(report).map { row in row.map { c -> String in
            if let d = Double(c), c.contains(".") || c.contains("e") { return String(format: "%.4g", d) }
            return c
        } }
        let all = [header] + short
        let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
        for row in all {
            out += row.indices.map { i in String(repeating: " ", count: widths[i] - row[i].count) + row[i] }.joined(separator: "  ") + "\n"
        }
        return out
    }
}
