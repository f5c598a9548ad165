import Foundation
import GrokCore
#if canImport(Glibc)
import Glibc
#endif

/// Loads MNIST-style data and draws the train/test split Prakash & Martin's experiments use (arXiv 2506.04434).
public enum MNIST {
    static let embeddedImages = "images-idx3-ubyte.gz"
    static let embeddedLabels = "labels-idx1-ubyte.gz"

    /// The four files of the standard MNIST layout, and what each one is (for error messages).
    static let standardFiles: [(name: String, role: String)] = [
        ("train-images-idx3-ubyte", "the training images, IDX magic 0x00000803"),
        ("train-labels-idx1-ubyte", "the training labels, IDX magic 0x00000801"),
        ("t10k-images-idx3-ubyte", "the test images, IDX magic 0x00000803"),
        ("t10k-labels-idx1-ubyte", "the test labels, IDX magic 0x00000801"),
    ]

    /// Loads `source` and draws the train subset.
    ///
    /// - balanced: trainSize/10 images per class drawn at random without replacement with
    ///   SeededRandom(seed: seed, stream: "split") (trainSize must be a multiple of 10). For
    ///   each class 0...9 in turn, that class's images (in pool order) are shuffled and the first
    ///   trainSize/10 kept, so a larger trainSize with the same seed contains the smaller one.
    /// - first: the first trainSize images of the pool.
    ///
    /// The pool is the training file in file order, except for the embedded data: its CSV
    /// source is grouped by class, so its canonical order is interleaved by class (position
    /// p = k*10 + c holds the k-th image of class c) and "first 100" means 10 per class.
    /// Train images are returned in pool order (BatchOrder does the shuffling).
    ///
    /// Embedded: test = all embedded images not in train, in pool order. Directory/fashion:
    /// train drawn from the 60,000 training images, test = the full 10,000 (t10k).
    public static func load(_ source: DataSource, trainSize: Int, subset: SubsetMode, seed: UInt64) throws -> DataSplit {
        guard trainSize > 0 else { throw GrokError("train size must be positive (got \(trainSize))") }
        if subset == .balanced && trainSize % 10 != 0 {
            throw GrokError("train size \(trainSize) is not a multiple of 10: a balanced subset takes trainSize/10 images of each class (use --subset first, or e.g. \(trainSize / 10 * 10 + 10))")
        }
        let how = subset == .balanced ? "balanced (seed \(seed))" : "first"

        /// A folder of the four standard IDX files: train drawn from its 60,000, test its 10,000.
        func standardSplit(_ dir: URL, name: String, poolName: String) throws -> DataSplit {
            let (train, test) = try loadStandard(dir)
            let trainIndices = try drawTrain(train, trainSize: trainSize, subset: subset, seed: seed, poolName: poolName)
            return DataSplit(
                train: train.subset(trainIndices), test: test, source: source,
                sourceDescription: "\(name): train \(trainSize) \(how) of \(train.count), test \(test.count) (t10k)",
                sourcePath: dir.path)
        }

        switch source {
        case .embedded:
            let dir = try embeddedDirectory()
            let all = try loadPair(images: dir.appendingPathComponent(embeddedImages),
                                   labels: dir.appendingPathComponent(embeddedLabels))
            let pool = all.subset(classInterleavedOrder(all.labels))
            let trainIndices = try drawTrain(pool, trainSize: trainSize, subset: subset, seed: seed,
                                             poolName: "the embedded MNIST data (\(dir.path))")
            var inTrain = [Bool](repeating: false, count: pool.count)
            for i in trainIndices { inTrain[i] = true }
            let testIndices = (0..<pool.count).filter { !inTrain[$0] }
            guard !testIndices.isEmpty else {
                throw GrokError("train size \(trainSize) uses all \(pool.count) embedded images and leaves none for the test set: use a smaller train size")
            }
            let order = subset == .first ? "first (class-interleaved order)" : how
            return DataSplit(
                train: pool.subset(trainIndices), test: pool.subset(testIndices), source: source,
                sourceDescription: "embedded MNIST 5k (Data/mnist-5k): train \(trainSize) \(order), test \(testIndices.count) = the other embedded images (not the 10,000 test set)",
                sourcePath: dir.path)

        case .directory(let path):
            let dir = URL(fileURLWithPath: path).standardizedFileURL
            return try standardSplit(dir, name: "MNIST IDX files in \(dir.path)", poolName: "the training images in \(dir.path)")

        case .fashion:
            let dir = URL(fileURLWithPath: DataSource.fashionPath)
            guard FileManager.default.fileExists(atPath: dir.path) else {
                throw GrokError("Fashion-MNIST not found at \(dir.path): install it with `apt-get install dataset-fashion-mnist`, or pass a directory with the four IDX files")
            }
            return try standardSplit(dir, name: "Fashion-MNIST (\(dir.path))", poolName: "Fashion-MNIST (\(dir.path))")
        }
    }

