import TorchBase

// Softmax and log-softmax as fused primitives: one pass over each row instead of the eight of
// the composite (max, subtract, exp, sum, log, ...), measured on the GPU at 0.36 → see the
// benchmark in torch-gpu-check. Their backward is written with differentiable ops.
extension Tensor {
    /// `exp(x) / sum(exp(x))` along `dim`, computed stably.
    ///
    /// ```swift
    /// let p = logits.softmax(dim: 1)
    /// ```
    public func softmax(dim: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        softmaxPrimitive(dim: dim, log: false, file: file, line: line)
    }

    /// `log(softmax(x))` along `dim`, computed stably.
    public func logSoftmax(dim: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        softmaxPrimitive(dim: dim, log: true, file: file, line: line)
    }

    /// `softmax` computed in `dtype` (the input is converted first, as PyTorch's `dtype=`).
    ///
    /// ```swift
    /// let p = halfLogits.softmax(dim: 1, dtype: .float32)
    /// ```
    public func softmax(dim: Int, dtype: DType, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        to(dtype).softmax(dim: dim, file: file, line: line)
    }

    /// `logSoftmax` computed in `dtype` (the input is converted first).
    ///
    /// ```swift
    /// let lp = halfLogits.logSoftmax(dim: 1, dtype: .float32)
    /// ```
    public func logSoftmax(dim: Int, dtype: DType, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        to(dtype).logSoftmax(dim: dim, file: file, line: line)
    }

    func softmaxPrimitive(dim: Int, log: Bool, file: StaticString, line: UInt) -> Tensor {
        let d = rank == 0 ? 0 : normDim(dim, log ? "logSoftmax" : "softmax", file, line)
        if Tracing.isOn {
            return traced(log ? "logSoftmax" : "softmax", [("dim", .int(d))], file, line) {
                $0.softmaxPrimitive(dim: d, log: log, file: file, line: line)
            }
        }
        if !dtype.isFloatingPoint {
            if count == 0 { return Tensor.emptyLike(self) }
            let kernel =
                (log ? "log_softmax" : "softmax")
                + (rank == 0 || d == rank - 1 ? "_lastdim_kernel_impl" : "_kernel_impl")
            requireKernel(log ? "log_softmax" : "softmax", kernel, .floating, file: file, line: line)
        }
        if Tensor.shouldRecord(self) {
            let inDType = dtype
            return Tensor.recorded(
                log ? .logSoftmax : .softmax, [self], saveOutput: true, file: file, line: line,
                forward: { softmaxPrimitive(dim: dim, log: log, file: file, line: line) },
                backward: { node, g in
                    let y = node.savedTensor(0)
                    if log { return [(g - y.exp() * g.sum(dims: [d], keepdim: true)).to(inDType)] }
                    return [(y * (g - (g * y).sum(dims: [d], keepdim: true))).to(inDType)]
                })
        }
        let valueType = dtype.isFloatingPoint ? dtype : Torch.defaultDType
        let compute: DType = valueType == .float64 ? .float64 : .float32
        if rank == 0 {
            // One element: 1 (log 0) when finite; ±inf and NaN give NaN (inf - inf), as PyTorch's kernel.
            let one = log ? Tensor.zerosLike(self, dtype: valueType) : Tensor.onesLike(self, dtype: valueType)
            return Tensor.where(isfinite(), one, Tensor.fullLike(one, Double.nan))
        }
        let (src, rows, n) = to(compute).rowsAlong(d)
        let out = Tensor(uninitialized: src.shape, dtype: compute, device: device)
        if count > 0 {
            Kernels.softmaxRows(src.operand, out.operand, rows: rows, n: n, log: log, device)
        }
        return Tensor.restoreDim(out, d).contiguous().to(valueType)
    }
}

extension Primitive {
    /// Softmax and log-softmax along a dimension.
    public static let softmax = Primitive("softmax"), logSoftmax = Primitive("logSoftmax")
    /// The softmax primitives, in the registry.
    static let softmaxes: [Primitive] = [.softmax, .logSoftmax]
}
