import GrokCore

// Register tiles: a block of an output row held in vector registers while a kernel walks a
// list of entries, one broadcast fused multiply-add per entry and register. A tile is built by
// joining parts (one register, two scalars, nothing), so a kernel picks a tile of exactly the
// registers a row block needs; after inlining the parts are plain vector values that LLVM keeps
// in registers. The register is T.Register (256 bits): AVX2 has 16 of them, so a tile holds at
// most 13 (13 accumulators, the broadcast and a spare); on AVX-512 the same tiles use half the
// register file and stay correct.

protocol RowTile {
    associatedtype T: BLASScalar
    /// Columns covered, in scalars.
    static var width: Int { get }
    init()
    init(loading p: UnsafePointer<T>)
    /// self += x * m[0 ..< width]
    mutating func addProduct(_ x: T, _ m: UnsafePointer<T>)
    func store(_ p: UnsafeMutablePointer<T>)
}

/// One vector register.
struct R1<T: BLASScalar>: RowTile {
    var v: T.Register
    static var width: Int { T.Register.scalarCount }
    @inline(__always) init() { v = T.Register(repeating: 0) }
    @inline(__always) init(loading p: UnsafePointer<T>) { v = UnsafeRawPointer(p).loadUnaligned(as: T.Register.self) }
    @inline(__always) mutating func addProduct(_ x: T, _ m: UnsafePointer<T>) {
        v.addProduct(T.Register(repeating: x), UnsafeRawPointer(m).loadUnaligned(as: T.Register.self))
    }
    @inline(__always) func store(_ p: UnsafeMutablePointer<T>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: T.Register.self) }
}

/// Two scalars (a 10-wide output layer's last two columns, in f32 and f64).
struct Two<T: BLASScalar>: RowTile {
    var v: SIMD2<T>
    static var width: Int { 2 }
    @inline(__always) init() { v = SIMD2(repeating: 0) }
    @inline(__always) init(loading p: UnsafePointer<T>) { v = UnsafeRawPointer(p).loadUnaligned(as: SIMD2<T>.self) }
    @inline(__always) mutating func addProduct(_ x: T, _ m: UnsafePointer<T>) {
        v.addProduct(SIMD2(repeating: x), UnsafeRawPointer(m).loadUnaligned(as: SIMD2<T>.self))
    }
    @inline(__always) func store(_ p: UnsafeMutablePointer<T>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD2<T>.self) }
}

/// No columns (a tile without a tail).
struct Empty<T: BLASScalar>: RowTile {
    static var width: Int { 0 }
    @inline(__always) init() {}
    @inline(__always) init(loading p: UnsafePointer<T>) {}
    @inline(__always) mutating func addProduct(_ x: T, _ m: UnsafePointer<T>) {}
    @inline(__always) func store(_ p: UnsafeMutablePointer<T>) {}
}

/// A's columns, then B's.
struct Join<A: RowTile, B: RowTile>: RowTile where A.T == B.T {
    typealias T = A.T
    var a: A, b: B
    static var width: Int { A.width + B.width }
    @inline(__always) init() { a = A(); b = B() }
    @inline(__always) init(loading p: UnsafePointer<T>) { a = A(loading: p); b = B(loading: p + A.width) }
    @inline(__always) mutating func addProduct(_ x: T, _ m: UnsafePointer<T>) { a.addProduct(x, m); b.addProduct(x, m + A.width) }
    @inline(__always) func store(_ p: UnsafeMutablePointer<T>) { a.store(p); b.store(p + A.width) }
}

typealias R2<T: BLASScalar> = Join<R1<T>, R1<T>>
typealias R3<T: BLASScalar> = Join<R2<T>, R1<T>>
typealias R4<T: BLASScalar> = Join<R2<T>, R2<T>>
typealias R5<T: BLASScalar> = Join<R4<T>, R1<T>>
typealias R6<T: BLASScalar> = Join<R4<T>, R2<T>>
typealias R7<T: BLASScalar> = Join<R4<T>, R3<T>>
typealias R8<T: BLASScalar> = Join<R4<T>, R4<T>>
typealias R9<T: BLASScalar> = Join<R8<T>, R1<T>>
typealias R10<T: BLASScalar> = Join<R8<T>, R2<T>>
typealias R11<T: BLASScalar> = Join<R8<T>, R3<T>>
typealias R12<T: BLASScalar> = Join<R8<T>, R4<T>>
typealias R13<T: BLASScalar> = Join<R8<T>, R5<T>>

/// The most registers one tile holds.
let maxTileRegisters = 13
