import GrokCore

/// `count` grayscale images of rows x cols pixels, flattened row-major, with labels 0...9.
/// Pixels stay bytes (as on disk) until a model asks for floats: 60,000 MNIST images are
/// 47 MB as bytes and 376 MB as Doubles.
public struct ImageSet: Sendable, Equatable {
    public let pixels: [UInt8]      // count * features
    public let labels: [UInt8]      // count
    public let count: Int
    public let rows: Int, cols: Int
    public var features: Int { rows * cols }

    /// Checks that the sizes agree and every label is a class 0...9.
    public init(pixels: [UInt8], labels: [UInt8], rows: Int, cols: Int) throws {
        guard rows > 0, cols > 0 else { throw GrokError("image set: rows and cols must be positive (got \(rows) x \(cols))") }
        let (features, o1) = rows.multipliedReportingOverflow(by: cols)
        let (total, o2) = features.multipliedReportingOverflow(by: labels.count)
        guard !o1, !o2, pixels.count == total else {
            throw GrokError("image set: \(pixels.count) pixels for \(labels.count) labels of \(rows) x \(cols) images (expected \(labels.count) x \(rows * cols))")
        }
        if let bad = labels.firstIndex(where: { $0 > 9 }) {
            throw GrokError("image set: label \(labels[bad]) at index \(bad) is not a class 0...9")
        }
        self.pixels = pixels
        self.labels = labels
        self.count = labels.count
        self.rows = rows
        self.cols = cols
    }

    /// For callers that have already validated (subset of a valid set).
    private init(validPixels: [UInt8], labels: [UInt8], rows: Int, cols: Int) {
        self.pixels = validPixels
        self.labels = labels
        self.count = labels.count
        self.rows = rows
        self.cols = cols
    }

    /// The images at `indices`, in that order (indices must be in 0..<count; repeats allowed).
    public func subset(_ indices: [Int]) -> ImageSet {
        let f = features
        var newPixels = [UInt8](repeating: 0, count: indices.count * f)
        var newLabels = [UInt8](repeating: 0, count: indices.count)
        pixels.withUnsafeBufferPointer { src in
            newPixels.withUnsafeMutableBufferPointer { dst in
                for (k, i) in indices.enumerated() {
                    precondition(i >= 0 && i < count, "subset index \(i) out of range 0..<\(count)")
                    UnsafeMutableRawPointer(dst.baseAddress! + k * f)
                        .copyMemory(from: src.baseAddress! + i * f, byteCount: f)
                    newLabels[k] = labels[i]
                }
            }
        }
        return ImageSet(validPixels: newPixels, labels: newLabels, rows: rows, cols: cols)
    }

    /// pixels / 255 as T, row-major count x features: the only normalization Prakash & Martin (arXiv 2506.04434) use
    /// (torchvision's ToTensor, no mean/std standardization). Each value is the correctly
    /// rounded T(p) / 255, read from a 256-entry table.
    @inlinable
    public func normalizedPixels<T: BinaryFloatingPoint>(as: T.Type) -> [T] {
        let table = (0..<256).map { T($0) / T(255) }
        return [T](unsafeUninitializedCapacity: pixels.count) { out, initialized in
            pixels.withUnsafeBufferPointer { src in
                table.withUnsafeBufferPointer { t in
                    for i in 0..<src.count { (out.baseAddress! + i).initialize(to: t[Int(src[i])]) }
                }
            }
            initialized = pixels.count
        }
    }

    /// Labels as the Int32 class indices a cross-entropy loss takes.
    public func labelsAsInt32() -> [Int32] { labels.map { Int32($0) } }
}
