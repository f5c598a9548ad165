/// Zero-filled buffers aligned to 64 bytes (one cache line, one AVX-512 vector), so the
/// vectorized loops and BLAS never straddle lines at row starts of aligned widths.
@usableFromInline
func allocateZeroed<T: BinaryFloatingPoint>(_ count: Int, _: T.Type = T.self) -> UnsafeMutableBufferPointer<T> {
    let n = max(count, 1)
    let raw = UnsafeMutableRawPointer.allocate(byteCount: n * MemoryLayout<T>.stride, alignment: 64)
    let p = raw.bindMemory(to: T.self, capacity: n)
    p.initialize(repeating: 0, count: n)
    return UnsafeMutableBufferPointer(start: p, count: count)
}

@usableFromInline
func deallocate<T>(_ b: UnsafeMutableBufferPointer<T>) {
    b.baseAddress.map { UnsafeMutableRawPointer($0).deallocate() }
}
