import Torch
import TorchBase

/// The line search of `LBFGS` (`line_search_fn`).
public enum LineSearch: String, Sendable {
    /// More–Thuente-style bracketing and cubic-interpolation zoom to the strong Wolfe conditions.
    case strongWolfe = "strong_wolfe"
}

/// Limited-memory BFGS (`torch.optim.LBFGS`), PyTorch's algorithm step for step: each `step`
/// runs up to `maxIter` iterations (and `maxEval` evaluations of the closure) from the two-loop
/// recursion over the last `historySize` curvature pairs, with a fixed step `lr` or a strong-Wolfe
/// line search. One parameter group only, as PyTorch.
///
/// ```swift
/// let opt = LBFGS(model.parameters(), lr: 0.8, lineSearch: .strongWolfe)
/// let loss = opt.step {
///     opt.zeroGrad()
///     let l = mseLoss(model(x), y)
///     l.backward()
///     return l
/// }
/// ```
public final class LBFGS: BaseOptimizer {
    public let maxIter: Int, maxEval: Int, historySize: Int
    public let toleranceGrad: Double, toleranceChange: Double
    public let lineSearch: LineSearch?

    // The state carried from one step to the next (PyTorch's state of the first parameter).
    var direction: Tensor?, stepLength = 0.0, hDiag = 1.0
    var oldDirs: [Tensor] = [], oldSteps: [Tensor] = [], ro: [Double] = []
    var prevFlatGrad: Tensor?, prevLoss = 0.0
    /// Closure evaluations and iterations over every step so far (`func_evals`, `n_iter`).
    public private(set) var funcEvals = 0, iterations = 0

    /// `LBFGS(params, lr: 1, maxIter: 20, maxEval: maxIter·5/4, toleranceGrad: 1e-7,
    /// toleranceChange: 1e-9, historySize: 100, lineSearch: nil)`.
    public init(
        _ params: [Tensor], lr: Double = 1, maxIter: Int = 20, maxEval: Int? = nil, toleranceGrad: Double = 1e-7,
        toleranceChange: Double = 1e-9, historySize: Int = 100, lineSearch: LineSearch? = nil
    ) {
        self.maxIter = maxIter
        self.maxEval = maxEval ?? maxIter * 5 / 4
        self.toleranceGrad = toleranceGrad
        self.toleranceChange = toleranceChange
        self.historySize = historySize
        self.lineSearch = lineSearch
        super.init(groups: [ParamGroup(params)], defaults: ["lr": lr])
    }

    var params: [Tensor] { paramGroups[0].params }

    /// The base state plus the history: tensors under "lbfgs.*", scalars in the metadata.
    public override func stateDict() -> (tensors: [String: Tensor], metadata: [String: String]) {
        var (t, m) = super.stateDict()
        if let d = direction { t["lbfgs.d"] = d }
        if let g = prevFlatGrad { t["lbfgs.prev_flat_grad"] = g }
        for (i, (y, s)) in zip(oldDirs, oldSteps).enumerated() {
            t["lbfgs.old_dirs.\(i)"] = y
            t["lbfgs.old_stps.\(i)"] = s
        }
        m["lbfgs.t"] = String(stepLength)
        m["lbfgs.H_diag"] = String(hDiag)
        m["lbfgs.ro"] = ro.map { String($0) }.joined(separator: ",")
        m["lbfgs.prev_loss"] = String(prevLoss)
        m["lbfgs.func_evals"] = String(funcEvals)
        m["lbfgs.n_iter"] = String(iterations)
        return (t, m)
    }

    /// Restores `stateDict()`'s history.
    public override func loadStateDict(_ tensors: [String: Tensor], metadata: [String: String]) throws {
        try super.loadStateDict(tensors.filter { !$0.key.hasPrefix("lbfgs.") }, metadata: metadata)
        let ro = (metadata["lbfgs.ro"] ?? "").split(separator: ",").compactMap { Double($0) }
        var dirs: [Tensor] = [], steps: [Tensor] = []
        for i in 0..<ro.count {
            guard let y = tensors["lbfgs.old_dirs.\(i)"], let s = tensors["lbfgs.old_stps.\(i)"] else {
                throw TorchError("LBFGS state: curvature pair \(i) is missing")
            }
            dirs.append(y)
            steps.append(s)
        }
        (oldDirs, oldSteps, self.ro) = (dirs, steps, ro)
        direction = tensors["lbfgs.d"]
        prevFlatGrad = tensors["lbfgs.prev_flat_grad"]
        stepLength = Double(metadata["lbfgs.t"] ?? "") ?? 0
        hDiag = Double(metadata["lbfgs.H_diag"] ?? "") ?? 1
        prevLoss = Double(metadata["lbfgs.prev_loss"] ?? "") ?? 0
        funcEvals = Int(metadata["lbfgs.func_evals"] ?? "") ?? 0
        iterations = Int(metadata["lbfgs.n_iter"] ?? "") ?? 0
    }

