import ArgumentParser
import Foundation
import GrokCore
import Runs
import ToolSupport

/// `grok-sweep delay-law`: T_grok of clamped runs against rho, the fit log T = a rho + b per
/// task, and figure 8.
struct DelayLawCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delay-law",
        abstract: "Fit the grokking delay law (arXiv 2606.13753) over clamped runs: log T_grok = a * rho + b per task, with figure 8.",
        discussion: """
        Reads every run with a clamp (grok-train --clamp-norm RHO) under each task's
        folders (run directories, sweep directories, or folders of runs). T_grok = the
        first evaluation with test accuracy >= the task's threshold; a run that never
        reached it is censored: listed with its last step, drawn as a triangle, left
        out of the fit (so the fitted slope is a lower bound when high-rho runs are
        censored).

        Writes to --out (never over an earlier fit's files without --force):
        delay-law.csv (per run), delay-law-fit.csv (a, its standard error, b, R^2 per
        task), figures/8-delay-law (one panel per task) and figures/8b-clamped-curves
        (weight norm and test accuracy of the clamped runs).

        Example:
          grok-sweep delay-law --out Experiments/norm-clamp \\
            --task "modular addition;0.9;sweeps/modadd-clamp-seed0,sweeps/modadd-clamp-seed1" \\
            --task "MNIST MLP;0.8;sweeps/mnist-clamp"
        """)

    @Option(help: ArgumentHelp("A task: its name, its T_grok threshold and the folders of its clamped runs, e.g. 'modular addition;0.9;sweeps/a,sweeps/b'. Repeat for more panels.", valueName: "NAME;THRESHOLD;DIR[,DIR...]"))
    var task: [String] = []

    @Option(help: "Where the tables and figures go.")
    var out: String

    @Flag(help: "Replace the files of an earlier fit in --out (delay-law.csv, delay-law-fit.csv, figures/8-*); without it they are never overwritten.")
    var force = false

    func run() throws {
        let tasks = try interpretingFlags {
            guard !task.isEmpty else { throw GrokError("delay-law needs at least one --task 'NAME;THRESHOLD;DIR[,DIR...]'") }
            return try task.map(DelayLaw.Task.init(parsing:))
        }
        for line in try DelayLaw.write(tasks, to: URL(fileURLWithPath: out), force: force) { print(line) }
    }
}
