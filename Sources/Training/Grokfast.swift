import GrokCore
import Optim

/// Grokfast's gradient filter for a run (grok-train --grokfast): recorded in config.json as
/// "grokfast" (absent in runs without one, and in runs recorded before it existed), so --resume
/// filters the same way. See Optim's `GradientFilter` for the arithmetic.
public enum Grokfast: Codable, Sendable, Equatable {
    /// g <- g + lambda * EMA_alpha(g).
    case ema(alpha: Double, lambda: Double)
    /// g <- g + lambda * (mean of the last `window` gradients), once the window is full.
    case ma(window: Int, lambda: Double)

    /// The command line's choice of filter (off = none).
    public enum Kind: String, Codable, Sendable, CaseIterable { case off, ema, ma }

    /// The authors' defaults where a flag is not given: EMA alpha 0.98, lambda 2; MA window 100,
    /// lambda 5 (their MNIST command overrides them: ema, alpha 0.8, lambda 0.1).
    public static let defaultAlpha = 0.98, defaultEMALambda = 2.0
    public static let defaultWindow = 100, defaultMALambda = 5.0
    /// The moving average keeps `window` gradients of every parameter: a cap on its memory.
    public static let maxWindow = 1000

    public var kind: Kind {
        switch self { case .ema: return .ema; case .ma: return .ma }
    }

    /// The filter a run with these flags uses (nil for off). Each flag is refused where it has
    /// no meaning (--grokfast-window with ema, --grokfast-alpha with ma), and every value is checked.
    public static func from(kind: Kind, alpha: Double?, lambda: Double?, window: Int?) throws -> Grokfast? {
        switch kind {
        case .off:
            return nil
        case .ema:
            if window != nil { throw GrokError("--grokfast-window is only used with --grokfast ma") }
            let g = Grokfast.ema(alpha: alpha ?? defaultAlpha, lambda: lambda ?? defaultEMALambda)
            try g.validate(); return g
        case .ma:
            if alpha != nil { throw GrokError("--grokfast-alpha is only used with --grokfast ema") }
            let g = Grokfast.ma(window: window ?? defaultWindow, lambda: lambda ?? defaultMALambda)
            try g.validate(); return g
        }
    }

    /// Checks the values; the first problem becomes a one-line error naming the flag.
    func validate() throws {
        func checkLambda(_ l: Double) throws {
            guard l.isFinite, l >= 0 else { throw GrokError("--grokfast-lambda must be a number >= 0, got \(l)") }
        }
        switch self {
        case let .ema(alpha, lambda):
            guard alpha.isFinite, alpha >= 0, alpha < 1 else { throw GrokError("--grokfast-alpha must be in [0, 1), got \(alpha)") }
            try checkLambda(lambda)
        case let .ma(window, lambda):
            guard window >= 1, window <= Self.maxWindow else {
                throw GrokError("--grokfast-window must be in 1...\(Self.maxWindow) (it keeps that many gradients of every parameter), got \(window)")
            }
            try checkLambda(lambda)
        }
    }

    /// The filter's arithmetic for a model of `count` parameters.
    func filter<T: BLASScalar>(count: Int, as _: T.Type) -> GradientFilter<T> {
        switch self {
        case let .ema(alpha, lambda): return GradientFilter(rule: .ema(alpha: alpha, lambda: lambda), count: count)
        case let .ma(window, lambda): return GradientFilter(rule: .movingAverage(window: window, lambda: lambda), count: count)
        }
    }
}
