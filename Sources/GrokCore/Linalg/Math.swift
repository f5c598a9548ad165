#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// libm entry points under names that cannot collide with the BLASScalar requirements.
@inlinable @inline(__always) public func Foundation_expf(_ x: Float) -> Float { expf(x) }
@inlinable @inline(__always) public func Foundation_logf(_ x: Float) -> Float { logf(x) }
@inlinable @inline(__always) public func Foundation_exp(_ x: Double) -> Double { exp(x) }
@inlinable @inline(__always) public func Foundation_log(_ x: Double) -> Double { log(x) }
