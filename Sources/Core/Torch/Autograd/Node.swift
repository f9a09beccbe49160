import Synchronization
import TorchBase

/// An edge of the backward graph: the node that receives a gradient and which of its inputs.
public struct Edge {
    /// The node the gradient flows to.
    public let node: Node
    /// Which of that node's inputs it is.
    public let inputNr: Int
}

/// A tensor saved for backward. Records the storage version at save time so that a later
/// in-place change is detected; outputs of the saving node are held without a strong reference
/// to the node (no cycles), and get their grad_fn back when unpacked during backward.
struct SavedTensor {
    /// Inputs are held as they are (they do not reference this node: no cycle); outputs as an
    /// alias without autograd metadata, reconnected to this node when unpacked.
    let tensor: Tensor
    let version: Int
    let isOutput: Bool
    let requiresGrad: Bool

    init(_ t: Tensor, isOutput: Bool) {
        tensor = isOutput ? Tensor(storage: t.storage, layout: t.layout, dtype: t.dtype) : t
        version = t.storage.version
        self.isOutput = isOutput
        requiresGrad = t.requiresGrad
    }

    /// The saved tensor, checked against in-place modification and connected to the graph.
    func unpack(owner: Node) -> Tensor {
        if tensor.storage.version != version {
            let site = GradMode.state.backwardSite ?? (owner.file, owner.line)
            torchFail(
                "backward",
                "one of the variables needed for gradient computation has been modified by an inplace operation: "
                    + "[\(tensor.dtype) \(tensor.shape)], which is \(isOutput ? "output 0 of" : "an input of") "
                    + "\(owner.name), is at version \(tensor.storage.version); expected version \(version) "
                    + "instead. (\(owner.name) was created at \(owner.file):\(owner.line))",
                file: site.file, line: site.line)
        }
        if !isOutput || !requiresGrad || !GradMode.isEnabled { return tensor }
        let t = Tensor(storage: tensor.storage, layout: tensor.layout, dtype: tensor.dtype)
        t.creator = owner
        return t
    }
}

/// An input's shape and dtype, kept on a node instead of the input itself.
struct TensorMeta {
    let shape: [Int]
    let strides: [Int]
    let dtype: DType
    init(_ t: Tensor) { shape = t.shape; strides = t.strides; dtype = t.dtype }
}

/// A node of the backward graph: one recorded op. `apply` maps gradients of its outputs to
/// gradients of its inputs. Every node remembers the source location of the forward call.
open class Node {
    /// The node's name (`MulBackward0`), made on demand: built-in nodes keep only their primitive.
    public var name: String { primitive?.nodeName ?? customName }
    let primitive: Primitive?
    let customName: String
    /// Where the gradients of the inputs go (nil for inputs that need none).
    var edges: SmallList<Edge?>
    /// The edges as an array, for inspecting a graph (`next_functions`).
    public var nextEdges: [Edge?] { Array(edges) }
    /// The source file of the op that made this node (the caller's `#fileID`).
    public let file: StaticString
    /// The line of that op.
    public let line: UInt
    /// In anomaly mode, the stack of an op whose own line is the library's.
    var stack: CapturedStack?
    /// Where the forward op was called: the user's line when anomaly mode found it.
    public var site: String { stack?.userSite() ?? "\(file):\(line)" }
    /// Order of creation; the engine runs later nodes first among those ready.
    let sequenceNr: Int
    var released = false
    /// Hooks on the gradient of output `i` (tensor hooks of non-leaf outputs, retain_grad).
    var outputHooks: [Int: [(id: Int, fn: (Tensor) -> Tensor?)]] = [:]
    /// retainGrad of output `i`: sees the gradient after every other hook.
    var retainHooks: [Int: (Tensor) -> Void] = [:]
    var numOutputs: Int
    /// Engine bookkeeping for the backward pass in progress (see Engine).
    var pendingDeps = 0
    var buffer = SmallList<Tensor?>()
    var runMark = 0

    nonisolated(unsafe) static var counter = 0
    /// Nodes alive now, in every thread (for leak checks).
    public static var liveCount: Int { live.load(ordering: .relaxed) }
    static let live = Atomic<Int>(0)

