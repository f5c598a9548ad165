import Foundation

/// Files written by the reference implementations (numpy 2.4.6, safetensors 0.8.0 for
/// Python) on the development machine, embedded as base64 so the tests need no resources
/// and no Python. The expected values next to each were printed by Python at the same time.
enum ReferenceFiles {
    static func data(_ base64: String) -> Data { Data(base64Encoded: base64)! }

    /// np.save(np.array([[1.5, -2.25, 3.0], [0.1, 1e300, -0.0]], dtype='<f8'))
    static let npyF64 = data("k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAD4PwAAAAAAAALAAAAAAAAACECamZmZmZm5P5x1AIg85Dd+AAAAAAAAAIA=")
    static let npyF64Values: [Double] = [1.5, -2.25, 3.0, 0.1, 1e300, -0.0]

    /// np.save(np.asfortranarray(np.arange(6, dtype='<f4').reshape(2, 3) * 0.5 + 0.25))
    static let npyF32Fortran = data("k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAIA+AADgPwAAQD8AABBAAACgPwAAMEA=")
    static let npyF32FortranValues: [Float] = [0.25, 0.75, 1.25, 1.75, 2.25, 2.75]  // C order

    /// np.save(np.asfortranarray(np.arange(24, dtype='<f8').reshape(2, 3, 4)))
    static let npyF64Fortran3D = data("k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMywgNCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAAAAAAAAChAAAAAAAAAEEAAAAAAAAAwQAAAAAAAACBAAAAAAAAANEAAAAAAAADwPwAAAAAAACpAAAAAAAAAFEAAAAAAAAAxQAAAAAAAACJAAAAAAAAANUAAAAAAAAAAQAAAAAAAACxAAAAAAAAAGEAAAAAAAAAyQAAAAAAAACRAAAAAAAAANkAAAAAAAAAIQAAAAAAAAC5AAAAAAAAAHEAAAAAAAAAzQAAAAAAAACZAAAAAAAAAN0A=")

    /// np.save(np.array([1.0, -2.5, 65504, 2**-24, np.inf, 0.333], dtype='<f2'))
    static let npyF16 = data("k05VTVBZAQB2AHsnZGVzY3InOiAnPGYyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDYsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAPADB/3sBAAB8VDU=")
    static let npyF16Values: [Double] = [1.0, -2.5, 65504.0, 5.960464477539063e-08, .infinity, 0.3330078125]

    /// np.save(np.array([[-7, 2**31 - 1], [-2**31, 0]], dtype='<i4'))
    static let npyI32 = data("k05VTVBZAQB2AHsnZGVzY3InOiAnPGk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr5////////fwAAAIAAAAAA")
    static let npyI32Values: [Double] = [-7, 2147483647, -2147483648, 0]

    /// numpy.lib.format.write_array(f, np.array([[1, 2], [3, 4]], dtype='<f8') * 0.5, version=(2, 0))
    static let npyV2 = data("k05VTVBZAgB0AAAAeydkZXNjcic6ICc8ZjgnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMiksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAADgPwAAAAAAAPA/AAAAAAAA+D8AAAAAAAAAQA==")
    /// numpy.lib.format.write_array(f, np.array([-1.5, 2.5], dtype='<f4'), version=(3, 0))
    static let npyV3 = data("k05VTVBZAwB0AAAAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAMC/AAAgQA==")

    /// np.save(np.array([1.0, 2.0], dtype='>f8')): big-endian, which GrokLab refuses.
    static let npyBigEndian = data("k05VTVBZAQB2AHsnZGVzY3InOiAnPmY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo/8AAAAAAAAEAAAAAAAAAA")

    /// safetensors.numpy.save({'fc1.weight': f32 [[0.5, -1], [2, 3.25], [1e-3, 7]],
    /// 'fc1.bias': f64 [1/3, -1/7, 1e-310], 'emb': f16 [1, -2.5, 65504, 2**-24, -inf, 0.1],
    /// 'count': i64 [3, -4]}, metadata={'format': 'np', 'step': '42'}). The library lays
    /// the data out as count, fc1.bias, fc1.weight, emb (by alignment, then name).
    static let safetensorsMixed = data("IAEAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJzdGVwIjoiNDIiLCJmb3JtYXQiOiJucCJ9LCJjb3VudCI6eyJkdHlwZSI6Ikk2NCIsInNoYXBlIjpbMl0sImRhdGFfb2Zmc2V0cyI6WzAsMTZdfSwiZmMxLmJpYXMiOnsiZHR5cGUiOiJGNjQiLCJzaGFwZSI6WzNdLCJkYXRhX29mZnNldHMiOlsxNiw0MF19LCJmYzEud2VpZ2h0Ijp7ImR0eXBlIjoiRjMyIiwic2hhcGUiOlszLDJdLCJkYXRhX29mZnNldHMiOls0MCw2NF19LCJlbWIiOnsiZHR5cGUiOiJGMTYiLCJzaGFwZSI6WzZdLCJkYXRhX29mZnNldHMiOls2NCw3Nl19fSADAAAAAAAAAPz/////////VVVVVVVV1T+SJEmSJEnCvyvmcItoEgAAAAAAPwAAgL8AAABAAABQQG8SgzoAAOBAADwAwf97AQAA/GYu")
    static let safetensorsWeightValues: [Double] = [0.5, -1.0, 2.0, 3.25, 0.0010000000474974513, 7.0]
    static let safetensorsBiasValues: [Double] = [0.3333333333333333, -0.14285714285714285, Double("1e-310")!]
    static let safetensorsEmbValues: [Double] = [1.0, -2.5, 65504.0, 5.960464477539063e-08, -.infinity, 0.0999755859375]

    /// Written with Python's struct/json: {"w": BF16 [2, 2]} holding the top halves of the
    /// float32 values [1.0, -2.5, 3.140625, inf] (bytes 80 3f 20 c0 49 40 80 7f).
    static let safetensorsBF16 = data("OQAAAAAAAAB7InciOnsiZHR5cGUiOiJCRjE2Iiwic2hhcGUiOlsyLDJdLCJkYXRhX29mZnNldHMiOlswLDhdfX2APyDASUCAfw==")
}
