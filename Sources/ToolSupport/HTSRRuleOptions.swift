import ArgumentParser
import RunFiles

/// The HTSR phase rule's four settings, declared once for the two commands that take them:
/// `grok-train` (a new run's rule) and `grok-analyze relabel` (another rule for a finished
/// run). Each is optional: unset means the default for a new run and the run's own setting
/// for a relabel.
public struct HTSRRuleOptions: ParsableArguments {
    @Option(help: "HTSR phases: the trap count the rule reads: centered (the weight mean's spike removed) or weightwatcher (num_traps as WeightWatcher counts it). (default: centered; relabel: the run's setting)")
    public var htsrTraps: TrapCount?

    @Option(help: "HTSR phases: the rule reads each layer's alpha as a causal running median over this many decades of step (0 = the raw per-snapshot alpha). (default: 0.1; relabel: the run's setting)")
    public var htsrAlphaWindow: Double?

    @Option(help: "HTSR phases: how pre-grokking is told from grokking: stable-rank (grokking once FC1 or FC2's stable rank has fallen by --htsr-stable-rank-drop below its initial value; alpha does not separate the two on our MNIST runs) or paper (Prakash & Martin's alpha thresholds, arXiv 2506.04434: a layer >= 5 is pre-grokking, mean alpha in [2, 4] without traps is grokking). Anti-grokking is alpha < 2 with traps under both. (default: stable-rank; relabel: the run's setting)")
    public var htsrRule: HTSRRule?

    @Option(parsing: .unconditional, help: "HTSR phases, stable-rank rule: the fractional fall of a layer's stable rank that marks grokking. (default: 0.03; relabel: the run's setting)")
    public var htsrStableRankDrop: Double?

    public init() {}
}

extension TrapCount: ExpressibleByArgument {}
extension HTSRRule: ExpressibleByArgument {}
