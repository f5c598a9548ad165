import CZlib
import GrokCore

/// Modular addition, the classic grokking task (Power et al. 2022) and arXiv 2606.13753's:
/// every pair (a, b) with a, b in 0..<P is an example whose label is (a + b) mod P. A seeded
/// random fraction of the P^2 pairs is the training set, the rest the held-out test set.
///
/// Pairs are numbered i = a * P + b. The split shuffles 0..<P^2 with the seed (stream
/// "modadd-split", independent of the init's and batch order's streams) and takes the first
/// round(F * P^2) as training examples, both sets in ascending pair order.
public struct ModularAddition: Sendable, Equatable {
    /// One set of pairs: `tokens` row-major count x 2 (a, b), `labels` (a + b) mod P.
    public struct Examples: Sendable, Equatable {
        public let tokens: [Int32]
        public let labels: [Int32]
        public var count: Int { labels.count }
    }

    public let modulus: Int
    public let trainFraction: Double
    public let seed: UInt64
    public let train: Examples
    public let test: Examples

    /// The number of training pairs for P and F: round(F * P^2), at least 1 and at most P^2 - 1
    /// (both sets non-empty).
    public static func trainCount(modulus p: Int, trainFraction f: Double) -> Int {
        min(max(Int((f * Double(p * p)).rounded()), 1), p * p - 1)
    }

    /// Checks P and F; the first problem becomes a one-line error. Composite moduli are refused:
    /// the task's structure (and the literature's results) is that of the field Z/P.
    public static func validate(modulus p: Int, trainFraction f: Double) throws {
        guard p >= 3, p <= 4096, isPrime(p) else {
            throw GrokError("--modulus must be a prime from 3 to 4093 (modular addition over Z/P), got \(p)")
        }
        guard f.isFinite, f > 0, f < 1 else {
            throw GrokError("--train-fraction must be strictly between 0 and 1, got \(f)")
        }
    }

    public static func isPrime(_ n: Int) -> Bool {
        guard n >= 2 else { return false }
        var k = 2
        while k * k <= n { if n % k == 0 { return false }; k += 1 }
        return true
    }

    public init(modulus p: Int, trainFraction f: Double, seed: UInt64) throws {
        try Self.validate(modulus: p, trainFraction: f)
        modulus = p; trainFraction = f; self.seed = seed
        var rng = SeededRandom(seed: seed, stream: "modadd-split")
        var order = Array(0..<(p * p))
        order.shuffle(using: &rng)
        let n = Self.trainCount(modulus: p, trainFraction: f)
        func examples(_ pairs: ArraySlice<Int>) -> Examples {
            let sorted = pairs.sorted()
            return Examples(tokens: sorted.flatMap { [Int32($0 / p), Int32($0 % p)] },
                            labels: sorted.map { Int32(($0 / p + $0 % p) % p) })
        }
        train = examples(order[..<n])
        test = examples(order[n...])
    }

    /// One line for config.json and logs.
    public var sourceDescription: String {
        "modular addition mod \(modulus): train \(train.count) of \(modulus * modulus) pairs (fraction \(trainFraction), seed \(seed)), test the other \(test.count)"
    }

    /// A fingerprint of the split (train then test, tokens then labels), like DataSplit's.
    public var checksum: String {
        var crc: UInt = 0
        for values in [train.tokens, train.labels, test.tokens, test.labels] {
            values.withUnsafeBytes { b in crc = CZlib.crc32(crc, b.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt32(b.count)) }
        }
        let hex = String(crc & 0xffff_ffff, radix: 16)
        return "crc32:" + String(repeating: "0", count: max(0, 8 - hex.count)) + hex
    }
}
