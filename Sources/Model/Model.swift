// TEMPORARY stub so main compiles until the model branch lands (replaced by it).
import GrokCore
public struct MLPShape: Codable, Sendable, Equatable {
    public let widths: [Int]
    public init(widths: [Int]) throws { self.widths = widths }
    public var layerCount: Int { widths.count - 1 }
    func layerSize(_ l: Int) -> Int { let o: Int = widths[l + 1]; return widths[l] * o + o }
    public var parameterCount: Int { var s = 0; for l in 0..<layerCount { s += layerSize(l) }; return s }
    public func layerName(_ l: Int) -> String { "fc\(l + 1)" }
    public func weightRange(_ l: Int) -> Range<Int> {
        var start = 0; for k in 0..<l { start += layerSize(k) }
        return start..<(start + widths[l] * widths[l + 1])
    }
    public func biasRange(_ l: Int) -> Range<Int> { let w = weightRange(l); return w.upperBound..<(w.upperBound + widths[l + 1]) }
}
