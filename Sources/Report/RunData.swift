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
    /// phases.json, read by its one reader (nil: not written yet, or not readable).
    public var phases: PhasesReport?
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

    /// phases.json through its one reader; a file that does not read is a warning.
    static func readPhases(_ url: URL) throws -> PhasesReport {
        do { return try PhasesReport.read(from: url) } catch {
            throw GrokError("phases.json is not valid (half written?): ignored")
        }
    }
}

/// How the report shows phases.json: spans on the figures' real step axis, and the scalar
/// fields the summary cards do not show, for the summary table.
extension PhasesReport {
    public var accuracySpans: [PhaseSpan] { Self.spans(accuracy) }
    public var htsrSpans: [PhaseSpan] { Self.spans(htsr) }

    static func spans(_ segments: [PhaseSegment]) -> [PhaseSpan] {
        segments.map { PhaseSpan(phase: $0.phase.rawValue, startStep: Double($0.startStep), endStep: Double($0.endStep)) }
    }

    /// The other scalar fields, sorted by name, as the file writes them.
    public var extra: [(String, String)] {
        let shown: Set<String> = ["accuracy", "htsr", "agreement", "collapse_step", "htsr_collapse_step", "lead_steps",
                                  "warning_step", "warning_test_acc", "final_test_acc"]
        guard let all = try? JSONValue.parse(jsonData(), context: "phases.json") else { return [] }
        var out: [(String, String)] = []
        for (k, v) in (all.members ?? []).sorted(by: { $0.key < $1.key }) where !shown.contains(k) {
            switch v {
            case .array, .object: continue
            default: out.append((k, v.display))
            }
        }
        return out
    }
}
