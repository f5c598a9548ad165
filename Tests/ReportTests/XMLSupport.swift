import XCTest
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The elements of an XML document (report.html is written as XHTML; figures are SVG).
final class XMLDoc: NSObject, XMLParserDelegate {
    struct Element { let name: String; let attributes: [String: String]; var text: String }
    var elements: [Element] = []
    private var stack: [Int] = []

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.append(Element(name: name, attributes: attributes, text: ""))
        stack.append(elements.count - 1)
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) {
        for i in stack { elements[i].text += string }
    }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
    }

    static func parse(_ url: URL, file: StaticString = #filePath, line: UInt = #line) throws -> XMLDoc {
        let d = XMLDoc()
        let p = XMLParser(data: try Data(contentsOf: url))
        p.delegate = d
        XCTAssertTrue(p.parse(), "\(url.lastPathComponent) is not well-formed: \(String(describing: p.parserError))", file: file, line: line)
        return d
    }

    func named(_ n: String) -> [Element] { elements.filter { $0.name == n } }
    var allText: String { elements.first?.text ?? "" }
}
