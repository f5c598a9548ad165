/// Where the images come from.
public enum DataSource: Sendable, Equatable, CustomStringConvertible {
    /// Data/mnist-5k in the repo: 5,000 real MNIST training images, 500 per class (no download).
    case embedded
    /// A folder with the four standard MNIST IDX files (train-images-idx3-ubyte,
    /// train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; each raw or .gz).
    case directory(String)
    /// Debian's dataset-fashion-mnist package: /usr/share/datasets/fashion-mnist/.
    case fashion

    public static let fashionPath = "/usr/share/datasets/fashion-mnist"

    /// Parses a command-line value: "embedded", "fashion", anything else is a directory
    /// (write "./embedded" for a folder that happens to be called that).
    public init(_ text: String) {
        switch text {
        case "embedded": self = .embedded
        case "fashion": self = .fashion
        default: self = .directory(text)
        }
    }

    /// The inverse of `init(_:)`: "embedded", "fashion" or the directory path.
    public var description: String {
        switch self {
        case .embedded: return "embedded"
        case .fashion: return "fashion"
        case .directory(let path): return path
        }
    }
}

/// How the train subset is drawn from the available training images.
public enum SubsetMode: String, Codable, Sendable, CaseIterable {
    /// trainSize / 10 images per class, drawn at random without replacement (seeded).
    case balanced
    /// The first trainSize images in the pool's canonical order (see `MNIST.load`).
    case first
}

/// A train set, a test set and where they came from.
public struct DataSplit: Sendable {
    public let train: ImageSet
    public let test: ImageSet
    public let source: DataSource
    /// One line for config.json and logs, e.g. "embedded MNIST 5k (Data/mnist-5k): train 1000
    /// balanced (seed 0), test 4000 = the other embedded images (not the 10,000 test set)".
    public let sourceDescription: String
    /// The resolved directory the files were read from.
    public let sourcePath: String

    public init(train: ImageSet, test: ImageSet, source: DataSource, sourceDescription: String, sourcePath: String) {
        self.train = train
        self.test = test
        self.source = source
        self.sourceDescription = sourceDescription
        self.sourcePath = sourcePath
    }
}
