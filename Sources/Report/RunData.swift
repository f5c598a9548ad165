import Foundation
import GrokCore
import Phases

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
        let fm = FileManager.default

        let configURL = dir.appendingPathComponent("config.json")
        if fm.fileExists(atPath: configURL.path) {
            do { try run.readConfig(configURL) } catch { run.warnings.append("config.json: \(error)") }
        } else { run.warnings.append("config.json is missing") }

        for (file, keyPath) in [("metrics.csv", \RunData.metrics), ("htsr.csv", \RunData.htsr)] {
            let url = dir.appendingPathComponent(file)
            guard fm.fileExists(atPath: url.path) else {
                run.warnings.append(file == "htsr.csv" ? "htsr.csv is missing (HTSR diagnostics not run yet or disabled)" : "\(file) is missing")
                continue
            }
            do {
                let t = try CSVTable.read(url)
                run[keyPath: keyPath] = t
                run.warnings += t.notes
                if t.rowCount == 0 { run.warnings.append("\(file) has no rows yet") }
            } catch { run.warnings.append("\(error)") }
        }

        let phasesURL = dir.appendingPathComponent("phases.json")
        if fm.fileExists(atPath: phasesURL.path) {
            do { run.phases = try readPhases(phasesURL) } catch { run.warnings.append("\(error)") }
        } else { run.warnings.append("phases.json is missing (phases not labelled yet)") }

        let snapDir = dir.appendingPathComponent("snapshots")
        if let files = try? fm.contentsOfDirectory(atPath: snapDir.path) {
            for f in files where f.hasPrefix("step-") && f.hasSuffix(".safetensors") {
                let digits = f.dropFirst(5).dropLast(12)
                if let s = Int(digits) { run.snapshots.append((s, snapDir.appendingPathComponent(f))) }
            }
            run.snapshots.sort { $0.step < $1.step }
        }
        if run.snapshots.isEmpty { run.warnings.append("no snapshots/step-*.safetensors") }
        return run
    }

    mutating func readConfig(_ url: URL) throws {
        let data = try Data(contentsOf: url)
        let value: JSONValue
        do { value = try JSONValue.parse(data) } catch { throw GrokError("not valid JSON (half written?)") }
        guard let dict = value.object else { throw GrokError("not a JSON object") }
        // Decoding loses key order; keep the file's order by finding each key in the text.
        let text = String(decoding: data, as: UTF8.self)
        let ordered = dict.keys.sorted { a, b in
            let ia = text.range(of: "\"\(a)\"")?.lowerBound, ib = text.range(of: "\"\(b)\"")?.lowerBound
            switch (ia, ib) {
            case let (x?, y?): return x < y
            case (nil, _?): return false
            case (_?, nil): return true
            default: return a < b
            }
        }
        htsrMode = dict["diagnostics"]?.object?["htsr"]?.string
        for k in ordered {
            config.append((k, dict[k]!.display))
            if let n = dict[k]!.number { configValues[k] = n }
        }
    }

    static func readPhases(_ url: URL) throws -> PhaseSummary {
        let value: JSONValue
        do { value = try JSONValue.parse(Data(contentsOf: url)) } catch {
            throw GrokError("phases.json is not valid JSON (half written?): ignored")
        }
        guard let d = value.object else { throw GrokError("phases.json is not a JSON object") }
        func spans(_ key: String) -> [PhaseSpan] {
            (d[key]?.array ?? []).compactMap { e in
                guard let p = e["phase"]?.string, let s = e["start_step"]?.number, let t = e["end_step"]?.number else { return nil }
                return PhaseSpan(phase: p, startStep: s, endStep: t)
            }
        }
        var out = PhaseSummary()
        out.accuracy = spans("accuracy")
        out.htsr = spans("htsr")
        out.agreement = d["agreement"]?.number
        out.collapseStep = d["collapse_step"]?.number
        out.htsrCollapseStep = d["htsr_collapse_step"]?.number
        out.leadSteps = d["lead_steps"]?.number
        out.warningStep = d["warning_step"]?.number
        out.warningTestAccuracy = d["warning_test_acc"]?.number
        if let full = try? JSONDecoder().decode(PhasesReport.self, from: Data(contentsOf: url)) {
            out.confusion = full.confusion
            out.baselineConfusion = full.baselineConfusion
            out.htsrThresholds = full.htsrThresholds
        }
        let known: Set<String> = ["accuracy", "htsr", "agreement", "collapse_step", "htsr_collapse_step", "lead_steps",
                                  "warning_step", "warning_test_acc", "final_test_acc"]
        for k in d.keys.sorted() where !known.contains(k) {
            switch d[k]! {
            case .array, .object: continue
            default: out.extra.append((k, d[k]!.display))
            }
        }
        return out
    }
}
