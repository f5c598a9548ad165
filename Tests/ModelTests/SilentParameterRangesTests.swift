import XCTest
import GrokCore
import Model

/// `silentParameterRanges` on a hand-made set: 3 rows of 6 inputs into 4 units.
final class SilentParameterRangesTests: XCTestCase {
    func testInputsZeroInEveryRowGiveTheirWeightRows() throws {
        let m = MLP<Double>(shape: try MLPShape(widths: [6, 4, 2]), maxBatch: 3)
        // Inputs 0, 1 and 4 are zero (or -0) in every row; 2 is NaN once; 3 and 5 non-zero once.
        let x: [Double] = [0, -0.0, 0, 0, 0, 1,
                           0, 0, .nan, 0.5, 0, 0,
                           -0.0, 0, 0, 0, 0, 0]
        let ranges = m.silentParameterRanges(inputs: x)
        // W_1 is stored input-major from offset 0: input k's weights are 4k ..< 4k + 4.
        XCTAssertEqual(ranges, [0..<8, 16..<20])
    }
}
