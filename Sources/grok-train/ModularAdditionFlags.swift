import ArgumentParser
import Datasets
import GrokCore
import Training

/// grok-train's --dataset modadd flags: the task's P and F and the token model's widths.
struct ModularAdditionFlags: ParsableArguments {

    @Option(parsing: .unconditional, help: ArgumentHelp("modadd: the modulus, a prime >= 3; labels are (a + b) mod P. (default: 59)", valueName: "P"))
    var modulus: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("modadd: the fraction of the P^2 pairs used for training (seeded), in (0, 1); the rest is the test set. (default: 0.4)", valueName: "F"))
    var trainFraction: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("modadd: the embedding width d. (default: 128)", valueName: "D"))
    var embedDim: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("modadd: the hidden (GELU) width H. (default: 256)", valueName: "H"))
    var hidden: Int?

    /// The flags given (refused without --dataset modadd).
    var given: [String] {
        [("--modulus", modulus != nil), ("--train-fraction", trainFraction != nil), ("--embed-dim", embedDim != nil),
         ("--hidden", hidden != nil)].filter(\.1).map(\.0)
    }

    /// Sets the modadd fields of `c` (whose dataset is already chosen) and derives the rest; the
    /// image-only flags given are refused with modadd, these flags without it.
    func apply(to c: inout TrainingConfig, imageOnlyFlags: [(String, Bool)]) throws {
        guard c.dataset == .modadd else {
            c.modulus = nil; c.trainFraction = nil; c.embedDim = nil; c.hidden = nil
            if let flag = given.first { throw GrokError("\(flag) is only used with --dataset modadd") }
            return
        }
        if let flag = imageOnlyFlags.first(where: \.1)?.0 {
            throw GrokError("\(flag) is for the image datasets; --dataset modadd is trained full batch on its token model (set --modulus, --train-fraction, --embed-dim, --hidden)")
        }
        if let v = modulus { c.modulus = v }
        if let v = trainFraction { c.trainFraction = v }
        if let v = embedDim { c.embedDim = v }
        if let v = hidden { c.hidden = v }
        try ModularAddition.validate(modulus: c.modulus ?? 59, trainFraction: c.trainFraction ?? 0.4)
        c.deriveModularAddition()
    }
}
