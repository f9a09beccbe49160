import TorchBase

extension Tensor {
    /// Matrix product with PyTorch's rules for every rank: dot (1-D·1-D), mv, mm, and batched
    /// products with broadcast batch dimensions. float32/float64 run through OpenBLAS.
    ///
    /// ```swift
    /// Tensor.randn([10, 3, 4]).matmul(Tensor.randn([4, 5]))   // [10, 3, 5]
    /// ```
    public func matmul(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if Tracing.isOn {
            return Tracing.record1("matmul", [self, other], file: file, line: line) { $0[0].matmul($0[1]) }
        }
        if (count == 0 || other.count == 0) && (dtype != other.dtype || dtype == .bool)
            && Swift.min(rank, other.rank) > 2
        {
            // An empty operand runs no kernel in PyTorch: no dtype checks; mixed dtypes give the second's.
            let t: DType = other.dtype == .bool ? .int64 : other.dtype
            return to(t).matmul(other.to(t), file: file, line: line).to(other.dtype)
        }
        // PyTorch checks the kernel even for empty vectors in a dot product, not for empty matrices.
        if (dtype == .bool || other.dtype == .bool)
            && ((count > 0 && other.count > 0) || (rank == 1 && other.rank == 1))
        {
            let kernel =
                rank == 1 && other.rank == 1
                ? "dot"
                : (rank == 2 && other.rank == 1
                    ? "addmv_impl_cpu"
                    : (Swift.max(rank, other.rank) > 2 ? "bmm" : "addmm_impl_cpu_"))
            (dtype == .bool ? self : other).requireKernel("matmul", kernel, .notBool, file: file, line: line)
        }
        if rank == 0 || other.rank == 0 {
            torchFail(
                "matmul", "both arguments to matmul need to be at least 1D, but they are \(rank)D and \(other.rank)D",
                file: file, line: line)
        }
        if dtype != other.dtype {
            torchFail(
                "matmul", "expected m1 and m2 to have the same dtype, but got: \(dtype) != \(other.dtype)", file: file,
                line: line)
        }
        let a = rank == 1 ? unsqueeze(0) : self
        let b = other.rank == 1 ? other.unsqueeze(1) : other
        let n = a.shape[a.rank - 2], k = a.shape[a.rank - 1]
        let k2 = b.shape[b.rank - 2], m = b.shape[b.rank - 1]
        if k != k2 {
            let what =
                rank == 1 && other.rank == 1
                ? "inconsistent tensor size, expected tensor [\(k)] and src [\(k2)] to have the same number of "
                    + "elements, but got \(k) and \(k2) elements respectively"
                : "mat1 and mat2 shapes cannot be multiplied (\(n)x\(k) and \(k2)x\(m))"
            torchFail("matmul", what, file: file, line: line)
        }
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        let batch = Checks.broadcastShapes(batchA, batchB).unwrap("matmul", file: file, line: line)
        if device != other.device {
            torchFail(
                "matmul",
                "Expected all tensors to be on the same device, but found at least two devices, \(device) and "
                    + "\(other.device)!",
                file: file, line: line)
        }
        let compute = Kernels.gemmComputeType(dtype, device)
        let ae = a.expand(batch + [n, k]).to(compute)
        let be = b.expand(batch + [k, m]).to(compute)
        var out: Tensor
        if Tensor.shouldRecord(ae, be) {
            // Each factor is saved only for the other's gradient (Note [What autograd saves]).
            let (needA, needB) = (ae.needsGradient, be.needsGradient)
            var save = SmallList<Tensor>()
            if needB { save.append(ae) }
            if needA { save.append(be) }
            out = Tensor.recorded(
                .matmul, [ae, be], save: save, inputMeta: SmallList(TensorMeta(ae), TensorMeta(be)),
                file: file, line: line,
                forward: {
                    let o = Tensor(uninitialized: batch + [n, m], dtype: ae.dtype, device: ae.device)
                    Tensor.batchedGemm(ae, be, o, beta: 0)
                    return o
                },
                backward: { node, g in
                    let savedA = node.needs(1)
                    return [
                        node.needs(0)
                            ? Tensor.productGradient(
                                g, node.savedTensor(savedA ? 1 : 0), first: true, like: node.inputMeta[0]) : nil,
                        node.needs(1)
                            ? Tensor.productGradient(g, node.savedTensor(0), first: false, like: node.inputMeta[1])
                            : nil,
                    ]
                })
        } else {
            out = Tensor(uninitialized: batch + [n, m], dtype: compute, device: device)
            Tensor.batchedGemm(ae, be, out, beta: 0)
        }
        if rank == 1 { out = out.squeeze(-2) }
        if other.rank == 1 { out = out.squeeze(-1) }
        return out.to(dtype)
    }

