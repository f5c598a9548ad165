import ArgumentParser
import Diagnostics
import Foundation
import Phases
import ToolSupport
import RunFiles

/// `grok-analyze relabel RUN_DIR`: a run's HTSR analysis and phase labels again, from its
/// snapshots and metrics.csv, without training (for runs written by an older build, or to try
/// another rule).
struct Relabel: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-analyse a run's snapshots (htsr.csv) and relabel its phases (phases.json) without training.",
        discussion: """
        The analysis is the live run's: the HTSR mode and seed of its config.json, the
        same per-snapshot shuffles. The files the run had before its first relabel are
        kept as htsr.before-relabel.csv and phases.before-relabel.json. Prints the
        confusion matrix (accuracy phase x HTSR label) with per-phase recall, for this
        rule and the baseline (Prakash & Martin's alpha rule with raw alpha and
        WeightWatcher's trap count). Run `grok-report RUN_DIR` afterwards for the
        figures.
        """)

    @Argument(help: "The run directory.")
    var directory: String

    @Flag(help: "Keep htsr.csv as it is; only relabel the phases from it.")
    var phasesOnly = false

    @Option(help: "Analyse with this HTSR mode instead of the run's (plain or paper).")
    var htsr: HTSRMode?

    @OptionGroup
    var rule: HTSRRuleOptions

    @Option(help: "Threads for the layers of one snapshot.")
    var threads: Int = 1

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads \(threads): expected 1 or more") }
        if htsr == .off { throw ValidationError("--htsr off: relabel needs plain or paper") }
    }

    func run() throws {
        var o = RunRelabel.Options()
        o.reanalyze = !phasesOnly
        o.htsrMode = htsr
        o.trapCount = rule.htsrTraps
        o.alphaWindowDecades = rule.htsrAlphaWindow
        o.rule = rule.htsrRule
        o.stableRankDrop = rule.htsrStableRankDrop
        o.threads = threads
        let result = try RunRelabel.relabel(directory: URL(fileURLWithPath: directory), options: o) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        for f in result.files { print("wrote \(f.path)") }
        let r = result.report
        let segments = r.htsr.map { "\($0.phase.rawValue) \($0.startStep)-\($0.endStep)" }.joined(separator: ", ")
        print("phases (HTSR): " + (segments.isEmpty ? "none" : segments))
        for line in RunDiagnostics.confusionLines(r) { print(line) }
        if let b = r.baselineConfusion {
            print("baseline (Prakash & Martin's alpha rule, raw alpha, WeightWatcher's traps):")
            for line in b.lines { print("  " + line) }
        }
    }
}

extension HTSRMode: ExpressibleByArgument {}
