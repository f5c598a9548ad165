import Foundation
import GrokCore
import Model
import Phases
import Tensors
import Training

/// Relabels an existing run from its files, without training again: optionally analyses every
/// snapshot again with this build's HTSR analyzer (new columns such as num_traps_centered), then
/// labels the phases with the given rule and rewrites phases.json.
///
/// The analysis is the live run's exactly: the mode from config.json and the same per-step
/// shuffle seed (SeededRandom(run seed, "htsr-<step>")), so a relabelled htsr.csv equals the one
/// a run with this build would have written. The files a run had before its first relabel are
/// kept next to the new ones (htsr.before-relabel.csv, phases.before-relabel.json); later
/// relabels only rewrite what a relabel wrote. The run directory is locked meanwhile (a live
/// grok-train on it is refused).
public enum RunRelabel {
    public struct Options: Sendable {
        /// Analyse the snapshots again (false: phases only, from the existing htsr.csv).
        public var reanalyze = true
        /// Override the run's HTSR mode (needed when the run had --htsr off).
        public var htsrMode: HTSRMode?
        /// Override the rule's trap count and alpha window (nil: the run's settings).
        public var trapCount: TrapCount?
        public var alphaWindowDecades: Double?
        /// Threads for the layers of one snapshot.
        public var threads = 1
        public init() {}
    }

    public struct Result: Sendable {
        public var report: PhasesReport
        public var analysedSnapshots: Int
        public var files: [URL]
    }

    public static func relabel(directory dir: URL, options: Options = Options(),
                               progress: (String) -> Void = { _ in }) throws -> Result {
        let run = RunDirectory(dir)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw GrokError("\(dir.path) is not a directory")
        }
        guard FileManager.default.fileExists(atPath: run.configURL.path) else {
            throw GrokError("\(run.configURL.path) is missing: \(dir.path) is not a GrokLab run directory")
        }
        let config: TrainingConfig
        do { config = try run.readConfig() } catch {
            throw GrokError("\(run.configURL.path) is not a valid GrokLab config")
        }
        var settings = try DiagnosticsSettings.read(configURL: run.configURL)
        if let v = options.htsrMode { settings.htsr = v }
        if let v = options.trapCount { settings.htsrTraps = v }
        if let v = options.alphaWindowDecades { settings.htsrAlphaWindow = v }
        try settings.validate()
        let lock = try DirectoryLock(directory: dir, holder: "process (a grok-train or a relabel)")
        defer { lock.release() }

        // Read everything needed before rewriting anything.
        let accuracy = try RunFiles.readAccuracy(run.metricsURL)
        let htsrURL = dir.appendingPathComponent("htsr.csv")
        var written: [URL] = []
        var analysed = 0
        var rows: [HTSRRow]
        if options.reanalyze {
            guard settings.htsr != .off else {
                throw GrokError("\(dir.path) was trained with --htsr off: pass --htsr plain or paper to analyse its snapshots")
            }
            let layout = try config.networkLayout().layout
            let analyzer = HTSRLayerAnalyzer(mode: settings.htsr, threads: options.threads)
            let steps = snapshotSteps(run.snapshotsURL)
            guard !steps.isEmpty else { throw GrokError("\(run.snapshotsURL.path): no step-*.safetensors snapshots to analyse") }
            rows = []
            for (k, step) in steps.enumerated() {
                let layers = try snapshotLayers(run.snapshotURL(step: step), layout: layout, step: step)
                var stepRandom = SeededRandom(seed: config.seed, stream: "htsr-\(step)")
                rows += analyzer.analyze(layers, step: step, seed: stepRandom.next()).map { var r = $0; r.step = step; return r }
                analysed += 1
                if (k + 1) % 20 == 0 || k + 1 == steps.count { progress("analysed \(k + 1)/\(steps.count) snapshots") }
            }
            try backUp(htsrURL, as: "htsr.before-relabel.csv")
            let text = ([HTSRRow.columns.joined(separator: ",")] + rows.map(\.csvLine)).joined(separator: "\n") + "\n"
            try AtomicFile.write(text, to: htsrURL)
            written.append(htsrURL)
        } else {
            guard FileManager.default.fileExists(atPath: htsrURL.path) else {
                throw GrokError("\(htsrURL.path) is missing: relabel without --phases-only to analyse the snapshots")
            }
            rows = try RunFiles.readHTSR(htsrURL)
        }

        let config2 = settings.configuration
        let report = PhasesReport(accuracy: accuracy, htsr: rows.map(\.phasePoint),
                                  thresholds: config2.thresholds, htsrThresholds: config2.htsrThresholds)
        let phasesURL = dir.appendingPathComponent("phases.json")
        try backUp(phasesURL, as: "phases.before-relabel.json")
        try report.write(to: phasesURL)
        written.append(phasesURL)
        return Result(report: report, analysedSnapshots: analysed, files: written)
    }

    /// Copies `url` to `name` beside it, unless that backup exists already (the first relabel
    /// keeps what training wrote; later ones rewrite only relabel output).
    static func backUp(_ url: URL, as name: String) throws {
        let fm = FileManager.default
        let backup = url.deletingLastPathComponent().appendingPathComponent(name)
        guard fm.fileExists(atPath: url.path), !fm.fileExists(atPath: backup.path) else { return }
        do { try fm.copyItem(at: url, to: backup) } catch {
            throw GrokError("cannot keep a copy of \(url.path) as \(backup.path): \(error.localizedDescription)")
        }
    }

    /// Steps of snapshots/step-<digits>.safetensors, ascending.
    static func snapshotSteps(_ dir: URL) -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.compactMap { name -> Int? in
            guard name.hasPrefix("step-"), name.hasSuffix(".safetensors") else { return nil }
            return Int(name.dropFirst(5).dropLast(12))
        }.sorted()
    }

    /// The weight matrices of one snapshot (fc1.weight, ... as [out, in]; the token model's
    /// embed.weight [P, d] first).
    static func snapshotLayers(_ url: URL, layout: ParameterLayout, step: Int) throws -> [LayerMatrix] {
        let file = try SafeTensors.read(url)
        return try layout.weights.map { w in
            guard let t = file[w.name] else { throw GrokError("\(url.path): no \(w.name)") }
            guard t.shape == w.dims else {
                throw GrokError("\(url.path): \(w.name) has shape \(t.shape), expected \(w.dims)")
            }
            return LayerMatrix(name: w.layer, rows: w.dims[0], cols: w.dims[1], values: try t.doubles())
        }
    }
}
