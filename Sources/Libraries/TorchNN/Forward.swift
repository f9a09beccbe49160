import Torch
import TorchBase

/// A parameter (PyTorch's `nn.Parameter`): `data` detached as a leaf that requires grad (unless
/// `requiresGrad` is false) and is marked as a parameter, so a module's stored property holding
/// it is registered. `let scale = parameter(Tensor.ones([4]))`
public func parameter(_ data: Tensor, requiresGrad: Bool = true) -> Tensor {
    let p = data.isLeaf && !data.requiresGrad && !data.isParameter ? data : data.detach()
    p.requiresGrad = requiresGrad
    p.isParameter = true
    return p
}

// Note [Forward with any inputs]
// `Module.forward` takes and returns one tensor, which `Sequential` and the one-tensor hooks rely
// on. A module whose forward takes other inputs or returns several values declares it through
// `Forward1`…`Forward4` (by the number of inputs); `module(a, b)` then calls its `forward` through
// `withHooks`, so hooks see the real inputs and outputs. A one-input forward that returns
// something other than a tensor must name its types (`typealias Input = Tensor` and `Output`),
// because the inherited `forward(_: Tensor) -> Tensor` is a candidate too.

/// A module whose `forward` takes one input of any type and returns anything.
///
/// ```swift
/// final class VAE: Module, Forward1 {
///     typealias Input = Tensor
///     typealias Output = (Tensor, Tensor, Tensor)
///     func forward(_ x: Tensor) -> (Tensor, Tensor, Tensor) { ... }
/// }
/// let (recon, mu, logvar) = vae(x)
/// ```
public protocol Forward1: Module {
    associatedtype Input
    associatedtype Output
    func forward(_ input: Input) -> Output
}

extension Forward1 {
    /// Calls `forward` with the hooks.
    public func callAsFunction(_ input: Input, file: StaticString = #fileID, line: UInt = #line) -> Output {
        withHooks(input, calling: forward, file: file, line: line)
    }
}

/// A module whose `forward` takes two inputs. `func forward(_ x: Tensor, _ hidden: (Tensor, Tensor)) -> ...`
public protocol Forward2: Module {
    associatedtype Input1
    associatedtype Input2
    associatedtype Output
    func forward(_ a: Input1, _ b: Input2) -> Output
}

extension Forward2 {
    /// Calls `forward` with the hooks. `let (out, hidden) = model(input, hidden)`
    public func callAsFunction(_ a: Input1, _ b: Input2, file: StaticString = #fileID, line: UInt = #line) -> Output {
        withHooks(a, b, calling: forward, file: file, line: line)
    }
}

/// A module whose `forward` takes three inputs.
public protocol Forward3: Module {
    associatedtype Input1
    associatedtype Input2
    associatedtype Input3
    associatedtype Output
    func forward(_ a: Input1, _ b: Input2, _ c: Input3) -> Output
}

extension Forward3 {
    /// Calls `forward` with the hooks.
    public func callAsFunction(
        _ a: Input1, _ b: Input2, _ c: Input3, file: StaticString = #fileID, line: UInt = #line
    ) -> Output {
        withHooks(a, b, c, calling: forward, file: file, line: line)
    }
}

/// A module whose `forward` takes four inputs.
public protocol Forward4: Module {
    associatedtype Input1
    associatedtype Input2
    associatedtype Input3
    associatedtype Input4
    associatedtype Output
    func forward(_ a: Input1, _ b: Input2, _ c: Input3, _ d: Input4) -> Output
}

extension Forward4 {
    /// Calls `forward` with the hooks.
    public func callAsFunction(
        _ a: Input1, _ b: Input2, _ c: Input3, _ d: Input4, file: StaticString = #fileID, line: UInt = #line
    ) -> Output {
        withHooks(a, b, c, d, calling: forward, file: file, line: line)
    }
}
