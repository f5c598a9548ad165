import Foundation
import HTSR
import WeightFiles

/// One analysed layer with where it came from.
struct Row: Sendable {
    let source: WeightSource
    /// The tensor's position in its file (WeightWatcher's layer_id counts layers in model order).
    let layerID: Int
    var analysis: LayerAnalysis
}

/// A metric cell: a number (formatted per output) or text.
enum Cell {
    case int(Int)
    case double(Double)
    case text(String)
}

/// The metric columns, WeightWatcher's names, in the order csv writes them. `table` marks the
/// ones the terminal table shows (WeightWatcher's DataFrame print); `randomized` the ones that
/// exist only with --randomize.
struct Column {
    let name: String
    let table: Bool
    let randomized: Bool
    let value: @Sendable (LayerAnalysis) -> Cell?

    init(_ name: String, table: Bool = false, randomized: Bool = false, _ value: @escaping @Sendable (LayerAnalysis) -> Cell?) {
        self.name = name; self.table = table; self.randomized = randomized; self.value = value
    }

    static func int(_ name: String, table: Bool = false, randomized: Bool = false, _ f: @escaping @Sendable (LayerAnalysis) -> Int?) -> Column {
        Column(name, table: table, randomized: randomized) { f($0).map(Cell.int) }
    }
    static func double(_ name: String, table: Bool = false, randomized: Bool = false, _ f: @escaping @Sendable (LayerAnalysis) -> Double?) -> Column {
        Column(name, table: table, randomized: randomized) { f($0).map(Cell.double) }
    }

    static let metrics: [Column] = [
        Column("kind") { .text($0.kind) },
        .int("N", table: true) { $0.N },
        .int("M", table: true) { $0.M },
        .double("Q") { $0.Q },
        .int("num_evals") { $0.numEvals },
        .double("alpha", table: true) { $0.alpha },
        .double("alpha_weighted", table: true) { $0.alphaWeighted },
        .double("D", table: true) { $0.D },
        .double("xmin", table: true) { $0.xmin },
        .double("xmax", table: true) { $0.xmax },
        .double("sigma", table: true) { $0.sigma },
        .int("num_pl_spikes", table: true) { $0.numPLSpikes },
        Column("warning") { $0.warning.map(Cell.text) },
        .int("num_fingers") { $0.numFingers },
        .double("raw_alpha") { $0.rawAlpha },
        .double("norm") { $0.norm },
        .double("log_norm", table: true) { $0.logNorm },
        .double("spectral_norm") { $0.spectralNorm },
        .double("log_spectral_norm", table: true) { $0.logSpectralNorm },
        .double("log_alpha_norm") { $0.logAlphaNorm },
        .double("stable_rank", table: true) { $0.stableRank },
        .int("matrix_rank") { $0.matrixRank },
        .double("entropy") { $0.entropy },
        .double("mp_softrank", table: true) { $0.mpSoftrank },
        .int("num_spikes", table: true) { $0.numSpikes },
        .double("sigma_mp", table: true) { $0.sigmaMP },
        .double("bulk_max") { $0.bulkMax },
        .double("bulk_min") { $0.bulkMin },
        .double("W_scale") { $0.wScale },
        .double("spike_threshold") { $0.spikeThreshold },
        .int("num_traps", table: true, randomized: true) { $0.numTraps },
        .int("rand_num_spikes", table: true, randomized: true) { $0.randNumSpikes },
        .double("rand_sigma_mp", table: true, randomized: true) { $0.randSigmaMP },
        .double("rand_mp_softrank", randomized: true) { $0.randMPSoftrank },
        .double("rand_bulk_max", randomized: true) { $0.randBulkMax },
        .double("rand_bulk_min", randomized: true) { $0.randBulkMin },
        .double("rand_W_scale", randomized: true) { $0.randWScale },
        .double("rand_spike_threshold", randomized: true) { $0.randSpikeThreshold },
        .double("max_rand_eval", randomized: true) { $0.maxRandEval },
        .double("rand_distance", randomized: true) { $0.randDistance },
        .double("ks_stat", table: true, randomized: true) { $0.ksStat },
        .double("ks_pvalue", table: true, randomized: true) { $0.ksPvalue },
        .double("ww_softrank", table: true, randomized: true) { $0.wwSoftrank },
        .double("ww_maxdist", randomized: true) { $0.wwMaxdist },
        .double("max_trap_height", randomized: true) { $0.maxTrapHeight },
        // Beyond WeightWatcher: how much of num_traps is only the weight mean.
        .double("mean_std_ratio") { $0.meanStdRatio },
        Column("mean_spike", table: true, randomized: true) { $0.meanSpike.map { .text($0 ? "true" : "false") } },
        .int("num_traps_centered", table: true, randomized: true) { $0.numTrapsCentered },
        .double("rand_sigma_mp_centered", randomized: true) { $0.randSigmaMPCentered },
        Column("status") { .text($0.status.description) },
    ]

    /// The table's columns in WeightWatcher's order (the rand_* ones only with --randomize).
    static func tableColumns(randomized: Bool) -> [Column] {
        let byName = Dictionary(uniqueKeysWithValues: metrics.map { ($0.name, $0) })
        var names = ["N", "M", "alpha", "alpha_weighted", "D", "xmin", "xmax", "sigma", "num_pl_spikes", "log_norm",
                     "log_spectral_norm", "stable_rank", "mp_softrank", "num_spikes", "sigma_mp"]
        if randomized {
            names += ["num_traps", "rand_num_spikes", "rand_sigma_mp", "ks_stat", "ks_pvalue", "ww_softrank",
                      "mean_spike", "num_traps_centered"]
        }
        return names.map { byName[$0]! } + [byName["status"]!]
    }
}

/// Text from a file header made safe for one line of output (names are untrusted).
func oneLine(_ s: String) -> String {
    var out = ""
    for u in s.unicodeScalars {
        if u.value < 0x20 || u.value == 0x7F || u.value == 0x85 || u.value == 0x2028 || u.value == 0x2029 {
            out += "\\u{\(String(u.value, radix: 16))}"
        } else {
            out.unicodeScalars.append(u)
        }
    }
    return out
}
