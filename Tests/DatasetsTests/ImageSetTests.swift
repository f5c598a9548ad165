import Datasets
import XCTest

final class ImageSetTests: XCTestCase {
    func testSubsetAndConversions() throws {
        let set = try ImageSet(pixels: [0, 255, 51, 102, 1, 2, 3, 4, 10, 20, 30, 40], labels: [3, 9, 0], rows: 2, cols: 2)
        XCTAssertEqual(set.count, 3)
        XCTAssertEqual(set.features, 4)
        let sub = set.subset([2, 0, 2])
        XCTAssertEqual(sub.pixels, [10, 20, 30, 40, 0, 255, 51, 102, 10, 20, 30, 40])
        XCTAssertEqual(sub.labels, [0, 3, 0])
        XCTAssertEqual(sub.count, 3)
        XCTAssertEqual(set.subset([]).count, 0)
        XCTAssertEqual(set.labelsAsInt32(), [3, 9, 0])
        let d = set.normalizedPixels(as: Double.self)
        XCTAssertEqual(d.count, 12)
        XCTAssertEqual(Array(d[0..<4]), [0, 1, 0.2, 0.4])  // 51/255 = 0.2, 102/255 = 0.4 exactly rounded
        XCTAssertEqual(d[4], 1.0 / 255.0)
        let f = set.normalizedPixels(as: Float.self)
        XCTAssertEqual(f[1], 1)
        XCTAssertEqual(f[9], Float(20) / Float(255))
    }

    func testValidation() {
        assertGrokError(try ImageSet(pixels: [1, 2, 3], labels: [1], rows: 2, cols: 2), contains: ["3 pixels for 1 labels"])
        assertGrokError(try ImageSet(pixels: [1, 2, 3, 4], labels: [10], rows: 2, cols: 2), contains: ["label 10 at index 0"])
        assertGrokError(try ImageSet(pixels: [], labels: [], rows: 0, cols: 2), contains: ["rows and cols must be positive"])
    }
}
