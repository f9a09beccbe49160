import TorchBase

extension Tensor {

    /// Stacks equally shaped tensors along a new dimension `dim`.
    public static func stack(_ tensors: [Tensor], dim: Int = 0, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        if tensors.isEmpty { torchFail("stack", "stack expects a non-empty TensorList", file: file, line: line) }
        for (i, t) in tensors.enumerated() where t.shape != tensors[0].shape {
            torchFail(
                "stack",
                "stack expects each tensor to be equal size, but got \(tensors[0].shape) at entry 0 and \(t.shape) "
                    + "at entry \(i)",
                file: file, line: line)
        }
        let d = Checks.dim(dim, rank: tensors[0].rank + 1).unwrap("stack", file: file, line: line)
        return cat(tensors.map { $0.unsqueeze(d) }, dim: d, file: file, line: line)
    }

    /// Reverses the order of elements along `dims` (a copy).
    public func flip(_ dims: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        var st = strides, off = layout.offset
        for d0 in dims {
            let d = normDim(d0, "flip", file, line)
            if shape[d] > 0 { off += (shape[d] - 1) * st[d] }
            st[d] = -st[d]
        }
        return view(layout: Layout(shape: shape, strides: st, offset: off)).clone()
    }

    /// Rolls elements along `dims` by `shifts` (flattened when `dims` is empty).
    public func roll(_ shifts: [Int], dims: [Int] = [], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if shifts.isEmpty { torchFail("roll", "`shifts` required", file: file, line: line) }
        if dims.isEmpty { return reshape([-1]).roll(shifts, dims: [0], file: file, line: line).view(shape) }
        if shifts.count != dims.count {
            torchFail(
                "roll", "shifts and dimensions must align. shifts: \(shifts.count), dims:\(dims.count)", file: file,
                line: line)
        }
        var r = self
        for (s, d0) in zip(shifts, dims) {
            let d = normDim(d0, "roll", file, line)
            let n = shape[d]
            if n == 0 { continue }
            let k = ((s % n) + n) % n
            if k == 0 { continue }
            r = Tensor.cat([r.narrow(d, start: n - k, length: k), r.narrow(d, start: 0, length: n - k)], dim: d)
        }
        return r === self ? clone() : r
    }

    /// Repeats the tensor `sizes[i]` times along each dimension (`sizes` may add leading dimensions).
    public func `repeat`(_ sizes: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if sizes.count < rank {
            torchFail(
                "repeat", "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor",
                file: file, line: line)
        }
        let padded = [Int](repeating: 1, count: sizes.count - rank) + shape
        let x = reshape(padded)
        var inter: [Int] = [], expanded: [Int] = []
        for (s, n) in zip(sizes, padded) { inter += [1, n]; expanded += [s, n] }
        let out = x.reshape(inter).expand(expanded).contiguous()
        return out.view(zip(sizes, padded).map { $0 * $1 })
    }

    /// Like `repeat`, but `sizes` shorter than the rank are padded with leading 1s.
    public func tile(_ sizes: [Int]) -> Tensor {
        let s = sizes.count < rank ? [Int](repeating: 1, count: rank - sizes.count) + sizes : sizes
        return `repeat`(s)
    }

    func triangleMask(_ diagonal: Int, lower: Bool, _ op: String, file: StaticString, line: UInt) -> Tensor {
        if rank < 2 { torchFail(op, "\(op): input tensor must have at least 2 dimensions", file: file, line: line) }
        let r = Tensor.arange(shape[rank - 2]).unsqueeze(1)
        let c = Tensor.arange(shape[rank - 1]).unsqueeze(0)
        let diff = c - r
        return (lower ? diff .<= diagonal : diff .>= diagonal).to(device: device)
    }

    /// Lower triangle of the last two dimensions (elements above `diagonal` zeroed).
    public func tril(_ diagonal: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.where(
            triangleMask(diagonal, lower: true, "tril", file: file, line: line), self, Tensor.scalar(0, dtype: dtype))
    }

    /// Upper triangle of the last two dimensions.
    public func triu(_ diagonal: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.where(
            triangleMask(diagonal, lower: false, "triu", file: file, line: line), self, Tensor.scalar(0, dtype: dtype))
    }
}

