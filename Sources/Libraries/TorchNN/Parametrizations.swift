import Torch
import TorchBase

// Weight and spectral normalisation as parametrizations (PyTorch's
// `torch.nn.utils.parametrizations.weight_norm` and `spectral_norm`), Note [Parametrizations].

/// ‖v‖₂ over every dimension but `dim`, shaped to broadcast against `v` (PyTorch's
/// `norm_except_dim`); `dim` -1 is the norm of the whole tensor (a scalar), as in PyTorch.
func normExceptDim(_ v: Tensor, dim: Int) -> Tensor {
    if dim == -1 { return Linalg.vectorNorm(v) }
    if v.rank == 0 { return Linalg.vectorNorm(v) }
    let ones = [Int](repeating: 1, count: v.rank - 1)
    if dim == 0 {
        let n = v.shape[0]
        return Linalg.vectorNorm(v.reshape([n, -1]), dims: [1]).reshape([n] + ones)
    }
    if dim == v.rank - 1 {
        let n = v.shape[dim]
        return Linalg.vectorNorm(v.reshape([-1, n]), dims: [0]).reshape(ones + [n])
    }
    return normExceptDim(v.transpose(0, dim), dim: 0).transpose(0, dim)
}

/// `v · g / ‖v‖` with the norm taken over every dimension but `dim` (PyTorch's `_WeightNorm`):
/// the originals are the magnitude g (`original0`) and the direction v (`original1`).
public final class WeightNorm: Parametrization {
    /// The dimension kept by the norm (-1: the norm of the whole tensor).
    public let dim: Int

    /// Weight normalisation keeping `dim` (nil: the whole tensor, as PyTorch's `dim=None`).
    public init(dim: Int? = 0) {
        self.dim = dim ?? -1
        super.init()
    }

    /// `v · (g / ‖v‖)` from the originals `[g, v]` (PyTorch's `torch._weight_norm(v, g, dim)`).
    public override func value(_ originals: [Tensor]) -> Tensor {
        let (g, v) = (originals[0], originals[1])
        return v * (g / normExceptDim(v, dim: dim))
    }

    /// `[‖w‖, w]`: the magnitude and the direction that give `w`.
    public override func rightInverse(_ value: Tensor) -> [Tensor]? { [normExceptDim(value, dim: dim), value] }

    public override var extraRepr: String { "" }
}

/// `W / σ(W)`, σ the largest singular value of W seen as a matrix with `dim` as its rows,
/// estimated by power iteration (PyTorch's `_SpectralNorm`): in training mode every read runs
/// `nPowerIterations` steps updating the buffers `_u` and `_v`; in evaluation mode they are used
/// as they are. A one-dimensional tensor is divided by its norm.
public final class SpectralNorm: Parametrization {
    /// The dimension that is the matrix's rows, the steps per read, and the normalisation's epsilon.
    public let dim: Int, nPowerIterations: Int, eps: Double

    /// The parametrization of `weight`: `_u` and `_v` drawn from a normal distribution and
    /// refined by 15 power-iteration steps, as PyTorch.
    public init(
        _ weight: Tensor, nPowerIterations: Int = 1, dim: Int = 0, eps: Double = 1e-12,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        let nd = weight.rank
        if dim >= nd || dim < -nd {
            torchFail(
                "spectral_norm",
                "Dimension out of range (expected to be in range of [-\(nd), \(nd - 1)] but got \(dim))",
                file: file, line: line)
        }
        if nPowerIterations <= 0 {
            torchFail(
                "spectral_norm",
                "Expected n_power_iterations to be positive, but got n_power_iterations=\(nPowerIterations)",
                file: file, line: line)
        }
        self.dim = dim >= 0 ? dim : dim + nd
        self.eps = eps
        self.nPowerIterations = nPowerIterations
        super.init()
        if nd > 1 {
            let mat = Torch.noGrad { matrix(weight.detach()) }
            let u = Tensor.randn([mat.shape[0]], dtype: weight.dtype, device: weight.device)
            let v = Tensor.randn([mat.shape[1]], dtype: weight.dtype, device: weight.device)
            registerBuffer("_u", normalize(u, dim: 0, eps: eps))
            registerBuffer("_v", normalize(v, dim: 0, eps: eps))
            powerMethod(mat, steps: 15)
        }
    }

    /// The weight as a matrix: `dim` moved first, the rest flattened.
    func matrix(_ w: Tensor) -> Tensor {
        if dim == 0 { return w.flatten(startDim: 1) }
        let rest = (0..<w.rank).filter { $0 != dim }
        return w.permute([dim] + rest).flatten(startDim: 1)
    }

