import Torch
import TorchBase

/// Stochastic gradient descent with momentum, dampening, Nesterov and weight decay, with
/// PyTorch's update rule; per-group options "momentum", "dampening", "weightDecay", "nesterov".
///
/// ```swift
/// let opt = SGD(model.parameters(), lr: 0.1, momentum: 0.9)
/// opt.zeroGrad(); loss.backward(); opt.step()
/// ```
public final class SGD: BaseOptimizer {
    /// SGD over `params` with optional momentum, dampening, weight decay and Nesterov momentum.
    ///
    /// ```swift
    /// let opt = SGD(model.parameters(), lr: 0.1, momentum: 0.9, nesterov: true)
    /// ```
    public convenience init(
        _ params: [Tensor], lr: Double, momentum: Double = 0, dampening: Double = 0,
        weightDecay: Double = 0, nesterov: Bool = false
    ) {
        self.init(
            groups: [ParamGroup(params)], lr: lr, momentum: momentum, dampening: dampening,
            weightDecay: weightDecay, nesterov: nesterov)
    }

    /// SGD over parameter groups, each with its own options falling back to these.
    ///
    /// ```swift
    /// let opt = SGD(groups: [ParamGroup(a.parameters(), lr: 0.01), ParamGroup(b.parameters())], lr: 0.1)
    /// ```
    public init(
        groups: [ParamGroup], lr: Double, momentum: Double = 0, dampening: Double = 0,
        weightDecay: Double = 0, nesterov: Bool = false
    ) {
        super.init(
            groups: groups,
            defaults: [
                "lr": lr, "momentum": momentum, "dampening": dampening,
                "weightDecay": weightDecay, "nesterov": nesterov ? 1 : 0,
            ])
    }

    /// Momentum buffers by flat parameter index (nil until the first step).
    public var buffers: [Tensor?] {
        get { state.map { $0["momentum_buffer"] } }
        set { for (i, b) in newValue.enumerated() { state[i]["momentum_buffer"] = b } }
    }

    override func update(group: ParamGroup, index i: Int, param p: Tensor, grad: Tensor) {
        let wd = option(group, "weightDecay"), momentum = option(group, "momentum")
        let dampening = option(group, "dampening"), nesterov = option(group, "nesterov") != 0
        var d = grad
        if wd != 0 { d = d + p * wd }
        if momentum != 0 {
            if let b = state[i]["momentum_buffer"] {
                b.mul_(Tensor.scalar(momentum, dtype: b.dtype)).add_(d, alpha: 1 - dampening)
            } else {
                state[i]["momentum_buffer"] = d.clone()
            }
            let b = state[i]["momentum_buffer"]!
            d = nesterov ? d + b * momentum : b
        }
        p.add_(d, alpha: -option(group, "lr"))
    }

    /// A sparse gradient: without momentum only its rows change; with momentum the buffer is
    /// dense, as the sum of PyTorch's sparse buffer is. Weight decay would make the gradient
    /// dense, which PyTorch refuses (`add(sparse, dense)`).
    override func updateSparse(group: ParamGroup, index i: Int, param p: Tensor, grad: SparseTensor) {
        if option(group, "weightDecay") != 0 {
            torchFail(
                "SGD", "weight_decay is not supported with sparse gradients (add(sparse, dense) is not supported)",
                file: #fileID, line: #line)
        }
        if option(group, "momentum") == 0 {
            grad.addInto(p, alpha: -option(group, "lr"))
        } else {
            update(group: group, index: i, param: p, grad: grad.toDense())
        }
    }
}
