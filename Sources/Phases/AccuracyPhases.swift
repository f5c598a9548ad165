import RunFiles

/// Accuracy-based phase labels of a run (see `PhaseThresholds` for the rules).
public struct AccuracyPhases: Sendable, Equatable {
    public let steps: [Int]
    public let labels: [Phase]
    /// First step with train accuracy >= trainFit.
    public let fitStep: Int?
    /// Smoothed test accuracy on the plateau and at the peak used for the rules.
    public let plateauTestAccuracy: Double?
    /// Highest raw test accuracy of the whole run and the first step reaching it.
    public let peakTestAccuracy: Double?
    public let peakStep: Int?
    /// First grokking step and first grokked step (nil if never).
    public let grokkingStep: Int?
    public let grokkedStep: Int?
    /// First anti-grokking step (onset) and the step at which a live run would flag it.
    public let collapseStep: Int?
    public let collapseDetectedStep: Int?

    public var segments: [PhaseSegment] { PhaseSegment.segments(steps: steps, labels: labels) }

    /// Labels `points` (sorted by step here; duplicate steps keep the last one).
    public init(points unsorted: [AccuracyPoint], thresholds t: PhaseThresholds = PhaseThresholds()) {
        var points: [AccuracyPoint] = []
        for p in unsorted.enumerated().sorted(by: { ($0.element.step, $0.offset) < ($1.element.step, $1.offset) }).map(\.element) {
            if let last = points.last, last.step == p.step { points[points.count - 1] = p } else { points.append(p) }
        }
        let n = points.count
        steps = points.map(\.step)
        var peakValue: Double? = nil, peakAt: Int? = nil
        for p in points where p.testAccuracy.isFinite && p.testAccuracy > (peakValue ?? -.infinity) {
            peakValue = p.testAccuracy; peakAt = p.step
        }
        peakTestAccuracy = peakValue; peakStep = peakAt

        guard let fit = points.firstIndex(where: { $0.trainAccuracy >= t.trainFit }) else {
            labels = Array(repeating: .memorizing, count: n)
            fitStep = nil; plateauTestAccuracy = nil; grokkingStep = nil; grokkedStep = nil
            collapseStep = nil; collapseDetectedStep = nil
            return
        }
        fitStep = points[fit].step

        // Rule 2: sustained collapses below the running peak.
        var collapsed = [Bool](repeating: false, count: n)
        var runningPeak = -Double.infinity
        for i in 0..<n {
            let test = points[i].testAccuracy
            if test.isFinite { runningPeak = max(runningPeak, test) }
            let drop = max(t.collapseDrop, t.collapseRelativeDrop * runningPeak)
            collapsed[i] = points[i].trainAccuracy >= t.trainFit && test.isFinite && test < runningPeak - drop
        }
        var anti = [Bool](repeating: false, count: n)
        var i = 0
        while i < n {
            guard collapsed[i] else { i += 1; continue }
            var j = i
            while j + 1 < n && collapsed[j + 1] { j += 1 }
            if j - i + 1 >= max(1, t.sustain) { for k in i...j { anti[k] = true } }
            i = j + 1
        }
        // Once a collapse is established, an evaluation whose test accuracy is still below
        // the running peak by the drop stays anti-grokking even if train accuracy has slipped
        // under the fit threshold (the 10^7-step paper run ends at train 0.983): it is not
        // grokked again, and the onset is still defined by the strict rule above.
        if let first = anti.firstIndex(of: true) {
            var peakSoFar = -Double.infinity
            for k in 0..<n {
                let test = points[k].testAccuracy
                if test.isFinite { peakSoFar = max(peakSoFar, test) }
                let drop = max(t.collapseDrop, t.collapseRelativeDrop * peakSoFar)
                if k > first, !anti[k], test.isFinite, test < peakSoFar - drop { anti[k] = true }
            }
        }
        let onset = firstSustainedRun(steps: steps, flags: collapsed, sustain: t.sustain)
        collapseStep = onset?.onset; collapseDetectedStep = onset?.detected

        // Rule 3 on the smoothed test curve, among fitted steps before the first collapse.
        let smooth = runningMedian(points.map(\.testAccuracy), radius: max(0, t.smoothingRadius))
        let firstAnti = anti.firstIndex(of: true) ?? n
        var peakIndex = -1
        for k in fit..<max(fit, firstAnti) where smooth[k].isFinite && (peakIndex < 0 || smooth[k] > smooth[peakIndex]) {
            peakIndex = k
        }
        var plateauIndex = -1
        if peakIndex >= 0 {
            for k in fit...peakIndex where smooth[k].isFinite && (plateauIndex < 0 || smooth[k] < smooth[plateauIndex]) {
                plateauIndex = k
            }
        }
        var rise: Int? = nil, grokked: Int? = nil
        if peakIndex >= 0, plateauIndex >= 0 {
            let plateau = smooth[plateauIndex], gap = smooth[peakIndex] - plateau
            plateauTestAccuracy = plateau
            if gap >= t.minimumGain {
                rise = (plateauIndex..<n).first { smooth[$0] >= plateau + t.riseFraction * gap }
                if let r = rise { grokked = (r..<n).first { smooth[$0] >= plateau + t.grokkedFraction * gap } }
            }
        } else {
            plateauTestAccuracy = nil
        }

        var out = [Phase](repeating: .memorizing, count: n)
        for k in fit..<n {
            if anti[k] { out[k] = .antiGrokking }
            else if let g = grokked, k >= g { out[k] = .grokked }
            else if let r = rise, k >= r { out[k] = .grokking }
            else { out[k] = .preGrokking }
        }
        labels = out
        let stepList = steps
        grokkingStep = rise.map { stepList[$0] }
        grokkedStep = grokked.map { stepList[$0] }
    }
}

/// Running median with a window of 2 * radius + 1, clipped at the ends; NaNs are left out of
/// each window (a window of only NaNs gives NaN).
func runningMedian(_ x: [Double], radius: Int) -> [Double] {
    guard radius > 0 else { return x }
    var out = x
    var window: [Double] = []
    window.reserveCapacity(2 * radius + 1)
    for i in x.indices {
        window.removeAll(keepingCapacity: true)
        for k in max(0, i - radius)...min(x.count - 1, i + radius) where x[k].isFinite { window.append(x[k]) }
        guard !window.isEmpty else { out[i] = .nan; continue }
        window.sort()
        let m = window.count
        out[i] = m % 2 == 1 ? window[m / 2] : 0.5 * (window[m / 2 - 1] + window[m / 2])
    }
    return out
}

/// The first step of the first run of at least `sustain` consecutive entries for which
/// `flag` holds, and the step at which that run reached `sustain` entries (when a live
/// detector would raise it). Nil when no run is long enough.
func firstSustainedRun(steps: [Int], flags: [Bool], sustain: Int) -> (onset: Int, detected: Int)? {
    let need = max(1, sustain)
    var runStart = -1
    for i in 0..<min(steps.count, flags.count) {
        if flags[i] {
            if runStart < 0 { runStart = i }
            if i - runStart + 1 == need { return (steps[runStart], steps[i]) }
        } else {
            runStart = -1
        }
    }
    return nil
}
