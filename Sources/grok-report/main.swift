import ArgumentParser
import Foundation
import GrokCore
import Report
import RunFiles
import ToolSupport

/// `grok-report`: a run's figures and page (the default), or several runs compared over seeds.
/// A group whose default subcommand builds one run's report: a root with a positional run
/// directory would swallow `seeds`.
struct GrokReport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grok-report",
        abstract: "Rebuild figures/ and report.html from a GrokLab run directory (also while it is still running).",
        discussion: """
        Examples:
          grok-report runs/NAME                 figures/ and report.html, now
          grok-report runs/NAME --open          ... and open the page
          grok-report --watch runs/NAME         a live page until the run ends
          grok-report seeds RUN... --out DIR    runs over seeds: bands, table
          grok-report --tensorboard DIR         event files of a run or a sweep

        `grok-report build --help` lists the options of a run's report.
        """,
        subcommands: [Build.self, Seeds.self],
        defaultSubcommand: Build.self)
}

/// `grok-report RUN_DIR`: redraws figures/ and report.html from a run directory's files.
struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild figures/ and report.html from one run directory (the default: `grok-report RUN_DIR`).",
        discussion: """
        Reads config.json, metrics.csv, htsr.csv, phases.json and snapshots/ and
        writes figures/<n>-<name>.svg (+ .png when rsvg-convert is installed) and
        report.html, one self-contained page. Whatever is missing is drawn as far as
        possible and listed.

        --watch rebuilds the page while the run trains (at most once a minute, and
        under 1% of the time), marked "live, step N of M, updated HH:MM" and reloading
        itself every minute; when the run completes or stops it builds the final page
        and exits. grok-train does the same by itself unless --no-report; --watch is
        for such runs, or one on another machine's shared filesystem.
        """)

    @Argument(help: "The run directory (runs/<name>).")
    var runDirectory: String?

    @Option(help: ArgumentHelp("Write TensorBoard event files instead of the report: for the run DIR, or for every run of a sweep or folder of runs DIR (one TensorBoard run per cell). Runs still training are skipped: grok-train --tensorboard logs those live.", valueName: "DIR"))
    var tensorboard: String?

    @Flag(help: "Keep report.html live while the run trains; build the final page when it ends.")
    var watch = false

    @Option(help: "With --watch: the least seconds between two live builds. (default: 60)")
    var every: Double?

    @Flag(help: "Open report.html with xdg-open afterwards.")
    var open = false

    @Flag(help: "Do not write PNGs.")
    var noPng = false

    @Option(help: "Layer whose ESD figures 4 and 5 show (fc1, fc2, fc3).")
    var layer = "fc1"

    @Option(help: "Snapshot step for figures 4 and 5 (default: the last snapshot).")
    var step: Int?

    @Option(help: "Seed of the shuffles behind the randomized ESD (figure 5).")
    var seed: UInt64 = 0

    func validate() throws {
        if tensorboard != nil, runDirectory != nil { throw ValidationError("--tensorboard DIR takes the run or sweep itself: give no run directory besides it") }
        if tensorboard == nil, runDirectory == nil { throw ValidationError("give a run directory (or --tensorboard DIR)") }
        guard let every else { return }
        guard watch else { throw ValidationError("--every is only used with --watch (the least seconds between two live builds)") }
        guard every > 0, every.isFinite else { throw ValidationError("--every must be a positive number of seconds, got \(every)") }
    }

    func run() throws {
        if let tensorboard {
            let result = try TensorBoardLog.exportAll(URL(fileURLWithPath: tensorboard))
            for s in result.skipped { FileHandle.standardError.write(Data("note: skipped \(s.run.path): \(s.why)\n".utf8)) }
            print("wrote \(result.written.count) event file(s); view with: tensorboard --logdir \(tensorboard)")
            return
        }
        guard let runDirectory else { return }
        var options = ReportOptions()
        options.png = !noPng
        options.esdLayer = layer
        options.esdStep = step
        options.seed = seed
        let directory = URL(fileURLWithPath: runDirectory)
        if watch {
            var watcher = ReportWatcher(runDirectory: directory, options: options)
            watcher.minimumInterval = every ?? 60
            var opened = !open   // open the page once it exists
            let final = try watcher.run { line in
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
                if !opened { opened = true; openInBrowser(RunDirectory(directory).reportURL) }
            }
            for w in final.warnings { FileHandle.standardError.write(Data("note: \(w)\n".utf8)) }
            return
        }
        let result = try RunReport.build(runDirectory: directory, options: options)
        for w in result.warnings { FileHandle.standardError.write(Data("note: \(w)\n".utf8)) }
        let figures = result.files.filter { $0.pathExtension == "svg" }.count
        print("wrote \(figures) figures and \(result.report?.path ?? "no report")")
        if open, let report = result.report { openInBrowser(report) }
    }

    func openInBrowser(_ url: URL) {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let tool = "\(dir)/xdg-open"
            guard FileManager.default.isExecutableFile(atPath: tool) else { continue }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: tool)
            p.arguments = [url.path]
            if (try? p.run()) != nil { return }
        }
        FileHandle.standardError.write(Data("note: xdg-open not found; open \(url.path) in a browser\n".utf8))
    }
}

runTool(GrokReport.self)
