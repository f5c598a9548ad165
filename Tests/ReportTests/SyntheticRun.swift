import Foundation

/// A made-up anti-grokking run written to disk in the run-directory format: 50 evaluations
/// from step 0 to 10^7 (train accuracy saturates near 10^3, test accuracy rises through 10^5,
/// peaks near 10^6 and collapses by 10^7), HTSR rows for three layers at 20 steps, phases.json.
enum SyntheticRun {
    static func logistic(_ x: Double, centre: Double, width: Double) -> Double { 1 / (1 + exp(-(x - centre) / width)) }

    static var metricSteps: [Double] {
        [0] + (0..<49).map { (pow(10, Double($0) * 7.0 / 48.0)).rounded() }
    }

    static func testAcc(_ step: Double) -> Double {
        let l = log10(max(step, 1))
        let rise = 0.13 + 0.72 * logistic(l, centre: 5.0, width: 0.3)
        let fall = 0.4 * logistic(l, centre: 6.5, width: 0.15)
        return rise - fall
    }

    static func metricsCSV(diagnostics: Bool = true) -> String {
        var header = "step,train_loss,train_acc,test_loss,test_acc,l2_norm,l2_weights,l2_fc1,l2_fc2,l2_fc3,wall_s"
        if diagnostics { header += ",sparsity,sparsity_smooth,entropy_fc1,entropy_fc2,entropy_fc3,lcc_paper,lcc_code,phase" }
        var lines = [header]
        for s in metricSteps {
            let l = log10(max(s, 1))
            let train = 0.1 + 0.9 * logistic(l, centre: 2.8, width: 0.25)
            let test = testAcc(s)
            let norm = 93.6 + 25 * logistic(l, centre: 5.5, width: 0.6)
            var row = [s, 0.09 * (1 - train), train, 0.09 * (1 - test), test, norm, norm * 0.99, norm * 0.8, norm * 0.5, norm * 0.1, s / 2000]
                .map { "\($0)" }.joined(separator: ",")
            if diagnostics {
                let phase = s < 600 ? "memorizing" : s < 6e4 ? "pre-grokking" : s < 5e5 ? "grokking" : s < 2.5e6 ? "grokked" : "anti-grokking"
                row += "," + [0.4 + 0.3 * logistic(l, centre: 5, width: 0.5), 0.45 + 0.25 * logistic(l, centre: 5, width: 0.5),
                              1200 - 100 * logistic(l, centre: 6, width: 0.4), 800.0, s < 10 ? Double.nan : 150.0,
                              0.01 + 0.05 * logistic(l, centre: 4, width: 0.5), 0.02 + 0.1 * logistic(l, centre: 4, width: 0.5)]
                    .map { $0.isNaN ? "" : "\($0)" }.joined(separator: ",") + "," + phase
            }
            lines.append(row)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static var htsrSteps: [Double] { (0..<20).map { pow(10, 1 + Double($0) * 6.0 / 19.0).rounded() } }

    static func htsrCSV() -> String {
        var lines = ["step,layer,N,M,alpha,D,xmin,xmax,sigma,num_pl_spikes,alpha_weighted,log_norm,log_spectral_norm,stable_rank,mp_softrank,num_spikes,num_traps,ks_stat,ks_pvalue,max_trap_height,status"]
        for s in htsrSteps {
            let l = log10(s)
            let collapse = logistic(l, centre: 6.5, width: 0.15)
            for (layer, n, m, a0, a1, t) in [("fc1", 784, 200, 5.0, 0.9, 8.0), ("fc2", 200, 200, 2.9, 1.3, 1.0), ("fc3", 200, 10, 3.5, 3.0, 0.0)] {
                let alpha = a0 + (a1 - a0) * (0.3 * logistic(l, centre: 5.5, width: 0.4) + 0.7 * collapse)
                let traps = (t * collapse).rounded()
                let status = layer == "fc3" && s < 100 ? "failed: fewer than 2 eigenvalues above 1e-5" : "ok"
                let alphaCell = status == "ok" ? "\(alpha)" : ""
                lines.append("\(s),\(layer),\(n),\(m),\(alphaCell),0.05,1.2,40,0.2,30,\(alpha * 1.5),2.1,1.5,12,0.3,3,\(traps),\(0.01 + 0.3 * collapse),\(1 - collapse),,\(status)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static let phasesJSON = """
    {"accuracy": [{"phase": "memorizing", "start_step": 0, "end_step": 562},
                  {"phase": "pre-grokking", "start_step": 750, "end_step": 56234},
                  {"phase": "grokking", "start_step": 75000, "end_step": 421697},
                  {"phase": "grokked", "start_step": 562341, "end_step": 1778279},
                  {"phase": "anti-grokking", "start_step": 2371374, "end_step": 10000000}],
     "htsr": [{"phase": "pre-grokking", "start_step": 10, "end_step": 100000},
              {"phase": "grokking", "start_step": 146780, "end_step": 1000000},
              {"phase": "anti-grokking", "start_step": 1467799, "end_step": 10000000}],
     "agreement": 0.83, "collapse_step": 2371374, "htsr_collapse_step": 1467799, "lead_steps": 903575,
     "warning_step": 1234567, "warning_test_acc": 0.8125, "final_test_acc": 0.5,
     "rule": "paper"}
    """

    static let configJSON = """
    {"steps": 10000000, "lr": 0.0005, "wd": 0, "optimizer": "adamw", "loss": "mse", "dtype": "f64",
     "widths": [784, 200, 200, 10], "init_scale": 8, "batch_size": 200, "batch_order": "cycled",
     "seed": 0, "train_size": 1000, "test_size": 10000, "data_source": "mnist <5k>",
     "command_line": "grok-train --preset paper", "version": "0.1", "preset": "paper", "verbose": true}
    """

    /// Writes the files into a fresh temporary run directory named `name`.
    static func make(name: String = "synthetic-run", metrics: Bool = true, htsr: Bool = true, phases: Bool = true,
                     config: Bool = true, diagnostics: Bool = true, in parent: URL? = nil) throws -> URL {
        let base = parent ?? FileManager.default.temporaryDirectory.appendingPathComponent("report-tests-\(UUID().uuidString)")
        let dir = base.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        if config { try configJSON.write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8) }
        if metrics { try metricsCSV(diagnostics: diagnostics).write(to: dir.appendingPathComponent("metrics.csv"), atomically: true, encoding: .utf8) }
        if htsr { try htsrCSV().write(to: dir.appendingPathComponent("htsr.csv"), atomically: true, encoding: .utf8) }
        if phases { try phasesJSON.write(to: dir.appendingPathComponent("phases.json"), atomically: true, encoding: .utf8) }
        return dir
    }
}
