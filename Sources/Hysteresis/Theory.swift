import Foundation

/// The balanced-subspace theory of arXiv 2606.17120. With whitened inputs, the loss
/// `mean_n ||y_n - P x_n||^2 + beta * sum ||W_l||^2` of a depth-L linear network splits into
/// one term per singular mode of the teacher: for a mode of strength eta whose product singular
/// value is lambda (each layer then carries lambda^(1/L)),
///     f(lambda) = (lambda - eta)^2 + beta * L * lambda^(2/L)   (= 2 x arXiv 2606.17120's form),
/// whose nonzero minimum disappears in a saddle-node bifurcation at `criticalBeta`.
public enum BalancedTheory {
    /// beta_c = 1/(1-k) * (eta (1-k)/(2-k))^(2-k), k = 2/L. Above it the mode's only minimum is
    /// lambda = 0; below it a nonzero minimum coexists with lambda = 0 (which stays a local
    /// minimum for L >= 3: the penalty's slope is infinite at 0). Defined for L >= 3.
    public static func criticalBeta(eta: Double, depth: Int) -> Double {
        precondition(depth >= 3, "the saddle-node bifurcation needs depth >= 3")
        let k = 2 / Double(depth)
        return 1 / (1 - k) * pow(eta * (1 - k) / (2 - k), 2 - k)
    }

    /// The product singular value at the bifurcation: lambda* = eta (1-k)/(2-k).
    public static func criticalLambda(eta: Double, depth: Int) -> Double {
        let k = 2 / Double(depth)
        return eta * (1 - k) / (2 - k)
    }

    /// The per-mode loss f above. Its critical beta is exactly `criticalBeta`; the form quoted in
    /// arXiv 2606.17120's text, 1/2 (lambda-eta)^2 + beta/2 lambda^(2/L), would put it L times higher, so the
    /// loss normalization here is the one under which the quoted beta_c formula holds.
    public static func modeLoss(lambda: Double, eta: Double, beta: Double, depth: Int) -> Double {
        let k = 2 / Double(depth)
        return (lambda - eta) * (lambda - eta) + beta * Double(depth) * pow(lambda, k)
    }
}
