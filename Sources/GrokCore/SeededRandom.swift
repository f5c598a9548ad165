/// A small, fast, seedable generator (xoshiro256**, seeded through SplitMix64) whose whole
/// state is four words, so a checkpoint can save it and a resumed run continues the exact
/// same stream. Swift's SystemRandomNumberGenerator cannot be seeded; this one must be.
public struct SeededRandom: RandomNumberGenerator, Sendable, Equatable {
    public var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var sm = seed
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// Restores a generator from a saved `stateWords`.
    public init(stateWords w: [UInt64]) {
        precondition(w.count == 4, "SeededRandom state is four words")
        state = (w[0], w[1], w[2], w[3])
    }

    public var stateWords: [UInt64] { [state.0, state.1, state.2, state.3] }

    /// An independent stream derived from this seed and a label (e.g. "init", "split"), so
    /// that adding a consumer of randomness does not shift every other stream.
    public init(seed: UInt64, stream: String) {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a of the label, mixed with the seed
        for b in stream.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        self.init(seed: seed ^ h)
    }

    @inlinable @inline(__always)
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    @inlinable
    public mutating func next() -> UInt64 {
        let result = SeededRandom.rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = SeededRandom.rotl(state.3, 45)
        return result
    }

    /// Uniform double in [0, 1) with 53 random bits.
    @inlinable
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform integer in 0..<n (n > 0), unbiased (Lemire's method via the standard library).
    @inlinable
    public mutating func nextInt(below n: Int) -> Int { Int.random(in: 0..<n, using: &self) }

    public static func == (a: SeededRandom, b: SeededRandom) -> Bool { a.stateWords == b.stateWords }
}

extension Array {
    /// Fisher-Yates shuffle driven by a `SeededRandom`, identical on every platform (the
    /// standard library's shuffle algorithm is not a documented contract). Inlinable: called
    /// across modules on large arrays (HTSR shuffles every weight), it must be specialized.
    @inlinable
    public mutating func seededShuffle(using rng: inout SeededRandom) {
        guard count > 1 else { return }
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = rng.nextInt(below: i + 1)
            if i != j { swapAt(i, j) }
        }
    }
}
