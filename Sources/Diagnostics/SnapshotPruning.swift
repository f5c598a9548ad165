import Foundation
import GrokCore
import RunFiles
import Training

/// How many snapshot files a run keeps (--keep-snapshots). The metrics and HTSR rows of every
/// evaluation are kept whatever this says: only the weight files go.
public enum SnapshotRetention: Codable, Sendable, Equatable {
    case all
    case none
    /// About N, spread evenly in log(step), plus always the first, the last and the one with
    /// the highest test accuracy.
    case about(Int)

    public init(parsing text: String) throws {
        switch text {
        case "all": self = .all
        case "none": self = .none
        default:
            guard let n = Int(text), n >= 1 else {
                throw GrokError("--keep-snapshots must be all, none or a positive count, got '\(text)'")
            }
            self = .about(n)
        }
    }

    public var text: String {
        switch self {
        case .all: return "all"
        case .none: return "none"
        case .about(let n): return String(n)
        }
    }

    public init(from decoder: Decoder) throws { self = try SnapshotRetention(parsing: try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(text) }

    /// The evaluation steps whose snapshots are kept whatever the accuracy does: ~N of
    /// `steps` spread evenly in log(1 + step), the first and the last included.
    public func anchors(_ steps: [Int]) -> Set<Int> {
        guard let first = steps.first, let last = steps.last else { return [] }
        switch self {
        case .all: return Set(steps)
        case .none: return []
        case .about(let n):
            var keep: Set<Int> = [first, last]
            guard n > 2 else { return keep }
            let lo = log(1 + Double(first)), hi = log(1 + Double(last))
            for k in 1..<(n - 1) {
                let target = lo + (hi - lo) * Double(k) / Double(n - 1)
                let best = steps.min { abs(log(1 + Double($0)) - target) < abs(log(1 + Double($1)) - target) }!
                keep.insert(best)
            }
            return keep
        }
    }
}

/// Deletes the snapshot files a run does not keep, as it goes (so a long run's disk use stays
/// small). A snapshot is only deleted once htsr.csv has its rows (a resumed run re-analyses
/// snapshots without rows from their files), and never the current accuracy peak.
public final class SnapshotPruner: TrainingObserver {
    let retention: SnapshotRetention
    let anchors: Set<Int>
    let waitsForHTSR: Bool
    var run: RunDirectory?
    var peak: (step: Int, accuracy: Double)?
    var firstStep: Int?

    /// `evaluationSteps`: the run's whole schedule. `waitsForHTSR`: false when --htsr off.
    public init(retention: SnapshotRetention, evaluationSteps: [Int], waitsForHTSR: Bool) {
        self.retention = retention
        anchors = retention.anchors(evaluationSteps)
        firstStep = evaluationSteps.first
        self.waitsForHTSR = waitsForHTSR
    }

    public var extraMetricColumns: [String] { [] }

    public func runStarted(_ context: RunContext) throws {
        let run = RunDirectory(context.directory)
        self.run = run
        if let from = context.resumedFromStep, let points = try? MetricsFile.readAccuracy(run.metricsURL) {
            for p in points where p.step <= from { notePeak(step: p.step, accuracy: p.testAccuracy) }
        }
    }

    func notePeak(step: Int, accuracy: Double) {
        guard accuracy.isFinite else { return }
        if peak == nil || accuracy > peak!.accuracy { peak = (step, accuracy) }
    }

    public func observe(_ snapshot: WeightSnapshot, metrics: EvaluationMetrics) throws -> [Double] {
        notePeak(step: snapshot.step, accuracy: metrics.testAccuracy)
        if retention != .all { prune(before: snapshot.step, final: false) }
        return []
    }

    public func runEnded(_ outcome: RunOutcome) throws -> [String] {
        guard retention != .all else { return [] }
        let kept = prune(before: Int.max, final: true)
        return ["snapshots: kept \(kept) (--keep-snapshots \(retention.text))"]
    }

    /// Deletes unkept snapshot files with step < `limit` (and, unless `final`, analysed by HTSR).
    /// Returns how many snapshot files remain.
    @discardableResult
    func prune(before limit: Int, final: Bool) -> Int {
        guard let run else { return 0 }
        let snapshots = run.snapshots()
        let last = snapshots.last?.step
        var analysed = Int.max
        if waitsForHTSR && !final { analysed = lastCompleteStep(run.htsrURL) ?? -1 }
        var remaining = 0
        for (step, url) in snapshots {
            var keep = step >= limit || step > analysed
            if retention != .none {
                keep = keep || anchors.contains(step) || step == peak?.step || step == firstStep || (final && step == last)
            }
            if keep { remaining += 1; continue }
            try? FileManager.default.removeItem(at: url)
        }
        return remaining
    }
}
