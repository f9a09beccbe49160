import Torch
import TorchBase

/// Stochastic gradient descent with momentum, dampening, Nesterov and weight decay, with
/// PyTorch's update rule.
///
/// ```swift
/// let opt = SGD(model.parameters(), lr: 0.1, momentum: 0.9)
/// opt.zeroGrad(); loss.backward(); opt.step()
/// ```
public final class SGD {
    public var params: [Tensor]
    public var lr: Double
    public let momentum: Double, dampening: Double, weightDecay: Double, nesterov: Bool
    /// Momentum buffers, one per parameter (nil until the first step): the optimizer's state.
    public var buffers: [Tensor?]

    public init(_ params: [Tensor], lr: Double, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false) {
        self.params = params
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        buffers = [Tensor?](repeating: nil, count: params.count)
    }

    public func zeroGrad(setToNil: Bool = true) {
        for p in params { if setToNil { p.grad = nil } else { p.grad?.zero_() } }
    }

    public func step() {
        Torch.noGrad {
            for (i, p) in params.enumerated() {
                guard var d = p.grad else { continue }
                if weightDecay != 0 { d = d + p * weightDecay }
                if momentum != 0 {
                    if let b = buffers[i] {
                        b.mul_(Tensor.scalar(momentum, dtype: b.dtype)).add_(d, alpha: 1 - dampening)
                    } else {
                        buffers[i] = d.clone()
                    }
                    d = nesterov ? d + buffers[i]! * momentum : buffers[i]!
                }
                p.add_(d, alpha: -lr)
            }
        }
    }
}
