/// The phases of a grokking run, named as in the run directory's files.
///
/// Accuracy-based labels use all five; HTSR-based labels use pre-grokking, grokking,
/// anti-grokking and `unknown` (a failed fit, or no rule fired before any label was given).
public enum Phase: String, Codable, Sendable, CaseIterable {
    /// Train accuracy has not yet reached the fit threshold.
    case memorizing
    /// Train fitted, test accuracy on its low plateau.
    case preGrokking = "pre-grokking"
    /// Test accuracy rising from the plateau towards its peak.
    case grokking
    /// Test accuracy near its peak.
    case grokked
    /// Test accuracy fallen well below its running peak (sustained) while train stays fitted.
    case antiGrokking = "anti-grokking"
    /// No label: the HTSR fit failed, or no data.
    case unknown

    /// The coarse phase used to compare the two labelings. HTSR sees only the weights, so it
    /// cannot tell memorizing from pre-grokking (both before generalization) nor grokking from
    /// grokked (both generalizing): memorizing/pre-grokking -> pre-grokking,
    /// grokking/grokked -> grokking, anti-grokking and unknown stay as they are.
    public var coarse: Phase {
        switch self {
        case .memorizing, .preGrokking: return .preGrokking
        case .grokking, .grokked: return .grokking
        case .antiGrokking, .unknown: return self
        }
    }
}

/// A maximal run of evaluated steps with the same label; both ends inclusive (they are the
/// first and last evaluated steps carrying `phase`).
public struct PhaseSegment: Codable, Sendable, Equatable {
    public let phase: Phase
    public let startStep: Int
    public let endStep: Int

    public init(phase: Phase, startStep: Int, endStep: Int) {
        self.phase = phase; self.startStep = startStep; self.endStep = endStep
    }

    enum CodingKeys: String, CodingKey {
        case phase, startStep = "start_step", endStep = "end_step"
    }

    /// Merges consecutive equal labels into segments. `steps` and `labels` are parallel arrays
    /// in step order (extra entries of the longer one are ignored).
    public static func segments(steps: [Int], labels: [Phase]) -> [PhaseSegment] {
        var out: [PhaseSegment] = []
        let n = min(steps.count, labels.count)
        var i = 0
        while i < n {
            var j = i
            while j + 1 < n && labels[j + 1] == labels[i] { j += 1 }
            out.append(PhaseSegment(phase: labels[i], startStep: steps[i], endStep: steps[j]))
            i = j + 1
        }
        return out
    }
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