    /// The gradient of one factor of `a · b` from the output gradient `g` and the other factor:
    /// `g · bᵀ` for a (`first`), `aᵀ · g` for b. When the factor it belongs to (`like`) is a
    /// transposed contiguous matrix (a Linear layer's `weight.t()`), the gradient is computed
    /// transposed, `(b · gᵀ)ᵀ` or `(gᵀ · a)ᵀ`, so that it reaches the weight contiguous and can
    /// become its `.grad` without a copy (as PyTorch's mm backward does).
    static func productGradient(_ g: Tensor, _ other: Tensor, first: Bool, like: TensorMeta) -> Tensor {
        let transposed =
            like.shape.count == 2 && g.rank == 2 && like.strides[0] == 1 && like.strides[1] == like.shape[0]
            && like.shape[0] > 1
        // Complex factors enter conjugated (`mH`): PyTorch's convention (Note [Complex tensors]).
        if first { return transposed ? other.conj().matmul(g.mT).mT : g.matmul(other.mH) }
        return transposed ? g.mT.matmul(other.conj()).mT : other.mH.matmul(g)
    }

    /// `bias + a · b` for matrices `a` [n, k] and `b` [k, m], with `bias` broadcastable to [n, m]
    /// (`torch.addmm`): the bias is written into the result first and the product accumulated onto
    /// it by the GEMM itself, one pass over the result fewer than a product and an add.
    ///
    /// ```swift
    /// let y = Tensor.addmm(b, x, w.t())   // a Linear layer
    /// ```
    public static func addmm(_ bias: Tensor, _ a: Tensor, _ b: Tensor, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        if a.rank != 2 || b.rank != 2 {
            torchFail("addmm", "expected 2-D matrices, got \(a.shape) and \(b.shape)", file: file, line: line)
        }
        if Tracing.isOn {
            return Tracing.record1("addmm", [bias, a, b], file: file, line: line) { Tensor.addmm($0[0], $0[1], $0[2]) }
        }
        // bfloat16 where its products are native (AMX, Note [bfloat16 GEMM]): the bias joins the
        // float32 sums and the result is rounded once, as PyTorch's.
        let native = a.dtype.computeType == a.dtype || Kernels.gemmComputeType(a.dtype, a.device) == a.dtype
        let fused =
            a.device == b.device && bias.device == a.device && a.dtype.isFloatingPoint && native
            && a.dtype == b.dtype && bias.dtype == a.dtype
        if !fused { return a.matmul(b, file: file, line: line) + bias }
        let (n, k, m) = (a.shape[0], a.shape[1], b.shape[1])
        if b.shape[0] != k {
            torchFail(
                "addmm", "mat1 and mat2 shapes cannot be multiplied (\(n)x\(k) and \(b.shape[0])x\(m))", file: file,
                line: line)
        }
        let target = Checks.broadcastShapes(bias.shape, [n, m]).unwrap("addmm", file: file, line: line)
        if target != [n, m] {
            torchFail(
                "addmm", "bias of shape \(bias.shape) cannot be broadcast to the product's shape [\(n), \(m)]",
                file: file, line: line)
        }
        func forward() -> Tensor {
            let out = Tensor(uninitialized: [n, m], dtype: a.dtype, device: a.device)
            Kernels.copy(out.operand, bias.operand(broadcastTo: [n, m]), a.device)
            Tensor.batchedGemm(a, b, out, beta: 1)
            return out
        }
        if !Tensor.shouldRecord([bias, a, b]) { return forward() }
        let biasShape = bias.shape
        var save = SmallList<Tensor>()
        if b.needsGradient { save.append(a) }
        if a.needsGradient { save.append(b) }
        let meta: SmallList<TensorMeta> = [TensorMeta(bias), TensorMeta(a), TensorMeta(b)]
        return Tensor.recorded(
            .addmm, SmallList([bias, a, b]), save: save, inputMeta: meta, file: file, line: line, forward: forward
        ) { node, g in
            let savedA = node.needs(2)
            return [
                node.needs(0) ? g.sumToShape(biasShape) : nil,
                node.needs(1)
                    ? Tensor.productGradient(g, node.savedTensor(savedA ? 1 : 0), first: true, like: node.inputMeta[1])
                    : nil,
                node.needs(2)
                    ? Tensor.productGradient(g, node.savedTensor(0), first: false, like: node.inputMeta[2]) : nil,
            ]
        }

    }

