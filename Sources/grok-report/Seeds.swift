import ArgumentParser
import Foundation
import Report

/// `grok-report seeds RUN_DIR... --out DIR`: Prakash & Martin's (arXiv 2506.04434) figures 1 and 2 with seed bands and the
/// phase-centre table, for runs that differ only in their seed (several groups at once).
struct Seeds: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare runs over seeds: figures with seed bands and the phase-centre table.",
        discussion: """
        Runs are grouped by every config.json setting they all record except the seed
        (and bookkeeping: paths, start time, BLAS core, threads); each group is
        labelled by the settings that differ between groups (e.g. wd=0, wd=0.01).

        Writes into --out: figures/<group>-three-phases and <group>-alpha (train/test
        accuracy and FC1/FC2 alpha against log step: the mean over seeds, a shaded
        min-max band, the seed-mean accuracy phases shaded), figures/groups (the
        groups side by side), phase-centres.md (at the centre of each accuracy phase
        of each run: test accuracy, alpha FC1/FC2, traps -- WeightWatcher's count and
        centered -- and FC1's shuffled-ESD KS, mean +- sample sd over seeds),
        phase-centres.csv (every run's values), index.html and seeds.json. The table
        is also printed. An existing --out is written into only when it holds an
        earlier seeds report.

        Example: grok-report seeds runs/seed0 runs/seed1 runs/seed2 --out reports/seeds
        """)

    @Argument(help: "Run directories (config.json, metrics.csv, htsr.csv, phases.json).")
    var directories: [String] = []

    @Option(help: "Output folder.")
    var out: String

    @Flag(help: "Do not write PNGs.")
    var noPng = false

    func validate() throws {
        guard !directories.isEmpty else { throw ValidationError("give at least one run directory (see --help)") }
    }

    func run() throws {
        let runs = directories.map { d in
            (url: URL(fileURLWithPath: d), name: d.count > 1 && d.hasSuffix("/") ? String(d.dropLast()) : d)
        }
        let result = try SeedReport.build(runs: runs, out: URL(fileURLWithPath: out), png: !noPng)
        for w in result.warnings { FileHandle.standardError.write(Data("note: \(w)\n".utf8)) }
        print(result.table)
        print("wrote \(result.files.count) files into \(out)")
    }
}
