import Foundation
import GrokCore
import HTSR

/// One file to read, as found by `WeightFiles.resolve`.
public struct WeightSource: Sendable, Equatable {
    public let url: URL
    /// The path as the user spelled it (a folder's files: the folder's spelling + their name),
    /// for messages and output.
    public let path: String
    /// The training step of a run directory's snapshot (nil for a plain file).
    public let step: Int?
    /// The run directory a snapshot belongs to (nil for a plain file).
    public let run: URL?

    public init(url: URL, path: String? = nil, step: Int? = nil, run: URL? = nil) {
        self.url = url; self.path = path ?? url.path; self.step = step; self.run = run
    }
}

/// A tensor that is in the file but is not a weight matrix (a bias, an integer buffer, a
/// 3-D tensor): reported as a note, never an error.
public struct SkippedTensor: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let reason: String
    /// "fc1.bias: 1-D, skipped".
    public var description: String { "\(name): \(reason), skipped" }
}

/// A problem with one tensor that does not spoil the rest of its file (NaN entries).
public struct LayerError: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    /// "fc1.weight[3, 17] is NaN".
    public let message: String
    public var description: String { message }
}

/// What one file holds, in the file's tensor order.
public struct WeightFile: Sendable {
    public let source: WeightSource
    /// The tensors to analyse (selected, 2-D or 4-D, floating point, finite).
    public var layers: [LayerInput]
    public var skipped: [SkippedTensor]
    public var layerErrors: [LayerError]
    /// Every tensor name in the file (for messages about --layers).
    public var tensorNames: [String]
}

/// A file (or a path given on the command line) that could not be read at all. The path is
/// kept apart from the problem so a tool can print `error: <path>: <problem>` on one line.
public struct FileFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let problem: String

    /// `alsoKnownAs`: another spelling of the path (absolute) that may start the problem.
    public init(path: String, problem: String, alsoKnownAs other: String? = nil) {
        self.path = path
        // Readers put the path in front of their messages already; do not say it twice.
        var text = problem.split(whereSeparator: \.isNewline).joined(separator: "; ")
        for prefix in [path, other].compactMap({ $0.map { $0 + ": " } }) where text.hasPrefix(prefix) {
            text = String(text.dropFirst(prefix.count))
            break
        }
        self.problem = text
    }

    /// "<path>: <problem>".
    public var description: String { "\(path): \(problem)" }
}
