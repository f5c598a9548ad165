import GrokCore

/// The order minibatches are drawn in. Codable so a checkpoint can save it and a resumed run
/// draws exactly the batches an uninterrupted run would have.
///
/// An epoch walks a permutation of 0..<trainCount in slices of batchSize; the last slice is
/// smaller when batchSize does not divide trainCount (PyTorch's DataLoader, drop_last=False).
public struct BatchOrder: Codable, Sendable, Equatable {
    public enum Mode: String, Codable, Sendable, CaseIterable {
        /// The authors' code: ONE shuffled permutation drawn at the start, then the same
        /// batches replayed in the same order forever.
        case cycle
        /// Omnigrok / PyTorch shuffle=True: a fresh permutation at every epoch start.
        case reshuffle
    }

    public let mode: Mode
    public let trainCount: Int
    public let batchSize: Int
    public let seed: UInt64
    /// The fixed probe batch for the measures: the first batch of the first epoch.
    public let firstBatch: [Int]
    /// Epochs started so far minus one (0 during the first epoch).
    public private(set) var epoch: Int
    /// Index into `permutation` of the next batch's first element.
    public private(set) var position: Int
    private var permutation: [Int]
    private var rng: SeededRandom

    /// rng = SeededRandom(seed: seed, stream: "batches"); the first permutation is drawn here.
    public init(mode: Mode, trainCount: Int, batchSize: Int, seed: UInt64) {
        precondition(trainCount > 0 && batchSize > 0, "BatchOrder needs trainCount > 0 and batchSize > 0")
        self.mode = mode
        self.trainCount = trainCount
        self.batchSize = batchSize
        self.seed = seed
        rng = SeededRandom(seed: seed, stream: "batches")
        permutation = Array(0..<trainCount)
        permutation.seededShuffle(using: &rng)
        firstBatch = Array(permutation.prefix(batchSize))
        epoch = 0
        position = 0
    }

    public var batchesPerEpoch: Int { (trainCount + batchSize - 1) / batchSize }

    /// The train-set indices of the next minibatch. The slice shares the permutation's
    /// storage, so cycle mode never allocates here.
    public mutating func next() -> ArraySlice<Int> {
        if position == trainCount {
            position = 0
            epoch += 1
            if mode == .reshuffle {
                // A permutation that depends only on the generator's state, like torch.randperm.
                for i in 0..<trainCount { permutation[i] = i }
                permutation.seededShuffle(using: &rng)
            }
        }
        let end = min(position + batchSize, trainCount)
        defer { position = end }
        return permutation[position..<end]
    }

    // MARK: - Codable (the checkpoint is untrusted input: every field is checked)

    private enum CodingKeys: String, CodingKey {
        case mode, trainCount, batchSize, seed, firstBatch, epoch, position, permutation, rngState
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(mode, forKey: .mode)
        try c.encode(trainCount, forKey: .trainCount)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(seed, forKey: .seed)
        try c.encode(firstBatch, forKey: .firstBatch)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(position, forKey: .position)
        try c.encode(permutation, forKey: .permutation)
        try c.encode(rng.stateWords, forKey: .rngState)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let mode = try c.decode(Mode.self, forKey: .mode)
        let trainCount = try c.decode(Int.self, forKey: .trainCount)
        let batchSize = try c.decode(Int.self, forKey: .batchSize)
        let firstBatch = try c.decode([Int].self, forKey: .firstBatch)
        let epoch = try c.decode(Int.self, forKey: .epoch)
        let position = try c.decode(Int.self, forKey: .position)
        let permutation = try c.decode([Int].self, forKey: .permutation)
        let words = try c.decode([UInt64].self, forKey: .rngState)

        func corrupt(_ why: String) -> DecodingError {
            .dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "batch order: \(why)"))
        }
        guard trainCount > 0, batchSize > 0 else { throw corrupt("trainCount and batchSize must be positive") }
        guard epoch >= 0, position >= 0, position <= trainCount else { throw corrupt("position \(position) outside 0...\(trainCount)") }
        guard words.count == 4, words != [0, 0, 0, 0] else { throw corrupt("generator state must be four words, not all zero") }
        guard permutation.count == trainCount else { throw corrupt("permutation has \(permutation.count) entries, expected \(trainCount)") }
        var seen = [Bool](repeating: false, count: trainCount)
        for i in permutation {
            guard i >= 0, i < trainCount, !seen[i] else { throw corrupt("permutation is not a permutation of 0..<\(trainCount)") }
            seen[i] = true
        }
        guard firstBatch.count == min(batchSize, trainCount), firstBatch.allSatisfy({ $0 >= 0 && $0 < trainCount }) else {
            throw corrupt("firstBatch does not fit trainCount \(trainCount) and batchSize \(batchSize)")
        }
        self.mode = mode
        self.trainCount = trainCount
        self.batchSize = batchSize
        self.seed = try c.decode(UInt64.self, forKey: .seed)
        self.firstBatch = firstBatch
        self.epoch = epoch
        self.position = position
        self.permutation = permutation
        self.rng = SeededRandom(stateWords: words)
    }
}