    /// LBFGS needs the closure: `step { ... }` (PyTorch raises the same way without one).
    public override func step() {
        torchFail(
            "LBFGS.step", "LBFGS needs a closure that reevaluates the model and returns the loss: use step(closure:)",
            file: #fileID, line: #line)
    }

    /// The gradients of every parameter, flattened into one vector (zeros where none).
    func flatGrad() -> Tensor {
        // A sparse gradient counts densified, as PyTorch's `_gather_flat_grad` does.
        Tensor.cat(
            params.map { p in
                let sparse = p.sparseGrad?.toDense()
                let g = p.grad.map { d in sparse.map { d + $0 } ?? d } ?? sparse ?? Tensor.zerosLike(p)
                return g.reshape([-1])
            })
    }

    /// Parameters += t·d (d flattened in parameter order).
    func addDirection(_ t: Double, _ d: Tensor) {
        var offset = 0
        for p in params {
            let n = p.count
            p.add_(d.narrow(0, start: offset, length: n).view(p.shape) * t)
            offset += n
        }
    }

    /// f and ∇f at x + t·d, leaving the parameters at x.
    func directionalEvaluate(_ closure: () -> Tensor, _ x: [Tensor], _ t: Double, _ d: Tensor) -> (Double, Tensor) {
        addDirection(t, d)
        let loss = Torch.enableGrad { closure() }.item()
        let g = flatGrad()
        for (p, saved) in zip(params, x) { p.copy_(saved) }
        return (loss, g)
    }

    /// One optimization step: up to `maxIter` L-BFGS iterations; returns the loss the closure
    /// gave first.
    @discardableResult
    public override func step(closure: () -> Tensor) -> Tensor {
        Torch.noGrad { run(closure) }
    }

    private func run(_ closure: () -> Tensor) -> Tensor {
        let lr = paramGroups[0].lr!
        let origLoss = Torch.enableGrad { closure() }
        var loss = origLoss.item()
        var currentEvals = 1
        funcEvals += 1
        var flat = flatGrad()
        if flat.abs().max().item() <= toleranceGrad { return origLoss }
        var d = direction ?? flat
        var t = stepLength
        var nIter = 0
        while nIter < maxIter {
            nIter += 1
            iterations += 1
            if iterations == 1 {
                d = -flat
                oldDirs = []
                oldSteps = []
                ro = []
                hDiag = 1
            } else {
                let y = flat - prevFlatGrad!
                let s = d * t
                let ys = y.dot(s).item()
                if ys > 1e-10 {
                    if oldDirs.count == historySize {
                        oldDirs.removeFirst()
                        oldSteps.removeFirst()
                        ro.removeFirst()
                    }
                    oldDirs.append(y)
                    oldSteps.append(s)
                    ro.append(1 / ys)
                    hDiag = ys / y.dot(y).item()
                }
                // The two-loop recursion: d = −H·g.
                var al = [Double](repeating: 0, count: oldDirs.count)
                var q = -flat
                for i in stride(from: oldDirs.count - 1, through: 0, by: -1) {
                    al[i] = oldSteps[i].dot(q).item() * ro[i]
                    q = q - oldDirs[i] * al[i]
                }
                var r = q * hDiag
                for i in 0..<oldDirs.count {
                    let be = oldDirs[i].dot(r).item() * ro[i]
                    r = r + oldSteps[i] * (al[i] - be)
                }
                d = r
            }
            prevFlatGrad = flat.clone()
            prevLoss = loss
            t = iterations == 1 ? Swift.min(1, 1 / flat.abs().sum().item()) * lr : lr
            let gtd = flat.dot(d).item()
            if gtd > -toleranceChange { break }
            var lsEvals = 0
            var optimal = false
            if lineSearch == .strongWolfe {
                let x = params.map { $0.clone() }
                let r = StrongWolfe.search(
                    { self.directionalEvaluate(closure, x, $0, d) }, t: t, d: d, f: loss, g: flat, gtd: gtd,
                    toleranceChange: toleranceChange)
                (loss, flat, t, lsEvals) = (r.f, r.g, r.t, r.evals)
                addDirection(t, d)
                optimal = flat.abs().max().item() <= toleranceGrad
            } else {
                addDirection(t, d)
                if nIter != maxIter {
                    loss = Torch.enableGrad { closure() }.item()
                    flat = flatGrad()
                    optimal = flat.abs().max().item() <= toleranceGrad
                    lsEvals = 1
                }
            }
            currentEvals += lsEvals
            funcEvals += lsEvals
            if nIter == maxIter || currentEvals >= maxEval || optimal { break }
            if (d * t).abs().max().item() <= toleranceChange { break }
            if Swift.abs(loss - prevLoss) < toleranceChange { break }
        }
        direction = d
        stepLength = t
        return origLoss
    }
}

/// The strong-Wolfe line search of PyTorch's LBFGS (`_strong_wolfe`, `_cubic_interpolate`).
enum StrongWolfe {
    /// The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to `bounds`
    /// (default: the interval between x1 and x2); the midpoint when the cubic has none.
    static func cubicInterpolate(
        _ x1: Double, _ f1: Double, _ g1: Double, _ x2: Double, _ f2: Double, _ g2: Double,
        bounds: (Double, Double)? = nil
    ) -> Double {
        let (lo, hi) = bounds ?? (x1 <= x2 ? (x1, x2) : (x2, x1))
        let d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
        let d2sq = d1 * d1 - g1 * g2
        guard d2sq >= 0 else { return (lo + hi) / 2 }
        let d2 = d2sq.squareRoot()
        let minPos =
            x1 <= x2
            ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
            : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return Swift.min(Swift.max(minPos, lo), hi)
    }

