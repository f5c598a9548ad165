import Foundation
import GrokCore
import XCTest

/// Test-only access to the copied fixtures (Tests/HTSRTests/Fixtures, copied from
/// shared/fixtures/htsr): the eight float32 matrices and WeightWatcher 0.7.7's output.
enum Fixtures {
    static let names = [
        "a_gauss_784x200", "b1_gauss_plus_5spikes_784x200", "b2_student_t2.5_784x200",
        "b3_student_t1.5_784x200", "c1_gauss_200x200", "c2_gauss_200x10",
        "d_trap_large_entries_784x200", "e_gauss_200x784_transposed",
    ]

    static func url(_ file: String) throws -> URL {
        let base = try XCTUnwrap(Bundle.module.resourceURL).appendingPathComponent("Fixtures")
        return base.appendingPathComponent(file)
    }

    static func matrix(_ name: String) throws -> Matrix<Double> {
        try TinyNPY.parseFloat32(Data(contentsOf: url(name + ".npy")))
    }

    /// WeightWatcher's rows keyed by file stem.
    static func reference(_ file: String) throws -> [String: [String: Any]] {
        let data = try Data(contentsOf: url(file))
        let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        var out: [String: [String: Any]] = [:]
        for r in rows {
            let f = try XCTUnwrap(r["file"] as? String)
            out[String(f.dropLast(4))] = r
        }
        return out
    }
}

/// A minimal reader for the fixtures' fixed format (NumPy 1.0, '<f4', C order, 2-D) until the
/// project's Tensors module parses .npy files.
enum TinyNPY {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func parseFloat32(_ d: Data) throws -> Matrix<Double> {
        let b = [UInt8](d)
        guard b.count > 10, b[0] == 0x93, Array(b[1...5]) == Array("NUMPY".utf8), b[6] == 1 else {
            throw Failure(description: "not a NumPy 1.x file")
        }
        let headerLen = Int(b[8]) | Int(b[9]) << 8
        guard 10 + headerLen <= b.count,
              let header = String(bytes: b[10..<(10 + headerLen)], encoding: .ascii) else {
            throw Failure(description: "bad header")
        }
        guard header.contains("'<f4'"), header.contains("'fortran_order': False") else {
            throw Failure(description: "unsupported header \(header)")
        }
        guard let open = header.firstIndex(of: "("), let close = header.firstIndex(of: ")") else {
            throw Failure(description: "no shape")
        }
        let dims = header[header.index(after: open)..<close].split(separator: ",")
            .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard dims.count == 2 else { throw Failure(description: "not 2-D: \(dims)") }
        let start = 10 + headerLen, count = dims[0] * dims[1]
        guard b.count == start + 4 * count else { throw Failure(description: "size mismatch") }
        var values = [Double](repeating: 0, count: count)
        for i in 0..<count {
            let o = start + 4 * i
            let bits = UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
            values[i] = Double(Float(bitPattern: bits))
        }
        return Matrix(rows: dims[0], cols: dims[1], values: values)
    }
}

func relativeError(_ a: Double, _ b: Double) -> Double {
    a == b ? 0 : abs(a - b) / max(abs(b), 1e-300)
}