    /// `out[b] = a[b] · b[b] + beta · out[b]` over the leading batch dimensions (same compute dtype).
    static func batchedGemm(_ a: Tensor, _ b: Tensor, _ out: Tensor, beta: Double) {
        Kernels.gemm(out.operand, a.operand, b.operand, beta: beta, out.device)
    }

    /// Product of two matrices.
    public func mm(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if rank != 2 || other.rank != 2 {
            torchFail(
                "mm", "self and mat2 must be matrices, got \(rank)-D and \(other.rank)-D tensors", file: file,
                line: line)
        }
        return matmul(other, file: file, line: line)
    }

    /// Batched product of `[b, n, k]` and `[b, k, m]`.
    public func bmm(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if rank != 3 || other.rank != 3 {
            torchFail(
                "bmm", "batch1 and batch2 must be 3D tensors, got \(rank)-D and \(other.rank)-D", file: file, line: line
            )
        }
        if shape[0] != other.shape[0] {
            torchFail(
                "bmm", "batch1 and batch2 must have the same batch size, got \(shape[0]) and \(other.shape[0])",
                file: file, line: line)
        }
        if (count == 0 || other.count == 0) && shape[2] == other.shape[1] {
            // An empty operand runs no kernel in PyTorch: no dtype checks; mixed dtypes give mat2's.
            if dtype == other.dtype && dtype != .bool { return matmul(other, file: file, line: line) }
            return Tensor.zeros([shape[0], shape[1], other.shape[2]], dtype: other.dtype, device: device)
        }
        requireKernel("bmm", "bmm", .notBool, file: file, line: line)
        return matmul(other, file: file, line: line)
    }

    /// Matrix-vector product.
    public func mv(_ vec: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if rank != 2 || vec.rank != 1 {
            torchFail("mv", "vector + matrix @ vector expected, got \(rank), \(vec.rank)", file: file, line: line)
        }
        return matmul(vec, file: file, line: line)
    }

    /// Inner product of two 1-D tensors.
    public func dot(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if rank != 1 || other.rank != 1 {
            torchFail("dot", "1D tensors expected, but got \(rank)D and \(other.rank)D tensors", file: file, line: line)
        }
        return matmul(other, file: file, line: line)
    }

    /// Outer product of two 1-D tensors.
    public func outer(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if rank != 1 || other.rank != 1 {
            torchFail("outer", "outer expects 1D tensors, got \(rank)D and \(other.rank)D", file: file, line: line)
        }
        return unsqueeze(1) * other.unsqueeze(0)
    }