    /// `steps` power-iteration steps on `_u` and `_v`, in place and without recording.
    func powerMethod(_ mat: Tensor, steps: Int) {
        Torch.noGrad {
            let u = tensor("_u"), v = tensor("_v")
            for _ in 0..<steps {
                u.copy_(normalize(mat.mv(v), dim: 0, eps: eps))
                v.copy_(normalize(mat.mH.mv(u), dim: 0, eps: eps))
            }
        }
    }

    /// `weight / σ`, σ = uᴴ W v after the power-iteration steps of training mode.
    public override func forward(_ weight: Tensor) -> Tensor {
        if weight.rank == 1 { return normalize(weight, dim: 0, eps: eps) }
        let mat = matrix(weight)
        if training { powerMethod(mat.detach(), steps: nPowerIterations) }
        let u = tensor("_u").clone(), v = tensor("_v").clone()
        let sigma = (u.isComplex ? u.conj() : u).dot(mat.mv(v))
        return weight / sigma
    }

    /// The weight itself: assigning a weight sets the original to it.
    public override func rightInverse(_ value: Tensor) -> [Tensor]? { [value] }

    public override var extraRepr: String { "" }
}

/// Weight normalisation of `module`'s tensor `name` (PyTorch's
/// `torch.nn.utils.parametrizations.weight_norm`): it becomes `g · v / ‖v‖`, the magnitude g
/// (`parametrizations.weight.original0`, the norm over every dimension but `dim`; nil: the whole
/// tensor) and the direction v (`original1`) trained in its place. Returns the module.
///
/// ```swift
/// let fc = weightNorm(Linear(20, 40))
/// fc.stateDict().keys   // bias, parametrizations.weight.original0, parametrizations.weight.original1
/// ```
@discardableResult
public func weightNorm<M: Module>(
    _ module: M, name: String = "weight", dim: Int? = 0, file: StaticString = #fileID, line: UInt = #line
) -> M {
    registerParametrization(module, name, WeightNorm(dim: dim), unsafe: true, file: file, line: line)
}

/// Spectral normalisation of `module`'s tensor `name` (PyTorch's
/// `torch.nn.utils.parametrizations.spectral_norm`): it is divided by its largest singular value,
/// estimated by `nPowerIterations` power-iteration steps per forward in training mode (buffers
/// `parametrizations.weight.0._u` and `._v`). `dim` defaults to 1 for transposed convolutions and
/// 0 otherwise. Returns the module.
///
/// ```swift
/// let d = spectralNorm(Conv2d(3, 64, 4, 2, 1))
/// ```
@discardableResult
public func spectralNorm<M: Module>(
    _ module: M, name: String = "weight", nPowerIterations: Int = 1, eps: Double = 1e-12, dim: Int? = nil,
    file: StaticString = #fileID, line: UInt = #line
) -> M {
    let stored = module.namedParameters(recurse: false).first { $0.0 == name }?.1
    guard let weight = module.optionalTensor(name) ?? stored else {
        torchFail(
            "spectral_norm", "Module '\(type(of: module))' has no parameter or buffer with name '\(name)'",
            file: file, line: line)
    }
    let d = dim ?? (module is ConvTransposeNd ? 1 : 0)
    let p = SpectralNorm(weight, nPowerIterations: nPowerIterations, dim: d, eps: eps, file: file, line: line)
    return registerParametrization(module, name, p, file: file, line: line)
}

extension Module {
    /// `state` with the keys of PyTorch's old weight norm (`torch.nn.utils.weight_norm`:
    /// `weight_g`, `weight_v`) renamed to the parametrization's (`parametrizations.weight.original0`,
    /// `original1`) wherever this module has a `WeightNorm` on that tensor, as PyTorch's
    /// `_weight_norm_compat_hook` does.
    func weightNormCompatibleKeys(_ state: [String: Tensor]) -> [String: Tensor] {
        var state = state
        for (path, m) in namedModules() {
            guard let lists = m.parametrizationLists else { continue }
            let prefix = path.isEmpty ? "" : path + "."
            for (name, list) in lists where list.items.first is WeightNorm {
                let g = prefix + name + "_g", v = prefix + name + "_v"
                let new = prefix + "parametrizations." + name + ".original"
                guard state[new + "0"] == nil, let gt = state[g], let vt = state[v] else { continue }
                state[new + "0"] = gt
                state[new + "1"] = vt
                state[g] = nil
                state[v] = nil
            }
        }
        return state
    }
}
