import ArgumentParser
import GrokCore
import Training

/// grok-train's Grokfast flags (see Training's `Grokfast`), turned into the config's filter.
struct GrokfastFlags: ParsableArguments {
    @Option(help: ArgumentHelp("Grokfast (Lee et al. 2024): between backward and the optimizer step, g <- g + lambda * slow(g): off, ema (exponential moving average) or ma (mean of the last --grokfast-window gradients). The filter's state is checkpointed. (default: off)", valueName: "off|ema|ma"))
    var grokfast: Grokfast.Kind?

    @Option(parsing: .unconditional, help: ArgumentHelp("--grokfast ema: ema <- alpha * ema + (1 - alpha) * g. (default: 0.98; the authors' MNIST command: 0.8)", valueName: "A"))
    var grokfastAlpha: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("--grokfast ema or ma: the amplification lambda. (default: ema 2.0, ma 5.0; the authors' MNIST command: 0.1)", valueName: "L"))
    var grokfastLambda: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("--grokfast ma: gradients averaged (the filter acts once that many were seen; it keeps that many copies of the parameters, in memory and in every checkpoint). (default: 100)", valueName: "N"))
    var grokfastWindow: Int?

    /// The flags given (for --resume's "ignored" note).
    var given: [String] {
        [("--grokfast", grokfast != nil), ("--grokfast-alpha", grokfastAlpha != nil),
         ("--grokfast-lambda", grokfastLambda != nil), ("--grokfast-window", grokfastWindow != nil)]
            .filter(\.1).map(\.0)
    }

    /// The filter these flags ask for (nil = none). With an explicit `--grokfast off` the
    /// settings flags are accepted and unused, so a sweep's `--grokfast off,ema` shares them;
    /// without --grokfast they are refused.
    func filter() throws -> (filter: Grokfast?, unused: [String]) {
        let settings = given.filter { $0 != "--grokfast" }
        guard let grokfast else {
            if let flag = settings.first { throw GrokError("\(flag) is only used with --grokfast ema or ma") }
            return (nil, [])
        }
        if grokfast == .off { return (nil, settings) }
        return (try Grokfast.from(kind: grokfast, alpha: grokfastAlpha, lambda: grokfastLambda, window: grokfastWindow), [])
    }
}

extension Grokfast.Kind: ExpressibleByArgument {}
