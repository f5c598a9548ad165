import Foundation
import GrokCore
import Phases
import RunFiles

/// One run as the seed comparison reads it: its settings, accuracy curves, phase labels and
/// the HTSR numbers of its layers, all from the run directory's files.
public struct SeedRun: Sendable {
    public let name: String
    public let seed: Int?
    /// config.json's scalar members as text (nested objects left out).
    public let settings: [String: String]
    public let steps: [Double]
    public let trainAccuracy: [Double]
    public let testAccuracy: [Double]
    /// The accuracy labels of phases.json (the run's own thresholds); from metrics.csv with the
    /// default thresholds when phases.json is missing.
    public let phases: [PhaseSpan]
    /// Per layer, per step: htsr.csv's row.
    public let htsr: [String: [Int: HTSRRow]]

    public static func load(_ dir: URL, name: String) throws -> SeedRun {
        let data = try RunData.load(dir)
        guard let metrics = data.metrics, let steps = metrics.numbers("step"),
              let train = metrics.numbers("train_acc"), let test = metrics.numbers("test_acc") else {
            throw GrokError("\(dir.path): no readable metrics.csv (step, train_acc, test_acc)")
        }
        guard !data.config.isEmpty else { throw GrokError("\(dir.path) is not a GrokLab run directory (no config.json)") }
        var settings: [String: String] = [:]
        for (k, v) in data.config where !v.hasPrefix("{") { settings[k] = v }
        var phases = data.phases?.accuracySpans ?? []
        if phases.isEmpty {
            let points = steps.indices.map { AccuracyPoint(step: Int(steps[$0]), trainAccuracy: train[$0], testAccuracy: test[$0]) }
            phases = AccuracyPhases(points: points).segments.map {
                PhaseSpan(phase: $0.phase.rawValue, startStep: Double($0.startStep), endStep: Double($0.endStep))
            }
        }
        var htsr: [String: [Int: HTSRRow]] = [:]
        let htsrURL = RunDirectory(dir).htsrURL
        if FileManager.default.fileExists(atPath: htsrURL.path) {
            for r in try HTSRFile.read(htsrURL) { htsr[r.layer, default: [:]][r.step] = r }
        }
        return SeedRun(name: name, seed: data.configValues["seed"].map { Int($0) }, settings: settings, steps: steps,
                       trainAccuracy: train, testAccuracy: test, phases: phases, htsr: htsr)
    }

    /// `metric` of `layer` at each of `steps` (nil where htsr.csv has no value).
    func htsrValues(_ layer: String, at steps: [Double], _ metric: (HTSRRow) -> Double?) -> [Double?] {
        steps.map { s in htsr[layer]?[Int(s)].flatMap(metric) }
    }
}

/// Runs that differ only in their seed (and the run's own bookkeeping: paths, times, the BLAS
/// core): one experiment's repeats.
public struct SeedGroup: Sendable {
    /// The settings that tell this group from the others ("wd=0"), or "all runs".
    public let label: String
    public let runs: [SeedRun]

    /// File-name form of the label.
    public var slug: String {
        let s = label.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" }
        return String(s)
    }

    /// Members of config.json that say how a run was made but not what was run.
    static let bookkeeping: Set<String> = ["seed", "blas_core", "command_line", "data_checksum", "data_path",
                                          "data_source", "started", "version", "threads"]

    /// Groups `runs` by every setting all of them record, except the seed and bookkeeping; in
    /// order of first appearance.
    public static func group(_ runs: [SeedRun]) -> [SeedGroup] {
        guard let first = runs.first else { return [] }
        var keys = Set(first.settings.keys)
        for r in runs.dropFirst() { keys.formIntersection(r.settings.keys) }
        keys.subtract(bookkeeping)
        let sortedKeys = keys.sorted()
        var order: [String] = [], members: [String: [SeedRun]] = [:]
        var values: [String: [String: String]] = [:]
        for r in runs {
            let key = sortedKeys.map { "\($0)=\(r.settings[$0]!)" }.joined(separator: "\u{1}")
            if members[key] == nil { order.append(key); values[key] = r.settings }
            members[key, default: []].append(r)
        }
        let differing = sortedKeys.filter { k in Set(order.map { values[$0]![k]! }).count > 1 }
        return order.map { key in
            let v = values[key]!
            let label = differing.isEmpty ? "all runs" : differing.map { "\($0)=\(v[$0]!)" }.joined(separator: ", ")
            return SeedGroup(label: label, runs: members[key]!)
        }
    }

    /// The evaluation steps every run of the group has, in order.
    public var commonSteps: [Double] {
        guard let first = runs.first else { return [] }
        let others = runs.dropFirst().map { Set($0.steps) }
        return first.steps.filter { s in others.allSatisfy { $0.contains(s) } }
    }

    /// Mean, min and max over the runs at each of `steps` of the values `pick` gives (nil where
    /// a run has none: that step is left out).
    public func band(_ steps: [Double], _ pick: (SeedRun, [Double]) -> [Double?]) -> SeedBand {
        let columns = runs.map { pick($0, steps) }
        var out = SeedBand()
        for (i, s) in steps.enumerated() {
            let v = columns.compactMap { $0[i] }.filter(\.isFinite)
            guard v.count == runs.count, !v.isEmpty else { continue }
            out.x.append(s); out.mean.append(v.reduce(0, +) / Double(v.count))
            out.lower.append(v.min()!); out.upper.append(v.max()!)
        }
        return out
    }

    /// Test and train accuracy of a run at `steps` (metrics.csv's rows).
    public static func accuracy(_ run: SeedRun, _ steps: [Double], test: Bool) -> [Double?] {
        var index: [Double: Int] = [:]
        for (i, s) in run.steps.enumerated() { index[s] = i }
        return steps.map { s in index[s].map { test ? run.testAccuracy[$0] : run.trainAccuracy[$0] } }
    }

    /// The accuracy phases of the seed-mean curves (default thresholds).
    public var meanPhases: [PhaseSpan] {
        let steps = commonSteps
        let train = band(steps) { Self.accuracy($0, $1, test: false) }
        let test = band(steps) { Self.accuracy($0, $1, test: true) }
        guard train.x == test.x else { return [] }
        let points = train.x.indices.map { AccuracyPoint(step: Int(train.x[$0]), trainAccuracy: train.mean[$0], testAccuracy: test.mean[$0]) }
        return AccuracyPhases(points: points).segments.map {
            PhaseSpan(phase: $0.phase.rawValue, startStep: Double($0.startStep), endStep: Double($0.endStep))
        }
    }
}

/// A curve over seeds: x, the mean, and the range from the lowest to the highest seed.
public struct SeedBand: Sendable {
    public var x: [Double] = []
    public var mean: [Double] = []
    public var lower: [Double] = []
    public var upper: [Double] = []
}
