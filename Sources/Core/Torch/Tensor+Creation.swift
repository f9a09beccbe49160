import TorchBase

/// Nested Swift arrays (and scalars) that describe a tensor's contents.
public protocol TensorData {
    associatedtype Leaf: TensorElement
    /// Appends this value's shape, checking that nested arrays are not ragged.
    static func collect(_ value: Self, depth: Int, shape: inout [Int], into out: inout [Leaf]) -> Bool
}

extension Bool: TensorData { public typealias Leaf = Bool }
extension UInt8: TensorData { public typealias Leaf = UInt8 }
extension Int8: TensorData { public typealias Leaf = Int8 }
extension Int16: TensorData { public typealias Leaf = Int16 }
extension Int32: TensorData { public typealias Leaf = Int32 }
extension Int64: TensorData { public typealias Leaf = Int64 }
extension Int: TensorData { public typealias Leaf = Int }
extension Float16: TensorData { public typealias Leaf = Float16 }
extension BFloat16: TensorData { public typealias Leaf = BFloat16 }
extension Float: TensorData { public typealias Leaf = Float }
extension Double: TensorData { public typealias Leaf = Double }
extension Complex: TensorData where RealType: ComplexPart { public typealias Leaf = Complex<RealType> }

extension TensorData where Self: TensorElement, Leaf == Self {
    /// A scalar leaf: appends it when it sits at the depth of the shape found so far.
    public static func collect(_ value: Self, depth: Int, shape: inout [Int], into out: inout [Leaf]) -> Bool {
        out.append(value)
        return depth == shape.count
    }
}

extension Array: TensorData where Element: TensorData {
    /// The element type of the innermost arrays.
    public typealias Leaf = Element.Leaf
    /// Records this level's length (or checks it against a sibling's) and collects the elements.
    public static func collect(_ value: [Element], depth: Int, shape: inout [Int], into out: inout [Leaf]) -> Bool {
        if depth == shape.count {
            shape.append(value.count)
        } else if depth > shape.count || shape[depth] != value.count {
            return false
        }
        for v in value where !Element.collect(v, depth: depth + 1, shape: &shape, into: &out) { return false }
        // An empty array fixes the remaining shape as this depth only.
        return true
    }
}

extension Tensor {
    /// A tensor from nested Swift arrays or a scalar. Swift `Double` values take the default
    /// float dtype (float32), like Python floats in PyTorch; `Int` gives int64; other element types
    /// keep their own dtype. Pass `dtype` to choose.
    ///
    /// ```swift
    /// Tensor([[1, 2], [3, 4]])                 // int64, shape [2, 2]
    /// Tensor([0.5, 1.5], dtype: .float64)
    /// ```
    public convenience init<D: TensorData>(
        _ data: D, dtype: DType? = nil, file: StaticString = #fileID, line: UInt = #line
    ) {
        var shape: [Int] = []
        var flat: [D.Leaf] = []
        if !D.collect(data, depth: 0, shape: &shape, into: &flat) || flat.count != shape.product {
            torchFail(
                "Tensor(_:)", "nested arrays are ragged: expected a sequence of equal lengths at every depth",
                file: file, line: line)
        }
        let natural: DType = D.Leaf.self == Double.self ? Torch.defaultDType : D.Leaf.dtype
        self.init(flat: flat, shape: shape, dtype: dtype ?? natural)
    }

    /// A tensor of `shape` from row-major `scalars`.
    public convenience init<T: TensorElement>(
        shape: [Int], scalars: [T], dtype: DType? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        if shape.product != scalars.count || shape.contains(where: { $0 < 0 }) {
            torchFail(
                "Tensor(shape:scalars:)", "shape \(shape) needs \(shape.product) elements, got \(scalars.count)",
                file: file, line: line)
        }
        self.init(flat: scalars, shape: shape, dtype: dtype ?? T.dtype)
    }

    convenience init<T: TensorElement>(flat: [T], shape: [Int], dtype: DType) {
        self.init(uninitialized: shape, dtype: T.dtype)
        flat.withUnsafeBytes { src in
            if src.count > 0 { storage.data.copyMemory(from: src.baseAddress!, byteCount: src.count) }
        }
        if dtype != T.dtype {
            let converted = self.to(dtype)
            self.init(storage: converted.storage, layout: converted.layout, dtype: dtype)
        }
    }

    /// Wraps caller-owned memory without copying. `deallocator` runs when no tensor uses it any more.
    ///
    /// ```swift
    /// let buf = UnsafeMutablePointer<Float>.allocate(capacity: 6)
    /// let t = Tensor(wrapping: buf, shape: [2, 3]) { buf.deallocate() }
    /// ```
    public convenience init<T: TensorElement>(
        wrapping pointer: UnsafeMutablePointer<T>, shape: [Int], strides: [Int]? = nil,
        deallocator: (() -> Void)? = nil
    ) {
        let layout = strides.map { Layout(shape: shape, strides: $0) } ?? Layout(shape: shape)
        let extent = (layout.storageExtent?.max ?? -1) + 1
        let storage = Storage(
            wrapping: UnsafeMutableRawPointer(pointer), byteCount: extent * MemoryLayout<T>.stride, onFree: deallocator)
        self.init(storage: storage, layout: layout, dtype: T.dtype)
    }