    /// The step t, f and ∇f there, and the closure evaluations it took.
    static func search(
        _ evaluate: (Double) -> (Double, Tensor), t t0: Double, d: Tensor, f: Double, g: Tensor, gtd: Double,
        c1: Double = 1e-4, c2: Double = 0.9, toleranceChange: Double = 1e-9, maxLS: Int = 25
    ) -> (f: Double, g: Tensor, t: Double, evals: Int) {
        var t = t0
        let dNorm = d.abs().max().item()
        var (fNew, gNew) = evaluate(t)
        var evals = 1
        var gtdNew = gNew.dot(d).item()
        var (tPrev, fPrev, gPrev, gtdPrev) = (0.0, f, g, gtd)
        var done = false
        var lsIter = 0
        var bracket: [Double] = [], bf: [Double] = [], bg: [Tensor] = [], bgtd: [Double] = []
        while lsIter < maxLS {
            if fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev) {
                (bracket, bf, bg, bgtd) = ([tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew])
                break
            }
            if Swift.abs(gtdNew) <= -c2 * gtd {
                (bracket, bf, bg) = ([t], [fNew], [gNew])
                done = true
                break
            }
            if gtdNew >= 0 {
                (bracket, bf, bg, bgtd) = ([tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew])
                break
            }
            let minStep = t + 0.01 * (t - tPrev), maxStep = t * 10
            let previous = t
            t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, bounds: (minStep, maxStep))
            (tPrev, fPrev, gPrev, gtdPrev) = (previous, fNew, gNew, gtdNew)
            (fNew, gNew) = evaluate(t)
            evals += 1
            gtdNew = gNew.dot(d).item()
            lsIter += 1
        }
        if lsIter == maxLS {
            (bracket, bf, bg) = ([0, t], [f, fNew], [g, gNew])
        }
        // Zoom: shrink the bracket to a point satisfying the strong Wolfe conditions.
        var insufficientProgress = false
        var (low, high) = bf[0] <= bf[bf.count - 1] ? (0, 1) : (1, 0)
        while !done && lsIter < maxLS {
            if Swift.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange { break }
            t = cubicInterpolate(bracket[0], bf[0], bgtd[0], bracket[1], bf[1], bgtd[1])
            let (bmin, bmax) = (Swift.min(bracket[0], bracket[1]), Swift.max(bracket[0], bracket[1]))
            let eps = 0.1 * (bmax - bmin)
            if Swift.min(bmax - t, t - bmin) < eps {
                if insufficientProgress || t >= bmax || t <= bmin {
                    t = Swift.abs(t - bmax) < Swift.abs(t - bmin) ? bmax - eps : bmin + eps
                    insufficientProgress = false
                } else {
                    insufficientProgress = true
                }
            } else {
                insufficientProgress = false
            }
            (fNew, gNew) = evaluate(t)
            evals += 1
            gtdNew = gNew.dot(d).item()
            lsIter += 1
            if fNew > f + c1 * t * gtd || fNew >= bf[low] {
                (bracket[high], bf[high], bg[high], bgtd[high]) = (t, fNew, gNew, gtdNew)
                (low, high) = bf[0] <= bf[1] ? (0, 1) : (1, 0)
            } else {
                if Swift.abs(gtdNew) <= -c2 * gtd {
                    done = true
                } else if gtdNew * (bracket[high] - bracket[low]) >= 0 {
                    (bracket[high], bf[high], bg[high], bgtd[high]) = (bracket[low], bf[low], bg[low], bgtd[low])
                }
                (bracket[low], bf[low], bg[low], bgtd[low]) = (t, fNew, gNew, gtdNew)
            }
        }
        return (bf[low], bg[low], bracket[low], evals)
    }
}
