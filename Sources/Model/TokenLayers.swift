import Foundation
import GrokCore

// The layers of the token model (EmbeddingMLP), each a forward/backward pair on row-major
// blocks, usable and testable on their own. Backward passes receive dL/d(output) and produce
// dL/d(input) and the parameter gradients (overwritten, not accumulated, unless stated).

/// A token embedding shared by `slots` positions: row r of the output is the concatenation
/// E[t_(r,0)] ++ E[t_(r,1)] ++ ... (each `dim` wide). Token ids arrive as Scalars (the
/// training loop's input rows) and are exact small integers.
public enum EmbeddingLayer {
    /// out [rows, slots * dim] from tokens [rows, slots] and E [vocab, dim].
    @inline(__always)
    public static func forward<T: BLASScalar>(tokens: UnsafePointer<T>, rows: Int, slots: Int,
                                              table: UnsafePointer<T>, dim: Int, out: UnsafeMutablePointer<T>) {
        for r in 0..<rows {
            for s in 0..<slots {
                let t = Int(tokens[r * slots + s])
                (out + (r * slots + s) * dim).update(from: table + t * dim, count: dim)
            }
        }
    }

    /// dE [vocab, dim] = the sum, over every (row, slot) where token t sits, of that slot's
    /// `dim` values of dOut [rows, slots * dim]. Overwrites dE.
    @inline(__always)
    public static func backward<T: BLASScalar>(tokens: UnsafePointer<T>, rows: Int, slots: Int, dim: Int, vocab: Int,
                                               dOut: UnsafePointer<T>, tableGradient dE: UnsafeMutablePointer<T>) {
        dE.update(repeating: 0, count: vocab * dim)
        for r in 0..<rows {
            for s in 0..<slots {
                let row = dE + Int(tokens[r * slots + s]) * dim, g = dOut + (r * slots + s) * dim
                for j in 0..<dim { row[j] += g[j] }
            }
        }
    }
}

/// z = x W^T + b with W [nOut, nIn] row-major (PyTorch's nn.Linear layout).
public enum DenseLayer {
    @inline(__always)
    public static func forward<T: BLASScalar>(x: UnsafePointer<T>, rows: Int, nIn: Int, nOut: Int,
                                              weight w: UnsafePointer<T>, bias b: UnsafePointer<T>,
                                              out z: UnsafeMutablePointer<T>) {
        T.gemm(transA: false, transB: true, m: rows, n: nOut, k: nIn,
               alpha: 1, a: x, lda: nIn, b: w, ldb: nIn, beta: 0, c: z, ldc: nOut)
        for r in 0..<rows {
            let zr = z + r * nOut
            for j in 0..<nOut { zr[j] += b[j] }
        }
    }

    /// dW = dz^T x, db = column sums of dz, and dx = dz W when `dx` is given.
    @inline(__always)
    public static func backward<T: BLASScalar>(dz: UnsafePointer<T>, x: UnsafePointer<T>, rows: Int, nIn: Int, nOut: Int,
                                               weight w: UnsafePointer<T>, weightGradient dW: UnsafeMutablePointer<T>,
                                               biasGradient db: UnsafeMutablePointer<T>, dx: UnsafeMutablePointer<T>?) {
        T.gemm(transA: true, transB: false, m: nOut, n: nIn, k: rows,
               alpha: 1, a: dz, lda: nOut, b: x, ldb: nIn, beta: 0, c: dW, ldc: nIn)
        columnSums(dz, rows: rows, cols: nOut, into: db)
        if let dx {
            T.gemm(transA: false, transB: false, m: rows, n: nIn, k: nOut,
                   alpha: 1, a: dz, lda: nOut, b: w, ldb: nIn, beta: 0, c: dx, ldc: nIn)
        }
    }
}

/// PyTorch's exact nn.GELU: gelu(z) = z * Phi(z), Phi the standard normal CDF (via erf in
/// the layer's precision: erff for Float, erf for Double); gelu'(z) = Phi(z) + z * phi(z).
/// The forward keeps Phi(z) so the backward needs no second erf (erf is most of a small
/// model's step).
public enum GELULayer {
    @inline(__always)
    static func cdf<T: BLASScalar>(_ x: T) -> T {
        if T.self == Float.self {
            let f = unsafeBitCast(x, to: Float.self)
            return unsafeBitCast(0.5 * (1 + erff(f * 0.70710678118654752)), to: T.self)
        }
        return T(0.5 * (1 + erf(Double(x) * 0.70710678118654752)))
    }

    /// a = gelu(z); `phi` receives Phi(z) (what the backward reads).
    @inline(__always)
    public static func forward<T: BLASScalar>(_ z: UnsafePointer<T>, count: Int, out a: UnsafeMutablePointer<T>,
                                              cdf phi: UnsafeMutablePointer<T>) {
        for i in 0..<count {
            let c = cdf(z[i])
            phi[i] = c
            a[i] = z[i] * c
        }
    }

    /// d (dL/da on entry) becomes dL/dz = d * (Phi(z) + z * phi(z)), in place; `phi` = Phi(z)
    /// from the forward.
    @inline(__always)
    public static func backward<T: BLASScalar>(_ z: UnsafePointer<T>, cdf phi: UnsafePointer<T>, count: Int,
                                               gradient d: UnsafeMutablePointer<T>) {
        let invSqrt2Pi = T(1 / (2 * Double.pi).squareRoot())
        for i in 0..<count {
            let x = z[i]
            d[i] *= phi[i] + x * invSqrt2Pi * T.exp(-x * x / 2)
        }
    }
}

/// The loss head as a pair: forward = the mean over rows of softmax cross-entropy (or of MSE
/// against one-hot targets, mean over rows x classes, as torch's MSELoss), backward =
/// dL/dlogits of that mean.
public enum LossLayer {
    public static func forward<T: BLASScalar>(_ kind: Loss, logits: UnsafePointer<T>, labels: UnsafePointer<Int32>,
                                              rows: Int, classes: Int) -> Double {
        lossSum(kind, logits: logits, labels: labels, rows: rows, cols: classes, gradient: nil, gradScale: 1)
            / Double(kind == .mse ? rows * classes : rows)
    }

    /// Writes dL/dlogits into `gradient` and returns the mean loss (one pass does both).
    public static func backward<T: BLASScalar>(_ kind: Loss, logits: UnsafePointer<T>, labels: UnsafePointer<Int32>,
                                               rows: Int, classes: Int, gradient: UnsafeMutablePointer<T>) -> Double {
        let divisor = kind == .mse ? rows * classes : rows
        return lossSum(kind, logits: logits, labels: labels, rows: rows, cols: classes, gradient: gradient,
                       gradScale: 1 / T(divisor)) / Double(divisor)
    }

    public static func correct<T: BLASScalar>(logits: UnsafePointer<T>, labels: UnsafePointer<Int32>, rows: Int, classes: Int) -> Int {
        correctCount(logits: logits, labels: labels, rows: rows, cols: classes)
    }
}