    // MARK: factories

    /// A tensor of `shape` with uninitialised contents (`torch.empty`). `Tensor.empty([2, 3])`
    public static func empty(_ shape: [Int], dtype: DType? = nil, device: Device = .cpu) -> Tensor {
        Tensor(uninitialized: shape, dtype: dtype ?? Torch.defaultDType, device: device)
    }

    /// A tensor of `shape` filled with `value` (`torch.full`). `Tensor.full([2, 2], 7)`
    public static func full<S: TensorElement>(_ shape: [Int], _ value: S, dtype: DType? = nil, device: Device = .cpu)
        -> Tensor
    {
        let dt = dtype ?? (S.self == Double.self ? Torch.defaultDType : S.dtype)
        Tensor.checkFits(value.asDouble, dt, "full", integral: !S.dtype.isFloatingPoint, file: #fileID, line: #line)
        let t = Tensor(uninitialized: shape, dtype: dt, device: device)
        Kernels.fill(t.operand, value.asDouble, exactInt: S.dtype.isFloatingPoint ? nil : value.asInt64, device)
        return t
    }

    /// A tensor of zeros (`torch.zeros`). `Tensor.zeros([3, 4], dtype: .float64)`
    public static func zeros(_ shape: [Int], dtype: DType? = nil, device: Device = .cpu) -> Tensor {
        let t = Tensor(uninitialized: shape, dtype: dtype ?? Torch.defaultDType, device: device)
        Kernels.fill(t.operand, 0, exactInt: 0, device)
        return t
    }

    /// A tensor of ones (`torch.ones`). `Tensor.ones([3])`
    public static func ones(_ shape: [Int], dtype: DType? = nil, device: Device = .cpu) -> Tensor {
        full(shape, 1, dtype: dtype ?? Torch.defaultDType, device: device)
    }

    /// An uninitialised tensor of `t`'s shape, dtype and device (`torch.empty_like`).
    public static func emptyLike(_ t: Tensor, dtype: DType? = nil) -> Tensor {
        empty(t.shape, dtype: dtype ?? t.dtype, device: t.device)
    }
    /// Zeros of `t`'s shape, dtype and device (`torch.zeros_like`). `Tensor.zerosLike(x)`
    public static func zerosLike(_ t: Tensor, dtype: DType? = nil) -> Tensor {
        zeros(t.shape, dtype: dtype ?? t.dtype, device: t.device)
    }
    /// Ones of `t`'s shape, dtype and device (`torch.ones_like`). `Tensor.onesLike(x)`
    public static func onesLike(_ t: Tensor, dtype: DType? = nil) -> Tensor {
        ones(t.shape, dtype: dtype ?? t.dtype, device: t.device)
    }
    /// `value` in `t`'s shape, dtype and device (`torch.full_like`). `Tensor.fullLike(x, 0.5)`
    public static func fullLike<S: TensorElement>(_ t: Tensor, _ value: S, dtype: DType? = nil) -> Tensor {
        full(t.shape, value, dtype: dtype ?? t.dtype, device: t.device)
    }

    /// Values from `start` up to (not including) `end` by `step`. Integer arguments give int64.
    public static func arange<S: ScalarLike>(
        _ start: S, _ end: S, step: S? = nil, dtype: DType? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        let st = step?.asDouble ?? 1
        if st == 0 { torchFail("arange", "step must be nonzero", file: file, line: line) }
        let a = start.asDouble, b = end.asDouble
        if (st > 0 && b < a) || (st < 0 && b > a) {
            torchFail("arange", "upper bound and larger bound inconsistent with step sign", file: file, line: line)
        }
        let n = Int(((b - a) / st).rounded(.up))
        let dt = dtype ?? (S.scalarKind == .float64 ? Torch.defaultDType : .int64)
        if !dt.isFloatingPoint {
            // PyTorch sizes the range in double, then casts start and step to the dtype (truncating).
            let s0 = Int64(a.rounded(.towardZero)), s1 = Int64(st.rounded(.towardZero))
            return Tensor(flat: (0..<n).map { s0 &+ Int64($0) &* s1 }, shape: [n], dtype: dt)
        }
        return Tensor(flat: (0..<n).map { a + Double($0) * st }, shape: [n], dtype: dt)
    }

    /// `0, 1, ..., end - 1` as int64 (`torch.arange(end)`). `Tensor.arange(5)`
    public static func arange(_ end: Int, dtype: DType? = nil) -> Tensor { arange(0, end, dtype: dtype) }

    /// `steps` evenly spaced values from `start` to `end` inclusive (`[start]` for one step).
    ///
    /// As PyTorch's kernel: `start` and `end` are first converted to `dtype` (integers truncate),
    /// the step is computed in that dtype (in double for integers), and the second half counts
    /// back from `end` so that the last value is exactly `end`.
    ///
    /// ```swift
    /// Tensor.linspace(0, 1, steps: 5)   // [0, 0.25, 0.5, 0.75, 1]
    /// ```
    public static func linspace(
        _ start: Double, _ end: Double, steps: Int, dtype: DType? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if steps < 0 { torchFail("linspace", "number of steps must be non-negative", file: file, line: line) }
        let dt = dtype ?? Torch.defaultDType
        return Tensor(flat: rangeValues(start, end, steps: steps, dtype: dt), shape: [steps], dtype: dt)
    }

    /// `base ** linspace(start, end, steps)`, with `start` and `end` converted to `dtype` first.
    public static func logspace(
        _ start: Double, _ end: Double, steps: Int, base: Double = 10, dtype: DType? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if steps < 0 { torchFail("logspace", "number of steps must be non-negative", file: file, line: line) }
        let dt = dtype ?? Torch.defaultDType
        // Integer logspace (as PyTorch's kernel): start and end truncated, exponents in double and
        // not truncated; a single step is `base ** start` with `start` as given.
        var exponents: [Double]
        if dt.isFloatingPoint {
            exponents = rangeValues(start, end, steps: steps, dtype: dt)
        } else {
            exponents = rangeValues(start.rounded(.towardZero), end.rounded(.towardZero), steps: steps, dtype: .float64)
            if steps == 1 { exponents = [start] }
        }
        let values: [Double]
        if dt == .float32 || dt == .float16 || dt == .bfloat16 {
            values = exponents.map { Double(Float.pow(Float(base), Float($0))) }
        } else {
            values = exponents.map { dt.isFloatingPoint ? realPow(base, $0) : realPow(base, $0).rounded(.towardZero) }
        }
        return Tensor(flat: values, shape: [steps], dtype: dt)
    }

    /// The values of PyTorch's linspace kernel for `dtype`, before the final conversion.
    static func rangeValues(_ start: Double, _ end: Double, steps: Int, dtype: DType) -> [Double] {
        if steps == 0 { return [] }
        if steps == 1 { return [dtype.isFloatingPoint ? start : start.rounded(.towardZero)] }
        let halfway = steps / 2
        if dtype.isFloatingPoint && dtype != .float64 {
            let a = Float(start), b = Float(end)
            let step = steps > 1 ? (b - a) / Float(steps - 1) : 0
            return (0..<steps).map { i in
                Double(i < halfway ? a.addingProduct(step, Float(i)) : b.addingProduct(-step, Float(steps - i - 1)))
            }
        }
        let a = dtype.isFloatingPoint ? start : start.rounded(.towardZero)
        let b = dtype.isFloatingPoint ? end : end.rounded(.towardZero)
        let step = steps > 1 ? (b - a) / Double(steps - 1) : 0
        // Fused multiply-adds, as PyTorch's compiled kernel (visible where integers truncate).
        let v = (0..<steps).map { i in
            i < halfway ? a.addingProduct(step, Double(i)) : b.addingProduct(-step, Double(steps - i - 1))
        }
        return dtype.isFloatingPoint ? v : v.map { $0.rounded(.towardZero) }
    }

    /// Identity matrix with `n` rows and `m` (default `n`) columns.
    public static func eye(_ n: Int, _ m: Int? = nil, dtype: DType? = nil) -> Tensor {
        let cols = m ?? n
        let t = zeros([n, cols], dtype: dtype ?? Torch.defaultDType)
        let diag = t.view(layout: Layout(shape: [Swift.min(n, cols)], strides: [cols + 1]))
        Kernels.fill(diag.operand, 1, exactInt: 1, .cpu)
        return t
    }
}

import RealModule
@inline(__always) func realPow(_ a: Double, _ b: Double) -> Double { Double.pow(a, b) }

// PyTorch's variadic shapes: `torch.zeros(2, 3)`, `torch.randn(4, 5)`.
extension Tensor {
    /// `zeros` with the sizes as separate arguments. `Tensor.zeros(2, 3)`
    public static func zeros(_ shape: Int..., dtype: DType? = nil, device: Device = .cpu) -> Tensor {
        zeros(shape, dtype: dtype, device: device)
    }
    /// `ones` with the sizes as separate arguments. `Tensor.ones(2, 3)`
    public static func ones(_ shape: Int..., dtype: DType? = nil, device: Device = .cpu) -> Tensor {
        ones(shape, dtype: dtype, device: device)
    }
    /// `empty` with the sizes as separate arguments. `Tensor.empty(2, 3)`
    public static func empty(_ shape: Int..., dtype: DType? = nil, device: Device = .cpu) -> Tensor {
        empty(shape, dtype: dtype, device: device)
    }
    /// `rand` with the sizes as separate arguments. `Tensor.rand(2, 3)`
    public static func rand(
        _ shape: Int..., dtype: DType? = nil, device: Device = .cpu, generator: Generator = .default
    ) -> Tensor {
        rand(shape, dtype: dtype, device: device, generator: generator)
    }
    /// `randn` with the sizes as separate arguments. `Tensor.randn(2, 3)`
    public static func randn(
        _ shape: Int..., dtype: DType? = nil, device: Device = .cpu, generator: Generator = .default
    ) -> Tensor {
        randn(shape, dtype: dtype, device: device, generator: generator)
    }
}
