import Foundation
import GrokCore
import HTSR
import RunFiles

/// How the diagnostics run the HTSR analyzer on each snapshot.
public enum HTSRMode: String, Sendable, Codable, CaseIterable {
    /// No HTSR analysis (no htsr.csv; phases.json has accuracy labels only).
    case off
    /// WeightWatcher's defaults (no finger clipping), plus the seeded randomization that
    /// counts correlation traps (the phase rule needs them).
    case plain
    /// The grokking paper's setting: fix_fingers = clip_xmax, seeded randomization.
    case paper
}

/// What the diagnostics need from an HTSR analyzer: one `HTSRRow` per layer, in input order.
/// Kept this small so that the analyzer behind it can change (an adapter per analyzer).
/// Implementations must not trap on bad layers: a failure is a row with a "failed: ..." status.
public protocol LayerAnalyzer: Sendable {
    /// `seed` drives the randomized ESDs; the same seed must give the same rows.
    func analyze(_ layers: [LayerInput], step: Int, seed: UInt64) -> [HTSRRow]
}
