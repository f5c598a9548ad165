import ArgumentParser
import Foundation
import GrokCore
import Linalg
import Report
import ToolSupport

/// `grok-report RUN_DIR`: redraws figures/ and report.html from a run directory's files.
struct GrokReport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grok-report",
        abstract: "Rebuild figures/ and report.html from a GrokLab run directory (also while it is still running).",
        discussion: """
        Reads config.json, metrics.csv, htsr.csv, phases.json and snapshots/ and writes
        figures/<n>-<name>.svg (+ .png when rsvg-convert is installed) and report.html, one
        self-contained page. Whatever is missing is drawn as far as possible and listed.
        """)

    @Argument(help: "The run directory (runs/<name>).")
    var runDirectory: String

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

    func run() throws {
        var options = ReportOptions()
        options.png = !noPng
        options.esdLayer = layer
        options.esdStep = step
        options.seed = seed
        let result = try RunReport.build(runDirectory: URL(fileURLWithPath: runDirectory), options: options)
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
