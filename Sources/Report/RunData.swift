import Foundation
import GrokCore
import Phases
import RunFiles
import Tensors

/// A stretch of steps with one phase label (from phases.json).
public struct PhaseSpan: Sendable, Equatable {
    public var phase: String
    public var startStep: Double
    public var endStep: Double
}

/// What phases.json says (every field optional: a live run may not have written it yet).
public struct PhaseSummary: Sendable {
    public var accuracy: [PhaseSpan] = []
    public var htsr: [PhaseSpan] = []
    public var agreement: Double?
    public var collapseStep: Double?
    public var htsrCollapseStep: Double?
    public var leadSteps: Double?
    /// Accuracy phase x HTSR label with per-phase recall, for the rule used and the baseline
    /// (raw alpha, WeightWatcher's traps); nil in files written before they existed.
    public var confusion: PhaseConfusion?
    public var baselineConfusion: PhaseConfusion?
    /// The HTSR rule's settings (its alpha window and trap count), when the file has them.
    public var htsrThresholds: HTSRThresholds?
    /// The data-free early warning (first HTSR anti-grokking label) and the test accuracy there.
    public var warningStep: Double?
    public var warningTestAccuracy: Double?
    /// Every other scalar field, for the summary table.
    public var extra: [(String, String)] = []
}

/// Everything a report reads from a run directory. Nothing here needs the trainer's memory:
/// the files are the interface, and any of them may be missing or half written.
public struct RunData: Sendable {
    public var directory: URL
    public var name: String
    /// config.json, flattened to display strings in file order where possible.
    public var config: [(key: String, value: String)] = []
    public var configValues: [String: Double] = [:]
    public var metrics: CSVTable?
    public var htsr: CSVTable?
    public var phases: PhaseSummary?
    /// (step, file) of snapshots/step-*.safetensors, ascending.
    public var snapshots: [(step: Int, url: URL)] = []
    /// What is missing or was tolerated, one line each.
    public var warnings: [String] = []
    /// The run's HTSR setting (config.json "diagnostics": {"htsr": ...}): off, plain or paper.
    public var htsrMode: String?

    public static func load(_ dir: URL) throws -> RunData {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir) else {
            throw GrokError("run directory \(dir.path) does not exist")
        }
        guard isDir.boolValue else { throw GrokError("\(dir.path) is not a directory") }
        var run = RunData(directory: dir, name: dir.standardizedFileURL.lastPathComponent)
        let files = RunDirectory(dir)
        let fm = FileManager.default

        if fm.fileExists(atPath: files.configURL.path) {
            do { try run.readConfig(files.configURL) } catch { run.warnings.append("config.json: \(error)") }
        } else { run.warnings.append("config.json is missing") }

        for (url, keyPath) in [(files.metricsURL, \RunData.metrics), (files.htsrURL, \RunData.htsr)] {
            let file = url.lastPathComponent
            guard fm.fileExists(atPath: url.path) else {
                run.warnings.append(url == files.htsrURL ? "htsr.csv is missing (HTSR diagnostics not run yet or disabled)" : "\(file) is missing")
                continue
            }
            do {
                let t = try CSVTable.read(url)
                run[keyPath: keyPath] = t
                run.warnings += t.notes
                if t.rowCount == 0 { run.warnings.append("\(file) has no rows yet") }
            } catch { run.warnings.append("\(error)") }
        }

        if fm.fileExists(atPath: files.phasesURL.path) {
            do { run.phases = try readPhases(files.phasesURL) } catch { run.warnings.append("\(error)") }
        } else { run.warnings.append("phases.json is missing (phases not labelled yet)") }

        run.snapshots = files.snapshots()
        if run.snapshots.isEmpty { run.warnings.append("no snapshots/step-*.safetensors") }
        return run
    }

    mutating func readConfig(_ url: URL) throws {
        let value: JSONValue
        do { value = try ConfigFile.read(url) } catch { throw GrokError("not a valid JSON object (half written?)") }
        htsrMode = value["diagnostics"]?["htsr"]?.string
        for (k, v) in value.members ?? [] {
            config.append((k, v.display))
            if let n = v.number { configValues[k] = n }
        }
    }

    /// phases.json through its one reader (PhasesReport), as the report shows it.
    static func readPhases(_ url: URL) throws -> PhaseSummary {
        let report: PhasesReport
        do { report = try PhasesReport.read(from: url) } catch {
            throw GrokError("phases.json is not valid (half written?): ignored")
        }
        func spans(_ segments: [PhaseSegment]) -> [PhaseSpan] {
            segments.map { PhaseSpan(phase: $0.phase.rawValue, startStep: Double($0.startStep), endStep: Double($0.endStep)) }
        }
        var out = PhaseSummary()
        out.accuracy = spans(report.accuracy)
        out.htsr = spans(report.htsr)
        out.agreement = report.agreement
        out.collapseStep = report.collapseStep.map(Double.init)
        out.htsrCollapseStep = report.htsrCollapseStep.map(Double.init)
        out.leadSteps = report.leadSteps.map(Double.init)
        out.warningStep = report.warningStep.map(Double.init)
        out.warningTestAccuracy = report.warningTestAccuracy
        out.confusion = report.confusion
        out.baselineConfusion = report.baselineConfusion
        out.htsrThresholds = report.htsrThresholds
        // The other scalar fields for the summary table, as the file would write them.
        let known: Set<String> = ["accuracy", "htsr", "agreement", "collapse_step", "htsr_collapse_step", "lead_steps",
                                  "warning_step", "warning_test_acc", "final_test_acc"]
        let all = try JSONValue.parse(report.jsonData(), context: "phases.json")
        for (k, v) in (all.members ?? []).sorted(by: { $0.key < $1.key }) where !known.contains(k) {
            switch v {
            case .array, .object: continue
            default: out.extra.append((k, v.display))
            }
        }
        return out
    }
}
