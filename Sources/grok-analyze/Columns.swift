import Foundation
import HTSR
import Diagnostics

/// One analysed layer with where it came from.
struct Row: Sendable {
    let source: WeightSource
    /// The tensor's position in its file (WeightWatcher's layer_id counts layers in model order).
    let layerID: Int
    var analysis: LayerAnalysis
}

/// The columns grok-analyze shows: every metric of `LayerAnalysis.metrics` in csv, and in the
/// terminal table the ones WeightWatcher's DataFrame print shows, in its order.
enum Column {
    static var metrics: [LayerMetric] { LayerAnalysis.metrics }

    /// The table's columns in WeightWatcher's order (the randomization ones only with --randomize).
    static func tableColumns(randomized: Bool) -> [LayerMetric] {
        var names = ["N", "M", "alpha", "alpha_weighted", "D", "xmin", "xmax", "sigma", "num_pl_spikes", "log_norm",
                     "log_spectral_norm", "stable_rank", "mp_softrank", "num_spikes", "sigma_mp", "detX_num", "ERG_gap"]
        if randomized {
            names += ["num_traps", "rand_num_spikes", "rand_sigma_mp", "ks_stat", "ks_pvalue", "ww_softrank",
                      "mean_spike", "num_traps_centered"]
        }
        return (names + ["status"]).map { LayerAnalysis.metric(named: $0)! }
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
