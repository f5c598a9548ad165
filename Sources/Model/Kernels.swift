import GrokCore

// The elementwise work of a step, each kernel one pass over a [rows, cols] row-major block.
// They are generic but only ever called from MLP methods that are pre-specialized for Float
// and Double (see MLP.swift), so they compile to straight vector loops.

/// Hidden layer epilogue after z = x W^T: h = relu(z + b), in place. Swift.max(v, 0) is
/// `0 >= v ? 0 : v`: NaN stays NaN (as in PyTorch), and unlike `v < 0 ? 0 : v` (which LLVM
/// turns into a branch and leaves scalar) it vectorizes.
@inline(__always)
func addBiasReLU<T: BLASScalar>(_ z: UnsafeMutablePointer<T>, bias: UnsafePointer<T>, rows: Int, cols: Int) {
    for r in 0..<rows {
        let row = z + r * cols
        for j in 0..<cols {
            row[j] = Swift.max(row[j] + bias[j], 0)
        }
    }
}

/// Output layer epilogue: logits = z + b, in place.
@inline(__always)
func addBias<T: BLASScalar>(_ z: UnsafeMutablePointer<T>, bias: UnsafePointer<T>, rows: Int, cols: Int) {
    for r in 0..<rows {
        let row = z + r * cols
        for j in 0..<cols { row[j] += bias[j] }
    }
}

/// Backward through ReLU and the bias in one pass: d (= dL/dh on entry) becomes dL/dz =
/// d * [h > 0], and biasGradient receives the column sums of dL/dz.
@inline(__always)
func reluBackward<T: BLASScalar>(_ d: UnsafeMutablePointer<T>, activations h: UnsafePointer<T>,
                                 rows: Int, cols: Int, biasGradient db: UnsafeMutablePointer<T>) {
    db.update(repeating: 0, count: cols)
    for r in 0..<rows {
        let dr = d + r * cols, hr = h + r * cols
        for j in 0..<cols {
            let g = hr[j] > 0 ? dr[j] : 0
            dr[j] = g
            db[j] += g
        }
    }
}

/// Column sums of a [rows, cols] block into `out` (the output layer's bias gradient).
@inline(__always)
func columnSums<T: BLASScalar>(_ a: UnsafePointer<T>, rows: Int, cols: Int, into out: UnsafeMutablePointer<T>) {
    out.update(repeating: 0, count: cols)
    for r in 0..<rows {
        let ar = a + r * cols
        for j in 0..<cols { out[j] += ar[j] }
    }
}

/// Sum over rows of the per-row loss. When `gradient` is given it also receives
/// d(loss sum * gradScale)/d(logits); gradScale turns the sum into the mean the step minimizes
/// (1/rows for CE, 1/(rows*cols) for MSE, applied by the caller's choice of scale).
///
/// CE row loss = logsumexp(z) - z[y], computed with the max subtracted (stable);
/// its gradient is softmax(z) - onehot(y).
/// MSE row loss = sum_j (z_j - onehot_j)^2; its gradient is 2 (z - onehot).
@inline(__always)
func lossSum<T: BLASScalar>(_ loss: Loss, logits: UnsafePointer<T>, labels: UnsafePointer<Int32>,
                            rows: Int, cols: Int,
                            gradient: UnsafeMutablePointer<T>?, gradScale: T) -> Double {
    var total = 0.0
    switch loss {
    case .ce:
        for r in 0..<rows {
            let z = logits + r * cols
            let y = Int(labels[r])
            var m = z[0]
            for j in 1..<max(cols, 1) where z[j] > m { m = z[j] }
            var s: T = 0
            if let g = gradient {
                let gr = g + r * cols
                for j in 0..<cols { let e = T.exp(z[j] - m); gr[j] = e; s += e }
                let k = gradScale / s
                for j in 0..<cols { gr[j] *= k }
                gr[y] -= gradScale
            } else {
                for j in 0..<cols { s += T.exp(z[j] - m) }
            }
            total += Double(m - z[y]) + Double(T.log(s))
        }
    case .mse:
        let two = 2 * gradScale
        for r in 0..<rows {
            let z = logits + r * cols
            let y = Int(labels[r])
            var rowSum: T = 0
            if let g = gradient {
                let gr = g + r * cols
                for j in 0..<cols {
                    let diff = z[j] - (j == y ? 1 : 0)
                    rowSum += diff * diff
                    gr[j] = two * diff
                }
            } else {
                for j in 0..<cols {
                    let diff = z[j] - (j == y ? 1 : 0)
                    rowSum += diff * diff
                }
            }
            total += Double(rowSum)
        }
    }
    return total
}

/// Number of rows whose first maximal logit is at the label (torch.argmax picks the first).
@inline(__always)
func correctCount<T: BLASScalar>(logits: UnsafePointer<T>, labels: UnsafePointer<Int32>, rows: Int, cols: Int) -> Int {
    var correct = 0
    for r in 0..<rows {
        let z = logits + r * cols
        var best = 0
        for j in 1..<max(cols, 1) where z[j] > z[best] { best = j }
        if best == Int(labels[r]) { correct += 1 }
    }
    return correct
}
