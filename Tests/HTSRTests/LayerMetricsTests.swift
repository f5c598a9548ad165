import Foundation
import XCTest
import HTSR

/// `LayerAnalysis.metrics`, the one list every table of layer metrics selects from.
final class LayerMetricsTests: XCTestCase {
    /// Every metric reads the value LayerAnalysis's own JSON encoding has under its name.
    func testMetricsAgreeWithTheJSONKeys() throws {
        var a = LayerAnalysis(name: "w", kind: "dense", N: 30, M: 20)
        var k = 0.0
        for m in LayerAnalysis.metrics {
            k += 1
            switch m.kind {
            case .int: if m.name != "N" && m.name != "M" { m.set(.int(Int(k)), in: &a) }
            case .double: m.set(.double(k + 0.5), in: &a)
            case .bool: m.set(.bool(true), in: &a)
            case .text: if m.name == "warning" { m.set(.text("under-trained"), in: &a) }
            }
        }
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(a)) as! [String: Any]
        XCTAssertEqual(Set(LayerAnalysis.metrics.map(\.name)).count, LayerAnalysis.metrics.count, "names are unique")
        for m in LayerAnalysis.metrics {
            let encoded = try XCTUnwrap(json[m.name], "\(m.name) is not a JSON key of LayerAnalysis")
            switch m.value(a) {
            case .int(let i)?: XCTAssertEqual((encoded as? NSNumber)?.intValue, i, m.name)
            case .double(let d)?: XCTAssertEqual((encoded as? NSNumber)?.doubleValue, d, m.name)
            case .bool(let b)?: XCTAssertEqual(encoded as? Bool, b, m.name)
            case .text(let s)?: XCTAssertEqual(encoded as? String, s, m.name)
            case nil: XCTFail("\(m.name) was set")
            }
        }
    }
}
