import ArgumentParser
import Foundation
import GrokCore
import Runs
import ToolSupport

/// `grok-sweep`: many grok-train runs over a grid of flags, here or on Slurm, and their summary.
struct GrokSweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grok-sweep",
        abstract: "Sweep grok-train over a grid of flags (here, or as a Slurm job array) and summarize the runs.",
        subcommands: [Start.self, Status.self, Summary.self, Submit.self, RunTask.self, DelayLawCommand.self],
        defaultSubcommand: Start.self)
}

struct Start: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Run a sweep (the default command: 'grok-sweep --wd 0,0.01 ...' means 'grok-sweep start --wd 0,0.01 ...').",
        discussion: """
        Every other flag is a grok-train flag; a comma-separated list sweeps it, and
        the sweep is the cross product of the lists. Flags given one value apply to
        every run.

        Sweepable: \(TrainFlags.sweepableNames.joined(separator: " ")) (--seeds =
        --seed). One value each: --widths, --data-dir, --keep-snapshots,
        --snapshot-dtype, --no-report, --clamp-ref, --clamp-ref-run, --constrain-norm.
        Paths (--data-dir, --clamp-ref-run) are checked once and stored absolute, so
        the runs find them from any directory. The sweep's own business: --threads
        (each run has one), --out, --resume, --quiet, --force (below); its runs
        checkpoint on grok-train's default --checkpoint-interval.

        Snapshots: sweep runs keep about \(SweepGrid.defaultKeepSnapshots) snapshot
        files each (spread in log(step), plus the first, the last and the
        test-accuracy peak; every evaluation keeps its metrics.csv and htsr.csv rows)
        unless you pass --keep-snapshots all|none|N.

        The sweep directory holds sweep.json, runs/<cell>/ (ordinary run directories:
        grok-report and grok-analyze work on each), configs/, state/, logs/, and
        summary.csv, summary.html and figures/ when it ends. Rerunning the same
        command resumes unfinished runs and leaves finished ones untouched; Ctrl-C
        stops every run at a checkpoint.

        Examples:
          grok-sweep --wd 0,1e-3,1e-2,3e-2,1e-1 --seeds 0,1 --preset omnigrok --steps 1e5
          grok-sweep --wd 0,0.01 --seeds 0,1 --preset paper --emit slurm --time 2-00:00:00 --out sweeps/paper
          grok-sweep submit sweeps/paper
          grok-sweep status sweeps/paper
          grok-sweep summary sweeps/paper
        """)

    @Option(help: "Sweep directory. (default: sweeps/<date>-<tag>, or the newest sweeps/ directory holding this same grid)")
    var out: String?

    @Option(help: "Runs at once, each with one BLAS thread. (default: the number of cores)")
    var jobs: Int?

    @Flag(help: "Use a sweep directory that holds a different grid: runs whose settings changed start over, the others continue.")
    var force = false

    @Option(help: "T_grok in the summary: the first evaluation with test accuracy at or above this.")
    var grokThreshold: Double = 0.8

    @Option(help: "slurm: write sweep.json, the run configs and sweep.sbatch (a job array) instead of running here.")
    var emit: SweepEngine?

    @Option(help: "Slurm: at most K array tasks at once (%K).")
    var maxParallel: Int?

    @Option(help: "Slurm: memory per task.")
    var mem: String = "2G"

    @Option(help: "Slurm: time limit per task (minutes, HH:MM:SS or D-HH:MM:SS). A task that hits it has checkpointed; requeue it to continue.")
    var time: String?

    @Option(help: "Slurm: seconds before the time limit at which the task is told to checkpoint and stop.")
    var signalLead: Int = 120

    @Option(help: "Slurm: partition.")
    var partition: String?

    @Option(help: "Slurm: the cluster's MaxArraySize; larger sweeps are split into several arrays.")
    var maxArraySize: Int = 1001

    @Flag(help: "Only one line per started or finished run (no live lines).")
    var quiet = false

    @Argument(parsing: .allUnrecognized, help: "grok-train flags, lists allowed: --wd 0,0.01 --seeds 0,1 ...")
    var trainFlags: [String] = []

    func run() throws {
        var o = StartOptions()
        o.trainArguments = trainFlags
        o.out = out
        if let jobs { o.jobs = jobs }
        o.force = force
        o.emit = emit
        o.grokThreshold = grokThreshold
        o.quiet = quiet
        o.commandLine = CommandLine.arguments.map(SlurmScriptQuote.quote).joined(separator: " ")
        o.slurm.maxParallel = maxParallel
        o.slurm.mem = mem
        o.slurm.time = time
        o.slurm.signalLead = signalLead
        o.slurm.partition = partition
        o.slurm.maxArraySize = maxArraySize
        let code = try SweepStart.run(o) { note($0) }
        if code != 0 { throw ExitCode(code) }
    }
}

extension SweepEngine: ExpressibleByArgument {}

enum SlurmScriptQuote {
    static func quote(_ s: String) -> String {
        if s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=,:+".contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "One line per run (pending, running, stopped, done, failed, diverged; step; test accuracy) and the sweep's ETA; on a Slurm sweep also the array tasks' states and exit codes.")
    @Argument(help: "The sweep directory.") var directory: String

    func run() throws {
        print(SweepStatus.render(try SweepStatus.read(SweepDirectory(URL(fileURLWithPath: directory)))))
    }
}

struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write summary.csv, figures/ (SVG + PNG) and summary.html from whatever runs have finished.")
    @Argument(help: "The sweep directory.") var directory: String
    @Flag(help: "SVG only (no rsvg-convert).") var noPng = false

    func run() throws {
        let sweep = SweepDirectory(URL(fileURLWithPath: directory))
        // No lock: the summary only reads the runs and replaces its own files atomically, so it
        // can be taken while a sweep runs.
        let r = try SweepSummary.build(sweep, png: !noPng)
        for w in r.warnings { note("summary: \(w)") }
        let done = r.rows.filter { $0.status == .done }.count
        print("summary: \(done) of \(r.rows.count) runs finished; \(r.csv.path), \(r.html.path), \(r.figures.count) figure files")
    }
}

struct Submit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Submit a sweep written with --emit slurm (sbatch --parsable); the job ids go to slurm-jobs.json.")
    @Argument(help: "The sweep directory.") var directory: String

    func run() throws {
        let sweep = SweepDirectory(URL(fileURLWithPath: directory))
        let jobs = try SlurmCluster.submit(sweep)
        if jobs.isEmpty { print("nothing to submit: every run of \(sweep.url.path) has finished (grok-sweep status \(sweep.url.path))") }
        for j in jobs { print("submitted \(j.part.script): job \(j.jobID) (runs \(j.part.offset)..\(j.part.offset + j.part.count - 1))") }
    }
}

struct RunTask: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-task",
        abstract: "Run (or resume) one cell of a sweep: what each Slurm array task does.")
    @Argument(help: "The sweep directory.") var directory: String
    @Argument(help: "The run's index in sweep.json.") var index: Int

    func run() throws {
        let code = try SweepTask.run(SweepDirectory(URL(fileURLWithPath: directory)), index: index) { note($0) }
        if code != 0 { throw ExitCode(code) }
    }
}

runTool(GrokSweep.self)
