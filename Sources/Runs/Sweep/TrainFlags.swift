import Datasets
import Diagnostics
import Foundation
import Model
import Phases
import Training
import RunFiles

/// The `grok-train` flags a sweep knows, and how each may be used in one. The sweep passes
/// them to `grok-train` unchanged; this table only lets it check a whole grid's syntax before
/// anything starts (`grok-train --check` then checks each cell's meaning). A test checks that
/// every grok-train flag is here with the same kind and the same words, so the table cannot
/// drift silently.
public struct TrainFlag: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A finite real number (lr, wd, thresholds).
        case number
        /// A whole number (sizes, seeds).
        case integer
        /// A step count: 1e5, 100000 or 100_000.
        case steps
        /// One of a fixed set of words.
        case choice([String])
        /// Free text (width lists, a reference norm): passed as given, never split.
        case text
        /// A file or folder: stored absolute, so every cell finds it whatever directory its
        /// task starts in (a Slurm task, a sweep continued from elsewhere).
        case path
        /// A switch without a value (--no-report).
        case toggle

        /// The words of one of grok-train's option enums, taken from the enum itself so a
        /// new case reaches the sweep without a second list.
        static func choices<E: CaseIterable & RawRepresentable>(_: E.Type) -> Kind where E.RawValue == String {
            .choice(E.allCases.map(\.rawValue))
        }
    }

    public let name: String
    public let kind: Kind
    /// Nil when a comma-separated list of values is allowed; else why not.
    public let notSweepable: String?
    /// Nil when the flag may be given to a sweep at all; else why not.
    public let refused: String?

    init(_ name: String, _ kind: Kind, notSweepable: String? = nil, refused: String? = nil) {
        self.name = name; self.kind = kind; self.notSweepable = notSweepable; self.refused = refused
    }

    public var takesValue: Bool { kind != .toggle }
    public var isSweepable: Bool { notSweepable == nil && refused == nil }
}

public enum TrainFlags {
    static let sweepOwned = "the sweep sets it for every run"

    /// Every flag of `grok-train` (its training and diagnostics options).
    public static let all: [TrainFlag] = [
        TrainFlag("preset", .choices(TrainingConfig.Preset.self)),
        TrainFlag("steps", .steps),
        TrainFlag("lr", .number),
        TrainFlag("wd", .number),
        TrainFlag("optimizer", .choices(TrainingConfig.OptimizerKind.self)),
        TrainFlag("momentum", .number),
        TrainFlag("loss", .choices(Loss.self)),
        TrainFlag("dtype", .choices(TrainingConfig.Precision.self)),
        TrainFlag("widths", .text, notSweepable: "its value is itself a comma-separated list"),
        TrainFlag("init-scale", .number),
        TrainFlag("batch-size", .integer),
        TrainFlag("batch-order", .choices(BatchOrder.Mode.self)),
        TrainFlag("train-size", .integer),
        TrainFlag("subset", .choices(SubsetMode.self)),
        TrainFlag("dataset", .choices(TrainingConfig.Dataset.self)),
        TrainFlag("modulus", .integer),
        TrainFlag("train-fraction", .number),
        TrainFlag("embed-dim", .integer),
        TrainFlag("hidden", .integer),
        TrainFlag("data-dir", .path, notSweepable: "it is a path"),
        TrainFlag("seed", .integer),
        TrainFlag("snapshots", .integer),
        TrainFlag("schedule", .choices(EvaluationSchedule.self)),
        TrainFlag("keep-snapshots", .text, notSweepable: "it is a storage policy, the same for every run"),
        TrainFlag("snapshot-dtype", .choices(TrainingConfig.Precision.self), notSweepable: "it is a storage policy, the same for every run"),
        TrainFlag("htsr", .choices(HTSRMode.self)),
        TrainFlag("sparsity-threshold", .number),
        TrainFlag("fit-threshold", .number),
        TrainFlag("collapse-drop", .number),
        TrainFlag("collapse-sustain", .integer),
        TrainFlag("rise-fraction", .number),
        TrainFlag("grokked-fraction", .number),
        TrainFlag("htsr-traps", .choices(TrapCount.self)),
        TrainFlag("htsr-alpha-window", .number),
        TrainFlag("htsr-rule", .choices(HTSRRule.self)),
        TrainFlag("htsr-stable-rank-drop", .number),
        TrainFlag("no-report", .toggle, notSweepable: "it is a switch"),
        TrainFlag("tensorboard", .toggle, notSweepable: "it is a switch"),
        TrainFlag("stop-at-test-acc", .number),
        // Norm interventions (arXiv 2606.13753): sweep --clamp-norm over rho values.
        TrainFlag("clamp-norm", .number),
        TrainFlag("clamp-from", .steps),
        TrainFlag("clamp-ref", .text, notSweepable: "it is one reference norm (or auto) for the grid"),
        TrainFlag("clamp-ref-run", .path, notSweepable: "it is a path"),
        TrainFlag("clamp-ref-threshold", .number),
        TrainFlag("constrain-norm", .toggle, notSweepable: "it is a switch"),
        TrainFlag("rescale-once", .number),
        TrainFlag("at", .steps),
        // Grokfast: sweep --grokfast off,ema (the settings flags are shared; off ignores them).
        TrainFlag("grokfast", .choices(Grokfast.Kind.self)),
        TrainFlag("grokfast-alpha", .number),
        TrainFlag("grokfast-lambda", .number),
        TrainFlag("grokfast-window", .integer),
        TrainFlag("kernels", .choices(KernelChoice.self)),
        TrainFlag("on-warning", .choices(WarningAction.self)),
        TrainFlag("threads", .integer, refused: "each run gets one BLAS thread; use --jobs for the number of runs at once"),
        TrainFlag("out", .text, refused: "each run's directory is runs/<cell> inside the sweep directory (grok-sweep's --out names the sweep directory)"),
        TrainFlag("resume", .toggle, refused: "rerunning the same grok-sweep command resumes unfinished runs"),
        TrainFlag("quiet", .toggle, refused: sweepOwned),
        TrainFlag("checkpoint-interval", .number, refused: "a sweep's runs checkpoint on grok-train's default interval (60 s), and a run the sweep stops writes one as it stops"),
        TrainFlag("check", .toggle, refused: sweepOwned),
        // grok-sweep's own --force (a directory holding another grid) is read before the grok-train
        // flags; a run is never forced over: a run whose settings changed starts over in its cell.
        TrainFlag("force", .toggle, refused: "grok-sweep's --force lets a sweep directory take another grid; runs whose settings changed then start over"),
        TrainFlag("help", .toggle, refused: "see grok-train --help"),
    ]

    /// `--seeds` is `--seed` in a sweep (a list of seeds reads better in the plural).
    public static func find(_ name: String) -> TrainFlag? {
        let n = name == "seeds" ? "seed" : name
        return all.first { $0.name == n }
    }

    /// Names of the flags a sweep can take lists of, for --help.
    public static var sweepableNames: [String] { all.filter(\.isSweepable).map { "--" + $0.name } }
}