    init(
        name: String, primitive: Primitive? = nil, edges: SmallList<Edge?>, numOutputs: Int, file: StaticString,
        line: UInt
    ) {
        self.customName = name
        self.primitive = primitive
        self.edges = edges
        self.numOutputs = numOutputs
        // In anomaly mode a node made inside a layer (an operator such as `*` records the library's
        // line) remembers the user's call of that layer instead, so the report points there
        // (Note [Errors at the user's line]). Off the anomaly path this costs one atomic load.
        if GradMode.anomalyOnThisThread, CallSites.isLibraryFile(file) {
            if let site = CallSites.innermostUserCall() {
                (self.file, self.line) = site
            } else {
                // An operator at top level: its stack names the user's line (Note [Operators at
                // the user's line]).
                (self.file, self.line) = (file, line)
                stack = CapturedStack.capture()
            }
        } else {
            (self.file, self.line) = (file, line)
        }
        Node.counter &+= 1
        sequenceNr = Node.counter
        Node.live.wrappingAdd(1, ordering: .relaxed)
    }

    deinit { Node.live.wrappingSubtract(1, ordering: .relaxed) }

    /// Gradients of the inputs given gradients of the outputs (nil: zero).
    func apply(_ grads: SmallList<Tensor?>) -> [Tensor?] { fatalError("apply not implemented for \(name)") }

    /// True for the leaf accumulators (checked without a dynamic cast).
    var isAccumulator: Bool { false }

    /// Drops saved state after a backward pass that does not retain the graph.
    func release() { released = true }
}

/// A node defined by a backward closure (every built-in primitive and custom functions).
final class FunctionNode: Node {
    var saved = SmallList<SavedTensor>()
    /// Shapes and dtypes of the inputs, for backward formulas that save no tensor (`add`).
    var inputMeta = SmallList<TensorMeta>()
    var backwardFn: ((_ node: FunctionNode, _ grads: [Tensor?]) -> [Tensor?])?
    /// Backward of a single-output primitive (saves wrapping it in a second closure).
    var backward1: ((_ node: FunctionNode, _ grad: Tensor) -> [Tensor?])?

    init(
        primitive: Primitive, inputs: SmallList<Tensor>, file: StaticString, line: UInt,
        backward1: @escaping (_ node: FunctionNode, _ grad: Tensor) -> [Tensor?]
    ) {
        self.backward1 = backward1
        super.init(
            name: "", primitive: primitive, edges: FunctionNode.edges(of: inputs), numOutputs: 1, file: file, line: line
        )
    }

    init(
        name: String, inputs: [Tensor], numOutputs: Int, file: StaticString, line: UInt,
        backward: @escaping (_ node: FunctionNode, _ grads: [Tensor?]) -> [Tensor?]
    ) {
        backwardFn = backward
        backward1 = nil
        super.init(
            name: name, edges: FunctionNode.edges(of: SmallList(inputs)), numOutputs: numOutputs, file: file, line: line
        )
    }

    static func edges(of inputs: SmallList<Tensor>) -> SmallList<Edge?> {
        switch inputs.count {
        case 1: return SmallList(inputs[0].gradientEdge())
        case 2: return SmallList(inputs[0].gradientEdge(), inputs[1].gradientEdge())
        default: return SmallList(inputs.lazy.map { $0.gradientEdge() })
        }
    }

    /// Saved tensor `i`, checked against in-place modification.
    func savedTensor(_ i: Int) -> Tensor {
        if released { freedError() }
        return saved[i].unpack(owner: self)
    }

    func freedError() -> Never {
        let site = GradMode.state.backwardSite ?? (file, line)
        torchFail(
            "backward",
            "Trying to backward through the graph a second time (or directly access saved tensors after they have "
                + "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
                + "autograd.grad(). Specify retainGraph: true if you need to backward through the graph a second "
                + "time or if you need to access saved tensors after calling backward. (node \(name), created "
                + "at \(file):\(line))",
            file: site.file, line: site.line)
    }

    override func apply(_ grads: SmallList<Tensor?>) -> [Tensor?] {
        if released { freedError() }
        if let b = backward1 {
            guard let g = grads[0] else { return [] }
            return b(self, g)
        }
        return backwardFn!(self, Array(grads))
    }

    override func release() {
        super.release()
        saved.removeAll()
        backwardFn = nil
        backward1 = nil
    }
}

/// Accumulates the incoming gradient into a leaf's `.grad`.
final class AccumulateGrad: Node {
    weak var meta: AutogradMeta?
    /// The leaf's own storage alias, used to shape and type the gradient.
    let shape: [Int]
    let dtype: DType

    init(meta: AutogradMeta, shape: [Int], dtype: DType) {
        self.meta = meta
        self.shape = shape
        self.dtype = dtype
        super.init(name: "AccumulateGrad", edges: SmallList(), numOutputs: 1, file: #fileID, line: #line)
    }

    override func apply(_ grads: SmallList<Tensor?>) -> [Tensor?] { [] }
    override var isAccumulator: Bool { true }
}
