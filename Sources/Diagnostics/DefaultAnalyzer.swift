import HTSR
import GrokCore
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

extension HTSRRow {
    /// The row for `analysis` at `step`: the metrics htsr.csv keeps, the rest dropped (so a row
    /// in memory equals the row read back from the file).
    public init(step: Int, analysis a: LayerAnalysis) {
        let status: Status
        switch a.status {
        case .ok: status = .ok
        case .skipped(let why): status = .skipped(why)
        case .fitFailed(let why): status = .fitFailed(why)
        }
        self.init(step: step, layer: a.name, N: a.N, M: a.M, status: status)
        alpha = a.alpha; D = a.D; xmin = a.xmin; xmax = a.xmax; sigma = a.sigma; numPLSpikes = a.numPLSpikes
        alphaWeighted = a.alphaWeighted; logNorm = a.logNorm; logSpectralNorm = a.logSpectralNorm
        stableRank = a.stableRank; mpSoftrank = a.mpSoftrank; numSpikes = a.numSpikes; numTraps = a.numTraps
        ksStat = a.ksStat; ksPvalue = a.ksPvalue; maxTrapHeight = a.maxTrapHeight; meanStdRatio = a.meanStdRatio
        meanSpike = a.meanSpike; numTrapsCentered = a.numTrapsCentered; detXNum = a.detXNum; detXVal = a.detXVal
        ergGap = a.ergGap
    }
}