    /// Where the embedded data lives: $GROKLAB_DATA if set (the Data directory, or the
    /// mnist-5k folder itself); else the first ancestor of the running executable
    /// (/proc/self/exe, resolved) that contains Data/mnist-5k; else the repo root derived from
    /// #filePath at compile time. Returns the mnist-5k folder.
    public static func embeddedDirectory() throws -> URL {
        func holds(_ dir: URL) -> Bool {
            let fm = FileManager.default
            return fm.fileExists(atPath: dir.appendingPathComponent(embeddedImages).path)
                && fm.fileExists(atPath: dir.appendingPathComponent(embeddedLabels).path)
        }
        if let env = ProcessInfo.processInfo.environment["GROKLAB_DATA"], !env.isEmpty {
            let base = URL(fileURLWithPath: env).standardizedFileURL
            for dir in [base, base.appendingPathComponent("mnist-5k"),
                        base.appendingPathComponent("Data/mnist-5k")] where holds(dir) {
                return dir
            }
            throw GrokError("GROKLAB_DATA=\(env) has no mnist-5k/\(embeddedImages) and mnist-5k/\(embeddedLabels): point it at the Data directory of a GrokLab checkout, or unset it")
        }
        if let exe = executablePath() {
            var dir = exe.deletingLastPathComponent()
            while true {
                let candidate = dir.appendingPathComponent("Data/mnist-5k")
                if holds(candidate) { return candidate }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        // Sources/Datasets/MNIST.swift -> the repo root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let fromSource = root.appendingPathComponent("Data/mnist-5k")
        if holds(fromSource) { return fromSource }
        throw GrokError("embedded MNIST (Data/mnist-5k/\(embeddedImages)) not found near the executable or at \(fromSource.path): set GROKLAB_DATA to the Data directory of a GrokLab checkout")
    }

    // MARK: - Loading

    /// The running executable, symlinks resolved (so an installed symlink still finds the repo).
    private static func executablePath() -> URL? {
        #if os(Linux)
        if let resolved = realpath("/proc/self/exe", nil) {
            defer { free(resolved) }
            return URL(fileURLWithPath: String(cString: resolved))
        }
        #endif
        return Bundle.main.executableURL?.resolvingSymlinksInPath()
    }

    /// Reads an image file and its label file and checks that they belong together.
    static func loadPair(images: URL, labels: URL) throws -> ImageSet {
        let img = try IDX.readImages(images)
        let lab = try IDX.readLabels(labels)
        guard lab.count == img.count else {
            throw GrokError("\(labels.path): \(lab.count) labels, but \(images.path) has \(img.count) images")
        }
        if let bad = lab.firstIndex(where: { $0 > 9 }) {
            throw GrokError("\(labels.path): label \(lab[bad]) at index \(bad) is not a class 0...9")
        }
        guard img.rows > 0, img.cols > 0 else {
            throw GrokError("\(images.path): images of \(img.rows) x \(img.cols) pixels")
        }
        return try ImageSet(pixels: img.pixels, labels: lab, rows: img.rows, cols: img.cols)
    }

    /// The train and test sets from a folder in the standard MNIST layout.
    static func loadStandard(_ dir: URL) throws -> (train: ImageSet, test: ImageSet) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw GrokError("\(dir.path): no such directory (expected a folder with \(standardFiles.map(\.name).joined(separator: ", ")), raw or .gz)")
        }
        // Find all four before reading any, so a missing one is reported at once.
        let urls = try standardFiles.map { file -> URL in
            for name in [file.name + ".gz", file.name] {
                let url = dir.appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: url.path) { return url }
            }
            throw GrokError("\(dir.path): missing \(file.name) or \(file.name).gz (\(file.role)); expected the four standard MNIST files \(standardFiles.map(\.name).joined(separator: ", ")), raw or .gz")
        }
        let train = try loadPair(images: urls[0], labels: urls[1])
        let test = try loadPair(images: urls[2], labels: urls[3])
        guard train.rows == test.rows, train.cols == test.cols else {
            throw GrokError("\(urls[2].path): test images are \(test.rows) x \(test.cols) but training images (\(urls[0].path)) are \(train.rows) x \(train.cols)")
        }
        guard test.count > 0 else { throw GrokError("\(urls[2].path): no test images") }
        return (train, test)
    }

    // MARK: - Splitting

    /// The embedded pool's canonical order: round-robin over classes, position k*10 + c
    /// holding the k-th image (in file order) of class c while every class has one left.
    static func classInterleavedOrder(_ labels: [UInt8]) -> [Int] {
        var byClass = [[Int]](repeating: [], count: 10)
        for (i, label) in labels.enumerated() { byClass[Int(label)].append(i) }
        var order: [Int] = []
        order.reserveCapacity(labels.count)
        var k = 0
        while order.count < labels.count {
            for c in 0..<10 where k < byClass[c].count { order.append(byClass[c][k]) }
            k += 1
        }
        return order
    }

    /// The pool indices of the train subset, ascending.
    static func drawTrain(_ pool: ImageSet, trainSize: Int, subset: SubsetMode, seed: UInt64, poolName: String) throws -> [Int] {
        guard trainSize <= pool.count else {
            throw GrokError("train size \(trainSize) is larger than the \(pool.count) images in \(poolName)")
        }
        switch subset {
        case .first:
            return Array(0..<trainSize)
        case .balanced:
            let perClass = trainSize / 10
            var byClass = [[Int]](repeating: [], count: 10)
            for (i, label) in pool.labels.enumerated() { byClass[Int(label)].append(i) }
            var rng = SeededRandom(seed: seed, stream: "split")
            var chosen: [Int] = []
            chosen.reserveCapacity(trainSize)
            for c in 0..<10 {
                guard byClass[c].count >= perClass else {
                    throw GrokError("train size \(trainSize) balanced needs \(perClass) images of class \(c), but \(poolName) has \(byClass[c].count)")
                }
                byClass[c].seededShuffle(using: &rng)
                chosen += byClass[c].prefix(perClass)
            }
            return chosen.sorted()
        }
    }
}
