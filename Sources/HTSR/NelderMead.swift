/// One-dimensional Nelder-Mead with SciPy's `optimize.fmin` semantics, step for step:
/// initial simplex {x0, 1.05 x0} (0.00025 when x0 = 0), reflection 1, expansion 2,
/// contraction 0.5, shrink 0.5, convergence when |x1 - x0| <= xtol and |f1 - f0| <= ftol,
/// at most `maxIterations` iterations and `maxEvaluations` function calls. Matching it exactly
/// is what makes sigma_mp agree with WeightWatcher (which polishes its grid search with fmin).
enum NelderMead {
    static func minimize(_ f: (Double) -> Double, from x0: Double, xtol: Double = 1e-4, ftol: Double = 1e-4,
                         maxIterations: Int = 200, maxEvaluations: Int = 200) -> (x: Double, f: Double) {
        var calls = 0
        // Like SciPy's wrapper: a call past the budget aborts the iteration in progress.
        func eval(_ x: Double) -> Double? {
            if calls >= maxEvaluations { return nil }
            calls += 1
            return f(x)
        }
        var sim = [x0, x0 != 0 ? 1.05 * x0 : 0.00025]
        var fsim = [Double.infinity, Double.infinity]
        for k in 0..<2 { guard let v = eval(sim[k]) else { break }; fsim[k] = v }
        func sortSimplex() {  // argsort of two values: stable, so ties keep their order
            if fsim[1] < fsim[0] { sim.swapAt(0, 1); fsim.swapAt(0, 1) }
        }
        sortSimplex()
        var iterations = 1
        iterate: while calls < maxEvaluations && iterations < maxIterations {
            if abs(sim[1] - sim[0]) <= xtol && abs(fsim[0] - fsim[1]) <= ftol { break }
            let xbar = sim[0]  // centroid of all but the worst point: one point in 1-D
            step: do {
                let xr = 2 * xbar - 1 * sim[1]
                guard let fxr = eval(xr) else { break step }
                if fxr < fsim[0] {
                    let xe = 3 * xbar - 2 * sim[1]
                    guard let fxe = eval(xe) else { break step }
                    if fxe < fxr { sim[1] = xe; fsim[1] = fxe } else { sim[1] = xr; fsim[1] = fxr }
                } else {
                    // fsim[0] <= fxr. With two points the reference's "fxr < fsim[-2]" test is
                    // "fxr < fsim[0]", already false: contract (outside or inside) or shrink.
                    var shrink = false
                    if fxr < fsim[1] {
                        let xc = 1.5 * xbar - 0.5 * sim[1]
                        guard let fxc = eval(xc) else { break step }
                        if fxc <= fxr { sim[1] = xc; fsim[1] = fxc } else { shrink = true }
                    } else {
                        let xcc = 0.5 * xbar + 0.5 * sim[1]
                        guard let fxcc = eval(xcc) else { break step }
                        if fxcc < fsim[1] { sim[1] = xcc; fsim[1] = fxcc } else { shrink = true }
                    }
                    if shrink {
                        sim[1] = sim[0] + 0.5 * (sim[1] - sim[0])
                        guard let v = eval(sim[1]) else { break step }
                        fsim[1] = v
                    }
                }
                iterations += 1
                sortSimplex()
                continue iterate
            }
            // A call over budget: sort and leave (the loop condition fails).
            sortSimplex()
            break
        }
        return (sim[0], fsim[0])
    }
}
