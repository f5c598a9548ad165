import XCTest
@testable import Sweep
import GrokCore

final class GridTests: XCTestCase {
    func testPlaceholder() throws {}
}
