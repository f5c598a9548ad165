import Foundation
import GrokCore
import Phases
import RunFiles
import Training

/// What happens when the HTSR anti-grokking rule first fires during a run (`--on-warning`).
enum WarningResponse {
    static let checkpointName = RunFileName.warningCheckpoint

    /// Says it (stderr, on its own line under the progress line); with checkpoint/stop writes
    /// the weights at the warning step; with stop asks the loop to stop as an interrupt would,
    /// so the run ends with its regular checkpoint and can be resumed. Runs on the diagnostics
    /// queue: the loop stops at its next step, a little after the warning step.
    static func act(_ action: WarningAction, snapshot: WeightSnapshot, report: PhasesReport, directory: URL) throws {
        var line = "HTSR warning at step \(snapshot.step): anti-grokking rule fired (FC1/FC2 alpha < \(report.htsrThresholds?.antiGrokkingAlpha ?? 2) with traps)"
        if let a = report.warningTestAccuracy { line += String(format: ", test accuracy %.4f", a) }
        if action != .continue {
            try write(snapshot, to: RunDirectory(directory).warningCheckpointURL)
            line += "; wrote \(checkpointName)"
        }
        if action == .stop {
            line += "; stopping (--on-warning stop)"
            StopSignal.request()
        }
        FileHandle.standardError.write(Data(("\n" + line + "\n").utf8))
    }

    /// The weights in PyTorch's names and layouts (float64), the step in the metadata.
    static func write(_ s: WeightSnapshot, to url: URL) throws {
        try s.parameters.withUnsafeBufferPointer {
            try SnapshotFile.write(layout: s.layout, parameters: $0, step: s.step, to: url,
                                   metadata: ["reason": "HTSR anti-grokking warning"])
        }
    }

    /// "HTSR warning: step W (test accuracy a); peak p at step s; end e", or that none fired.
    static func summaryLine(_ r: PhasesReport) -> String {
        func pct(_ x: Double?) -> String { x.map { String(format: "%.4f", $0) } ?? "n/a" }
        let peak = "peak \(pct(r.peakTestAccuracy))" + (r.peakStep.map { " at step \($0)" } ?? "")
        guard let w = r.warningStep else { return "HTSR warning: none; test accuracy \(peak), end \(pct(r.finalTestAccuracy))" }
        return "HTSR warning at step \(w): test accuracy there \(pct(r.warningTestAccuracy)), \(peak), end \(pct(r.finalTestAccuracy))"
    }
}
