import COpenBLAS

/// Float and Double, with the BLAS calls the model needs. Generic numeric code is written once
/// over this protocol and specialized by the compiler (`@inlinable` everywhere it crosses a
/// module boundary, or it runs ~100x slower through witness tables).
public protocol BLASScalar: BinaryFloatingPoint, SIMDScalar, Sendable, Codable
where Self.RawSignificand: FixedWidthInteger {
    /// Name as used in configs and safetensors ("F32", "F64").
    static var dtypeName: String { get }
    /// One 256-bit vector register's worth (8 floats, 4 doubles): the unit the sparse kernels
    /// tile their register blocks in (16 of them on AVX2, 32 on AVX-512).
    associatedtype Register: SIMD where Register.Scalar == Self
    /// Row-major C = alpha * op(A) * op(B) + beta * C, op(A) is m x k, op(B) is k x n.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                     alpha: Self, a: UnsafePointer<Self>, lda: Int,
                     b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    /// exp and log (the standard library has no generic transcendental functions).
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
}

@inlinable @inline(__always)
func cblasTranspose(_ t: Bool) -> CBLAS_TRANSPOSE { t ? CblasTrans : CblasNoTrans }

extension Float: BLASScalar {
    public typealias Register = SIMD8<Float>
    public static var dtypeName: String { "F32" }
    @inlinable
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                            alpha: Float, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, cblasTranspose(transA), cblasTranspose(transB),
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }
    @inlinable @inline(__always) public static func exp(_ x: Float) -> Float { Foundation_expf(x) }
    @inlinable @inline(__always) public static func log(_ x: Float) -> Float { Foundation_logf(x) }
}

extension Double: BLASScalar {
    public typealias Register = SIMD4<Double>
    public static var dtypeName: String { "F64" }
    @inlinable
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                            alpha: Double, a: UnsafePointer<Double>, lda: Int,
                            b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dgemm(CblasRowMajor, cblasTranspose(transA), cblasTranspose(transB),
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }
    @inlinable @inline(__always) public static func exp(_ x: Double) -> Double { Foundation_exp(x) }
    @inlinable @inline(__always) public static func log(_ x: Double) -> Double { Foundation_log(x) }
}
