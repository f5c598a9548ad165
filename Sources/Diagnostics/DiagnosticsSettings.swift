import Foundation
import GrokCore
import Phases
import RunFiles
import Model

/// The diagnostics choices a user makes on the command line, saved in config.json under
/// "diagnostics" so that `--resume` continues with the same columns and rules.
public struct DiagnosticsSettings: Codable, Sendable, Equatable {
    public var htsr: HTSRMode = .paper
    /// Activation sparsity threshold tau (the authors' code: 1.0).
    public var sparsityThreshold: Double = 1.0
    /// Accuracy-phase thresholds (see PhaseThresholds for the rules).
    public var trainFit: Double = PhaseThresholds().trainFit
    public var collapseDrop: Double = PhaseThresholds().collapseDrop
    public var collapseSustain: Int = PhaseThresholds().sustain
    public var riseFraction: Double = PhaseThresholds().riseFraction
    public var grokkedFraction: Double = PhaseThresholds().grokkedFraction
    /// Snapshot files kept (--keep-snapshots); nil = all. Saved so a resumed run keeps the same.
    public var keepSnapshots: SnapshotRetention? = nil
    /// HTSR phase rule: which trap count (nil = centered) and the window of alpha's causal
    /// running median in decades of step (nil = HTSRThresholds' default; 0 = raw alpha).
    /// Optional so that config.json files written before they existed still read.
    public var htsrTraps: TrapCount?
    public var htsrAlphaWindow: Double?
    /// How HTSR tells pre-grokking from grokking, and the stable-rank fall that marks it
    /// (nil = HTSRThresholds' defaults).
    public var htsrRule: HTSRRule?
    public var htsrStableRankDrop: Double?
    /// What the run does when the HTSR anti-grokking rule first fires (nil = continue).
    public var onWarning: WarningAction?
    /// Keep a TensorBoard event file in the run directory while training (nil = no).
    public var tensorboard: Bool?

    public init() {}

    public func validate() throws {
        guard sparsityThreshold.isFinite else { throw GrokError("--sparsity-threshold must be a number") }
        guard trainFit > 0, trainFit <= 1 else { throw GrokError("--fit-threshold must be in (0, 1], got \(trainFit)") }
        guard collapseDrop > 0, collapseDrop < 1 else { throw GrokError("--collapse-drop must be in (0, 1), got \(collapseDrop)") }
        guard collapseSustain >= 1 else { throw GrokError("--collapse-sustain must be at least 1, got \(collapseSustain)") }
        guard riseFraction > 0, riseFraction < grokkedFraction, grokkedFraction < 1 else {
            throw GrokError("phase fractions must satisfy 0 < --rise-fraction < --grokked-fraction < 1")
        }
        if let w = htsrAlphaWindow, !(w >= 0 && w <= 3) {
            throw GrokError("--htsr-alpha-window must be between 0 and 3 decades, got \(w)")
        }
        if let d = htsrStableRankDrop, !(d > 0 && d < 1) {
            throw GrokError("--htsr-stable-rank-drop must be a fraction in (0, 1), got \(d)")
        }
        // The warning is the HTSR rule's: without HTSR it can never fire.
        if htsr == .off, let action = onWarning, action != .continue {
            throw GrokError("--on-warning \(action.rawValue) acts on the HTSR anti-grokking warning, which --htsr off never computes; drop one of them")
        }
    }

    public var configuration: RunDiagnostics.Configuration {
        var c = RunDiagnostics.Configuration()
        c.htsrMode = htsr
        c.measures.tau = sparsityThreshold
        c.thresholds.trainFit = trainFit
        c.thresholds.collapseDrop = collapseDrop
        c.thresholds.sustain = collapseSustain
        c.thresholds.riseFraction = riseFraction
        c.thresholds.grokkedFraction = grokkedFraction
        c.htsrThresholds = htsrThresholds
        c.onWarning = onWarning ?? .continue
        return c
    }

    /// The HTSR phase rule these settings ask for.
    public var htsrThresholds: HTSRThresholds {
        var t = HTSRThresholds()
        if let v = htsrTraps { t.trapCount = v }
        if let v = htsrAlphaWindow { t.alphaWindowDecades = v }
        if let v = htsrRule { t.rule = v }
        if let v = htsrStableRankDrop { t.stableRankDrop = v }
        return t
    }

    /// As a JSON object for config.json.
    public var jsonObject: [String: Any] { ConfigFile.jsonObject(self) }

    /// Reads the "diagnostics" object of a run's config.json (defaults when absent).
    public static func read(configURL: URL) throws -> DiagnosticsSettings {
        guard let root = try? ConfigFile.read(configURL) else { throw GrokError("cannot read \(configURL.path)") }
        guard root["diagnostics"] != nil else { return DiagnosticsSettings() }
        do { return try ConfigFile.decode(DiagnosticsSettings.self, from: configURL, key: "diagnostics") ?? DiagnosticsSettings() }
        catch { throw GrokError("\(configURL.path): the \"diagnostics\" settings are not valid (\(error))") }
    }
}

/// What a run does when the HTSR anti-grokking rule (phases.json's, the data-free early
/// warning) first fires. Every action records the step in phases.json and says it.
public enum WarningAction: String, Codable, Sendable, CaseIterable {
    /// Keep training.
    case `continue`
    /// Also write warning-checkpoint.safetensors (the weights at the warning step).
    case checkpoint
    /// Write it and end the run as an interrupt would (checkpoint.safetensors; resumable).
    case stop
}
