/// Everything measured on one layer. Names follow WeightWatcher's columns (the JSON keys are
/// exactly those); a metric is nil when it does not exist (skipped layer, failed fit, option
/// off), never a sentinel like -1.
public struct LayerAnalysis: Sendable, Codable, Equatable {
    public var name: String
    /// "dense" or "conv2d".
    public var kind: String
    public var status: LayerStatus = .ok

    // Shape: N >= M of the matrix (of each slice for Conv2D), Q = N/M, eigenvalue count.
    public var N: Int
    public var M: Int
    public var Q: Double
    public var numEvals: Int?

    // Power-law fit (section 2).
    public var alpha: Double?
    public var D: Double?
    public var xmin: Double?
    public var xmax: Double?
    public var sigma: Double?
    public var numPLSpikes: Int?
    /// "over-trained", "under-trained" or "" (only for a successful fit).
    public var warning: String?
    /// With clip_xmax: eigenvalues clipped off the top (0 when the raw fit was kept), and the
    /// alpha of the unclipped fit.
    public var numFingers: Int?
    public var rawAlpha: Double?

    // Norm metrics (section 3), over all eigenvalues.
    public var norm: Double?
    public var logNorm: Double?
    public var spectralNorm: Double?
    public var logSpectralNorm: Double?
    public var alphaWeighted: Double?
    public var logAlphaNorm: Double?
    public var stableRank: Double?
    public var matrixRank: Int?
    public var entropy: Double?

    // WeightWatcher's detX / ERG condition (`DetXCondition`), over all eigenvalues.
    /// Eigenvalues in the det X = 1 tail (`detX_num`, also `num_ERG_spikes`).
    public var detXNum: Int?
    /// Where that tail starts, original scale (`detX_val`).
    public var detXVal: Double?
    /// The same on the unit-mean scale (`detX_val_unrescaled`: the reference's name).
    public var detXValUnrescaled: Double?
    /// `detX_num - num_pl_spikes`: 0 when the det X = 1 tail and the power-law tail agree
    /// (SETOL's ideal layer); nil without a power-law fit.
    public var ergGap: Int?

    // Marchenko-Pastur fit (section 4).
    public var sigmaMP: Double?
    public var numSpikes: Int?
    public var mpSoftrank: Double?
    public var bulkMax: Double?
    public var bulkMin: Double?
    public var wScale: Double?
    /// Eigenvalues (original scale) above this are MP spikes.
    public var spikeThreshold: Double?

    // Correlation traps (section 5) and beyond (section 6).
    public var randNumSpikes: Int?
    public var numTraps: Int?
    public var randSigmaMP: Double?
    public var randMPSoftrank: Double?
    public var randBulkMax: Double?
    public var randBulkMin: Double?
    public var randWScale: Double?
    /// Randomized eigenvalues (original scale) above this are traps.
    public var randSpikeThreshold: Double?
    public var maxRandEval: Double?
    public var randDistance: Double?
    public var wwSoftrank: Double?
    public var wwMaxdist: Double?
    /// KS test of the rescaled randomized ESD against the fitted MP law.
    public var ksStat: Double?
    public var ksPvalue: Double?
    /// Largest trap height (lambda - rand_bulk_max) / rand_bulk_max; nil without traps.
    public var maxTrapHeight: Double?
    public var traps: [TrapDetail]?

    // The weight mean's part in the traps (beyond the reference). Shuffling keeps the mean mu of
    // the entries, and a mean is a rank-one component mu * 1 1^T of singular value
    // |mu| sqrt(N M): above the bulk edge once |mu| / std exceeds about
    // (sqrt(N) + sqrt(M)) / sqrt(N M) (0.106 for 784 x 200). WeightWatcher then counts it as a
    // trap although no entry is an outlier. These say how much of num_traps is only the mean.
    /// Mean of all entries over their standard deviation (signed); nil when the std is 0.
    public var meanStdRatio: Double?
    /// The weight mean alone puts a randomized eigenvalue beyond the trap threshold: the mean
    /// component is strong enough to separate from the bulk (|mu| / std > (N M)^(-1/4), the
    /// BBP threshold) and removing it from the same shuffle leaves fewer eigenvalues above
    /// the same threshold.
    public var meanSpike: Bool?
    /// Traps of the shuffled matrix with its rank-one mean component removed (entries minus
    /// their mean, the same shuffle), the MP fit redone on that ESD.
    public var numTrapsCentered: Int?
    /// The centered randomized ESD's MP fit.
    public var randSigmaMPCentered: Double?

    // For charts (options keepEigenvalues / keepDCurve).
    public var eigenvalues: [Double]?
    public var randEigenvalues: [Double]?
    public var xminCandidates: [Double]?
    public var dCurve: [Double]?

    public init(name: String, kind: String, N: Int, M: Int) {
        self.name = name; self.kind = kind; self.N = N; self.M = M
        self.Q = M > 0 ? Double(N) / Double(M) : 0
    }

    /// A correlation trap exists (nil when randomization was not run).
    public var hasCorrelationTrap: Bool? { numTraps.map { $0 > 0 } }

    enum CodingKeys: String, CodingKey {
        case name, kind, status, N, M, Q
        case numEvals = "num_evals"
        case alpha, D, xmin, xmax, sigma
        case numPLSpikes = "num_pl_spikes"
        case warning
        case numFingers = "num_fingers"
        case rawAlpha = "raw_alpha"
        case norm
        case logNorm = "log_norm"
        case spectralNorm = "spectral_norm"
        case logSpectralNorm = "log_spectral_norm"
        case alphaWeighted = "alpha_weighted"
        case logAlphaNorm = "log_alpha_norm"
        case stableRank = "stable_rank"
        case matrixRank = "matrix_rank"
        case entropy
        case detXNum = "detX_num"
        case detXVal = "detX_val"
        case detXValUnrescaled = "detX_val_unrescaled"
        case ergGap = "ERG_gap"
        case sigmaMP = "sigma_mp"
        case numSpikes = "num_spikes"
        case mpSoftrank = "mp_softrank"
        case bulkMax = "bulk_max"
        case bulkMin = "bulk_min"
        case wScale = "W_scale"
        case spikeThreshold = "spike_threshold"
        case randNumSpikes = "rand_num_spikes"
        case numTraps = "num_traps"
        case randSigmaMP = "rand_sigma_mp"
        case randMPSoftrank = "rand_mp_softrank"
        case randBulkMax = "rand_bulk_max"
        case randBulkMin = "rand_bulk_min"
        case randWScale = "rand_W_scale"
        case randSpikeThreshold = "rand_spike_threshold"
        case maxRandEval = "max_rand_eval"
        case randDistance = "rand_distance"
        case wwSoftrank = "ww_softrank"
        case wwMaxdist = "ww_maxdist"
        case ksStat = "ks_stat"
        case ksPvalue = "ks_pvalue"
        case maxTrapHeight = "max_trap_height"
        case traps
        case meanStdRatio = "mean_std_ratio"
        case meanSpike = "mean_spike"
        case numTrapsCentered = "num_traps_centered"
        case randSigmaMPCentered = "rand_sigma_mp_centered"
        case eigenvalues
        case randEigenvalues = "rand_eigenvalues"
        case xminCandidates = "xmin_candidates"
        case dCurve = "D_curve"
    }
}
