/// Escape from the trapped (rank-deficient) phase, by the two criteria of arXiv 2606.17120
/// (the plateau's test MSE left behind, the second singular value grown).
public struct EscapeCriteria: Sendable, Equatable {
    /// Test MSE of the trapped plateau and of the global (full-rank) minimum at this beta.
    public var plateau: Double
    public var globalMinimum: Double
    /// The product's second singular value above this counts as escaped.
    public var sigma2Threshold: Double

    public init(plateau: Double, globalMinimum: Double, sigma2Threshold: Double = 1e-3) {
        self.plateau = plateau; self.globalMinimum = globalMinimum; self.sigma2Threshold = sigma2Threshold
    }

    /// False when noise-free descent from the warm start already reaches the global minimum
    /// (plateau within 0.02 of it): then "escape" is deterministic relaxation, not escape.
    public var isTrapped: Bool { plateau - globalMinimum > 0.02 }

    /// Halfway between plateau and global minimum.
    public var midpoint: Double { (plateau + globalMinimum) / 2 }

    /// Escape epochs in a record series (nil: not within it, a censored run).
    public func escapeEpochs(_ records: [EpochRecord]) -> EscapeEpochs {
        EscapeEpochs(byMSE: records.first { crossedMidpoint($0) }?.epoch,
                     bySigma2: records.first { $0.sigma2 > sigma2Threshold }?.epoch)
    }

    /// Below the midpoint, on the global minimum's side of it (whichever side that is).
    public func crossedMidpoint(_ r: EpochRecord) -> Bool {
        plateau >= globalMinimum ? r.testMSE < midpoint : r.testMSE > midpoint
    }
}

public struct EscapeEpochs: Sendable, Equatable {
    public var byMSE: Int?
    public var bySigma2: Int?
    public init(byMSE: Int?, bySigma2: Int?) { self.byMSE = byMSE; self.bySigma2 = bySigma2 }
}

/// Full-batch gradient descent (no minibatch noise) for `epochs` steps: where a state settles
/// without noise. Used for the reference levels of `EscapeCriteria`: from the trap it stays
/// trapped (the plateau), from a fresh init it reaches the global minimum.
public func relaxWithoutNoise(_ net: inout DeepLinearNetwork, on task: TeacherTask, beta: Double,
                              lr: Double, steps: Int) {
    for _ in 0..<steps {
        net.step(net.lossAndGradient(task.trainMoments, beta: beta).gradients, lr: lr)
    }
}