/// How `pad` fills the new border.
public enum PadMode: String, Sendable { case constant, reflect, replicate, circular }

extension Tensor {
    /// Pads the last dimensions: `padding` is `[left, right, top, bottom, ...]` as in `torch.nn.functional.pad`.
    /// Negative padding crops (constant mode).
    public func pad(
        _ padding: [Int], mode: PadMode = .constant, value: Double = 0,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if padding.count % 2 != 0 || padding.count / 2 > rank {
            torchFail(
                "pad",
                "Padding length must be divisible by 2 and at most twice the number of dimensions (\(rank)), got "
                    + "\(padding.count)",
                file: file, line: line)
        }
        let k = padding.count / 2
        if mode != .constant && (k > 3 || (rank != k + 1 && rank != k + 2)) {
            // Reflect, replicate and circular padding pad 1-3 trailing dims of a (batched) input.
            torchFail(
                "pad", "Padding size \(padding.count) is not supported for \(rank)D input tensor.", file: file,
                line: line)
        }
        if mode != .constant && shape.dropFirst(rank == k + 2 ? 1 : 0).contains(0) {
            torchFail(
                "pad",
                "Expected \(k + 1)D or \(k + 2)D (batch mode) tensor with possibly 0 batch size and other non-zero "
                    + "dimensions for input, but got: \(shape)",
                file: file, line: line)
        }
        var r = self
        for i in 0..<(padding.count / 2) {
            let d = rank - 1 - i
            let lo = padding[2 * i], hi = padding[2 * i + 1]
            let n = r.shape[d]
            if mode == .constant && Tensor.shouldRecord(r) {
                // Built from differentiable pieces: crop (narrow) then concatenate constant borders.
                let srcStart = Swift.max(0, -lo), len = n - srcStart - Swift.max(0, -hi)
                if len < 0 {
                    torchFail(
                        "pad",
                        "The input size \(n), plus negative padding \(lo) and \(hi) resulted in a negative output size",
                        file: file, line: line)
                }
                var parts: [Tensor] = []
                var border = r.shape
                if lo > 0 { border[d] = lo; parts.append(Tensor.full(border, value, dtype: dtype, device: device)) }
                parts.append(r.narrow(d, start: srcStart, length: len))
                if hi > 0 { border[d] = hi; parts.append(Tensor.full(border, value, dtype: dtype, device: device)) }
                r = parts.count == 1 ? parts[0] : Tensor.cat(parts, dim: d)
                continue
            }
            if mode == .constant {
                var sh = r.shape
                sh[d] = n + lo + hi
                if sh[d] < 0 {
                    torchFail(
                        "pad",
                        "The input size \(n), plus negative padding \(lo) and \(hi) resulted in a negative output size",
                        file: file, line: line)
                }
                let out = Tensor.full(sh, value, dtype: dtype, device: device)
                let srcStart = Swift.max(0, -lo), dstStart = Swift.max(0, lo)
                let len = n - srcStart - Swift.max(0, -hi)
                if len > 0 {
                    Kernels.copy(
                        out.narrow(d, start: dstStart, length: len).operand,
                        r.narrow(d, start: srcStart, length: len).operand, device)
                }
                r = out
                continue
            }
            if mode == .reflect && (lo >= n || hi >= n) {
                torchFail(
                    "pad",
                    "Padding size should be less than the corresponding input dimension, but got: padding (\(lo), "
                        + "\(hi)) at dimension \(d) of input \(shape)",
                    file: file, line: line)
            }
            if n == 0 {
                torchFail("pad", "cannot pad an empty dimension in \(mode.rawValue) mode", file: file, line: line)
            }
            let idx: [Int64] = (-lo..<(n + hi)).map { j in
                switch mode {
                case .reflect:
                    let period = 2 * (n - 1)
                    if period == 0 { return 0 }
                    var m = ((j % period) + period) % period
                    if m >= n { m = period - m }
                    return Int64(m)
                case .replicate: return Int64(Swift.min(Swift.max(j, 0), n - 1))
                default: return Int64(((j % n) + n) % n)
                }
            }
            r = r.indexSelect(d, Tensor(flat: idx, shape: [idx.count], dtype: .int64))
        }
        return r
    }
}
