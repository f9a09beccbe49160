import Torch
import TorchBase

/// A probability distribution over tensors (`torch.distributions.Distribution`): `batchShape`
/// independent (not identically distributed) distributions, each over events of `eventShape`.
/// Subclasses override what they have; what they lack refuses as PyTorch's `NotImplementedError`.
/// Parameters are checked against their constraints at construction and samples passed to
/// `logProb`/`cdf` against the support, unless `validateArgs` is false (PyTorch's default,
/// `Distribution.validateArgsByDefault`, is on).
///
/// ```swift
/// let d = Normal(loc: Tensor([0.0]), scale: Tensor([1.0]))
/// let x = d.sample([100])          // [100, 1]
/// let lp = d.logProb(x)            // [100, 1]
/// ```
open class Distribution: CustomStringConvertible {
    /// Whether distributions validate their arguments when not told (`set_default_validate_args`).
    nonisolated(unsafe) public static var validateArgsByDefault = true

    public let batchShape: [Int]
    public let eventShape: [Int]
    public let validateArgs: Bool
    let file: StaticString
    let line: UInt

    public init(
        batchShape: [Int], eventShape: [Int] = [], validateArgs: Bool? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.batchShape = batchShape
        self.eventShape = eventShape
        self.validateArgs = validateArgs ?? Distribution.validateArgsByDefault
        self.file = file
        self.line = line
        if self.validateArgs, let problem = argumentProblem() { fail(problem) }
    }

    /// PyTorch's ValueError text for the first parameter outside its constraint, or nil (the
    /// check `init` runs when validating; a pure function tests can call).
    public func argumentProblem() -> String? {
        for (name, value, constraint) in argConstraints where !constraint.check(value).all().item(Bool.self) {
            return "Expected parameter \(name) (Tensor of shape \(pyShape(value.shape))) of distribution "
                + "\(self) to satisfy the constraint \(constraint), but found invalid values:\n\(value)"
        }
        return nil
    }

    /// The class name, as PyTorch's repr prints it.
    open var name: String { String(describing: type(of: self)) }
    /// The parameters with the constraints they must satisfy (`arg_constraints`), in PyTorch's order.
    open var argConstraints: [(String, Tensor, Constraint)] { [] }
    /// The set samples lie in.
    open var support: Constraint { .real }
    /// Whether `rsample` is implemented (reparameterised, differentiable samples).
    open var hasRsample: Bool { false }
    /// Whether the distribution is over a discrete set (`enumerate_support` may exist).
    open var isDiscrete: Bool { false }

    open var mean: Tensor { notImplemented("mean") }
    open var mode: Tensor { notImplemented("mode") }
    open var variance: Tensor { notImplemented("variance") }
    public var stddev: Tensor { variance.sqrt() }

