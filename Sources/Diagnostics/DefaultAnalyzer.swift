import HTSR
import Linalg
import RunFiles

/// The HTSR analyzer behind `RunDiagnostics` by default.
func defaultAnalyzer(mode: HTSRMode, threads: Int) -> LayerAnalyzer {
    HTSRLayerAnalyzer(mode: mode, threads: threads)
}

/// Adapter from the HTSR target to the diagnostics' `LayerAnalyzer`: the mode picks the
/// options (plain = no finger clipping; paper = fix_fingers clip_xmax), both with the seeded
/// randomization that counts correlation traps, and the KS test of the randomized ESD.
public struct HTSRLayerAnalyzer: LayerAnalyzer {
    public let options: HTSROptions

    public init(mode: HTSRMode, threads: Int) {
        var o = HTSROptions()
        o.fixFingers = mode == .paper ? .clipXmax : .none
        o.randomize = true
        o.threads = max(1, threads)
        options = o
    }

    public func analyze(_ layers: [LayerInput], step: Int, seed: UInt64) -> [HTSRRow] {
        var o = options
        o.seed = seed
        return HTSRAnalyzer.analyze(layers: layers, options: o).map { HTSRRow(step: step, analysis: $0) }
    }
}
