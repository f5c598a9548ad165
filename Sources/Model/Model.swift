// TEMPORARY stub so main compiles until the model branch lands (replaced by it).
import GrokCore
public struct MLPShape: Codable, Sendable, Equatable {
    public let widths: [Int]
    public init(widths: [Int]) throws { self.widths = widths }
    public var layerCount: Int { widths.count - 1 }
    public var parameterCount: Int { (0..<layerCount).reduce(0) { $0 + widths[$1] * widths[$1 + 1] + widths[$1 + 1] } }
    public func layerName(_ l: Int) -> String { "fc\(l + 1)" }
    public func weightRange(_ l: Int) -> Range<Int> {
        let start = (0..<l).reduce(0) { $0 + widths[$1] * widths[$1 + 1] + widths[$1 + 1] }
        return start..<(start + widths[l] * widths[l + 1])
    }
    public func biasRange(_ l: Int) -> Range<Int> { let w = weightRange(l); return w.upperBound..<(w.upperBound + widths[l + 1]) }
}