    /// Reparameterised samples of shape `sampleShape + batchShape + eventShape` (gradients flow
    /// to the parameters).
    open func rsample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        notImplemented("rsample")
    }
    /// Samples of shape `sampleShape + batchShape + eventShape`, outside the graph.
    open func sample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        Torch.noGrad { rsample(sampleShape, generator: generator) }
    }
    /// The log density (or mass) of `value`, over `batchShape` broadcast with value's leading dims.
    open func logProb(_ value: Tensor) -> Tensor { notImplemented("log_prob") }
    /// The cumulative distribution function at `value`.
    open func cdf(_ value: Tensor) -> Tensor { notImplemented("cdf") }
    /// The inverse CDF at the probabilities in `value`.
    open func icdf(_ value: Tensor) -> Tensor { notImplemented("icdf") }
    /// The entropy of each batch element (`batchShape`).
    open func entropy() -> Tensor { notImplemented("entropy") }
    /// A new distribution with the parameters expanded to `batchShape` (no copies).
    open func expand(_ batchShape: [Int]) -> Distribution { notImplemented("expand") }
    /// exp(entropy).
    public func perplexity() -> Tensor { entropy().exp() }

    /// `sampleShape + batchShape + eventShape`.
    public func extendedShape(_ sampleShape: [Int]) -> [Int] { sampleShape + batchShape + eventShape }

    open var description: String {
        let args = argConstraints.map { name, value, _ in
            "\(name): \(value.numel == 1 ? "\(value)" : "torch.Size(\(value.shape))")"
        }
        return "\(name)(\(args.joined(separator: ", ")))"
    }

    /// Traps with the distribution's name (a ValueError or NotImplementedError in PyTorch).
    func fail(_ message: String) -> Never { torchFail(name, message, file: file, line: line) }

    func notImplemented(_ what: String) -> Never {
        fail("\(name) does not implement \(what) (NotImplementedError in PyTorch)")
    }

    /// PyTorch's `_validate_sample`: traps when validating and `sampleProblem` finds one.
    public func validateSample(_ value: Tensor) {
        if validateArgs, let problem = sampleProblem(value) { fail(problem) }
    }

    /// Why `value` is not a valid sample (event shape, broadcastability, support), in PyTorch's
    /// ValueError words, or nil.
    public func sampleProblem(_ value: Tensor) -> String? {
        let e = eventShape.count
        if value.rank < e || Array(value.shape.suffix(e)) != eventShape {
            return "The right-most size of value must match event_shape: torch.Size(\(value.shape)) vs "
                + "torch.Size(\(eventShape))."
        }
        let expected = batchShape + eventShape
        for (i, j) in zip(value.shape.reversed(), expected.reversed()) where i != 1 && j != 1 && i != j {
            return "Value is not broadcastable with batch_shape+event_shape: torch.Size(\(value.shape)) vs "
                + "torch.Size(\(expected))."
        }
        if !support.check(value).all().item(Bool.self) {
            return "Expected value argument (Tensor of shape \(pyShape(value.shape))) to be within the support "
                + "(\(support)) of the distribution \(self), but found invalid values:\n\(value)"
        }
        return nil
    }
}

/// A Python tuple of a shape: `(3,)`, `(2, 3)`, `()`.
func pyShape(_ s: [Int]) -> String {
    s.count == 1 ? "(\(s[0]),)" : "(" + s.map(String.init).joined(separator: ", ") + ")"
}

/// The parameters broadcast to one shape (`broadcast_all`); Double scalars become tensors of the
/// default dtype, as PyTorch's.
func broadcastAll(_ ts: [Tensor], file: StaticString = #fileID, line: UInt = #line) -> [Tensor] {
    var shape: [Int] = []
    for t in ts { shape = Checks.broadcastShapes(shape, t.shape).unwrap("broadcast_all", file: file, line: line) }
    var dt = ts.map(\.dtype).reduce(DType.bool) { promoteTypes($0, $1) }
    if !dt.isFloatingPoint { dt = Torch.defaultDType }
    return ts.map { ($0.dtype == dt ? $0 : $0.to(dt)).expand(shape) }
}

/// Uniform samples of `shape` like `like`'s dtype and device.
func uniform(_ shape: [Int], like t: Tensor, generator: Generator) -> Tensor {
    Tensor.rand(shape, dtype: t.dtype, device: t.device, generator: generator)
}

/// Standard normal samples of `shape` like `like`'s dtype and device.
func normal(_ shape: [Int], like t: Tensor, generator: Generator) -> Tensor {
    Tensor.randn(shape, dtype: t.dtype, device: t.device, generator: generator)
}

/// The smallest positive normal number and the machine epsilon of a float dtype (`torch.finfo`).
func finfo(_ dt: DType) -> (tiny: Double, eps: Double, max: Double) {
    switch dt {
    case .float64: return (Double.leastNormalMagnitude, Double.ulpOfOne, Double.greatestFiniteMagnitude)
    case .float16: return (6.103515625e-05, 0.0009765625, 65504)
    case .bfloat16: return (1.1754943508222875e-38, 0.0078125, 3.3895313892515355e38)
    default: return (Double(Float.leastNormalMagnitude), Double(Float.ulpOfOne), Double(Float.greatestFiniteMagnitude))
    }
}

/// The probabilities and logits of a Bernoulli-like parameter given as one of them.
public enum ProbsOrLogits {
    case probs(Tensor)
    case logits(Tensor)
}

/// PyTorch's `probs_to_logits` (binary: log p - log1p(-p), p clamped to (eps, 1 - eps)).
func probsToLogits(_ p: Tensor, binary: Bool) -> Tensor {
    let eps = finfo(p.dtype).eps
    let c = p.clamp(min: eps, max: 1 - eps)
    return binary ? c.log() - (-c).log1p() : c.log()
}