    /// `beta * self + alpha * (mat1 · mat2)`. On integer tensors `beta` and `alpha` are truncated
    /// to the dtype (refused when they do not fit), as PyTorch; `beta == 0` ignores `input`'s values.
    ///
    /// ```swift
    /// Tensor.addmm(bias, x, w, beta: 1, alpha: 2)
    /// ```
    public static func addmm<B: ScalarLike, A: ScalarLike>(
        _ input: Tensor, _ mat1: Tensor, _ mat2: Tensor, beta: B, alpha: A,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        for (t, name) in [(mat1, "mat1"), (mat2, "mat2")] where t.dtype != input.dtype {
            torchFail(
                "addmm",
                "self and \(name) must have the same dtype, but got \(input.dtype.pytorchName) and "
                    + "\(t.dtype.pytorchName)",
                file: file, line: line)
        }
        if input.dtype == .float16 || input.dtype == .bfloat16 {
            // beta·input + alpha·(mat1·mat2) in float32, rounded once, as PyTorch's CPU kernel.
            return addmm(
                input.to(.float32), mat1.to(.float32), mat2.to(.float32), beta: beta, alpha: alpha,
                file: file, line: line
            ).to(input.dtype)
        }
        // Empty results and empty inner dimensions run no kernel; recorded calls take the general
        // path below so that the result is part of the graph.
        let recording = Tensor.shouldRecord([input, mat1, mat2])
        if mat1.rank == 2 && mat2.rank == 2 && mat1.shape[0] * mat2.shape[1] == 0 && !recording {
            // No kernel runs.
            return Tensor.zeros([mat1.shape[0], mat2.shape[1]], dtype: input.dtype, device: input.device)
        }
        if mat1.rank == 2 && mat2.rank == 2 && mat1.shape[1] == 0 && mat2.shape[0] == 0 && !recording {
            // An empty inner dimension: the product is zero and alpha is never used (PyTorch).
            let shape = [mat1.shape[0], mat2.shape[1]]
            let b = beta.asDouble
            if b == 0 { return Tensor.zeros(shape, dtype: input.dtype, device: input.device) }
            // PyTorch scales the result in place (`result.mul_(beta)`): a beta that promotes is refused.
            let promoted = input.resultDType(withScalar: B.self)
            if !canCast(promoted, to: input.dtype) {
                torchFail(
                    "addmm",
                    "result type \(promoted.pytorchName) can't be cast to the desired output type "
                        + "\(input.dtype.pytorchName)",
                    file: file, line: line)
            }
            if !input.dtype.isFloatingPoint {
                checkFits(b, input.dtype, "addmm", integral: B.scalarKind != .float64, file: file, line: line)
            }
            return (b == 1 ? input : input * Tensor.scalar(beta, dtype: input.dtype)).expand(shape).contiguous()
        }
        // An infinite or NaN alpha is applied inside the product, as BLAS does (each term, so that
        // terms of opposite signs give NaN, not ±inf).
        let inside = !alpha.asDouble.isFinite && mat1.dtype.isFloatingPoint
        let prod = (inside ? mat1 * Tensor.scalar(alpha.asDouble, dtype: mat1.dtype) : mat1).mm(
            mat2, file: file, line: line)
        var (b, a) = (beta.asDouble, inside ? 1 : alpha.asDouble)
        if !prod.dtype.isFloatingPoint && prod.count > 0 {
            checkFits(b, prod.dtype, "addmm", integral: B.scalarKind != .float64, file: file, line: line)
            checkFits(a, prod.dtype, "addmm", integral: A.scalarKind != .float64, file: file, line: line)
            (b, a) = (b.rounded(.towardZero), a.rounded(.towardZero))
        }
        let scaled = a == 1 ? prod : prod * Tensor.scalar(a, dtype: prod.dtype)
        if b == 0 { return scaled.add(Tensor.zerosLike(input, dtype: prod.dtype), file: file, line: line) }
        let base = b == 1 ? input : input * Tensor.scalar(b, dtype: prod.dtype)
        return base.add(scaled, file: file, line: line)
    }
}

extension Primitive {
    /// Matrix products.
    public static let matmul = Primitive("matmul"), addmm = Primitive("addmm")
    /// The products, in the registry.
    static let products: [Primitive] = [.matmul, .addmm]
}
