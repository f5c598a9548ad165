/// `values` as [U] when T is U (the callers check `T.self == U.self`): one copy of the
/// bytes. `values as! [U]` would cast element by element through the runtime (a dynamic cast
/// per parameter, ~600,000 per checkpoint of Prakash & Martin's network).
@inline(__always)
func reinterpreted<T, U>(_ values: [T], as _: U.Type) -> [U] {
    precondition(T.self == U.self, "reinterpreted: \(T.self) is not \(U.self)")
    return values.withUnsafeBufferPointer { $0.withMemoryRebound(to: U.self) { Array($0) } }
}
