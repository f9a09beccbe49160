import TorchBase

// The fused LSTM layer: a core primitive so that TorchNN never touches a backend. `Recurrent`
// (TorchNN) projects the inputs of all steps at once and calls `Tensor.lstmLayer` per layer and
// direction.
extension Tensor {
    /// The recurrence of one LSTM layer and direction as a single recorded node, as PyTorch's
    /// fused LSTM: `gi` [seq, batch, 4H] holds the input projections with both biases, `wHH`
    /// [4H, H] the recurrent weight. Returns [hidden states [seq, batch, H], hN, cN]. The hand-
    /// written backward runs the steps in reverse and forms the recurrent weight's gradient in
    /// one matrix multiply over all steps. (Differentiable once: double backward through an LSTM
    /// layer is not supported, as with cuDNN's.)
    package static func lstmLayer(
        _ gi: Tensor, _ h0: Tensor, _ c0: Tensor, _ wHH: Tensor, reverse: Bool,
        allowFusedCell: Bool = true
    ) -> [Tensor] {
        if allowFusedCell && Kernels.supports(.lstmCell, gi.dtype, on: gi.device)
            && [h0, c0, wHH].allSatisfy({ $0.dtype == gi.dtype && $0.device == gi.device })
        {
            return lstmLayerFused(gi, h0, c0, wHH, reverse: reverse)
        }
        let seq = gi.shape[0], hidden = wHH.shape[1]
        var hPrev = [Tensor](), cPrev = [Tensor](), acts = [[Tensor]](), tanhC = [Tensor]()
        let outs = Torch.customFunction(
            "LSTMLayer", [gi, h0, c0, wHH],
            forwardOutputs: { ctx, x in
                ctx.saveForBackward(x[3])
                let w = x[3].t()
                var h = x[1], c = x[2]
                var hs = [Tensor?](repeating: nil, count: seq)
                for s in 0..<seq {
                    let t = reverse ? seq - 1 - s : s
                    let pre = Tensor.addmm(x[0][t], h, w)
                    // Sigmoid over the whole contiguous gate block (vectorised), tanh for the cell gate.
                    let sig = pre.sigmoid().split(hidden, dim: 1)
                    let i = sig[0], f = sig[1], o = sig[3]
                    let g = pre.narrow(1, start: 2 * hidden, length: hidden).tanh()
                    hPrev.append(h)
                    cPrev.append(c)
                    c = f * c + i * g
                    let tc = c.tanh()
                    h = o * tc
                    acts.append([i, f, g, o])
                    tanhC.append(tc)
                    hs[t] = h
                }
                return [Tensor.stack(hs.map { $0! }), h, c]
            },
            backwardOutputs: { ctx, grads in
                let w = ctx.savedTensors[0]
                let like = hPrev[0]
                var dh = grads[1] ?? Tensor.zerosLike(like), dc = grads[2] ?? Tensor.zerosLike(like)
                var dGates = [Tensor?](repeating: nil, count: seq)
                // Steps in reverse order of the forward; `s` indexes the forward's saved lists.
                for s in Swift.stride(from: seq - 1, through: 0, by: -1) {
                    let t = reverse ? seq - 1 - s : s
                    if let dHs = grads[0] { dh = dh + dHs[t] }
                    let a = acts[s], tc = tanhC[s]
                    let (i, f, g, o) = (a[0], a[1], a[2], a[3])
                    dc = dc + dh * o * (1 - tc * tc)
                    let dI = dc * g * i * (1 - i), dF = dc * cPrev[s] * f * (1 - f)
                    let dG = dc * i * (1 - g * g), dO = dh * tc * o * (1 - o)
                    let d = Tensor.cat([dI, dF, dG, dO], dim: 1)
                    dGates[t] = d
                    dh = d.matmul(w)
                    dc = dc * f
                }
                let (dGi, dW) = lstmWeightGradient(dGates, hPrev, reverse: reverse)
                return [dGi, dh, dc, dW]
            })
        return outs
    }

    /// The gate gradients of all steps stacked [seq, batch, 4H] (indexed by time) and the
    /// recurrent weight's gradient Σ_t dgates_tᵀ · h_{t-1} in one product (`hPrev` in the order
    /// the forward ran the steps).
    static func lstmWeightGradient(_ dGates: [Tensor?], _ hPrev: [Tensor], reverse: Bool) -> (Tensor, Tensor) {
        let dGi = Tensor.stack(dGates.map { $0! })
        let prev = Tensor.stack(reverse ? hPrev.reversed() : hPrev)
        let rows = dGi.shape[0] * dGi.shape[1]
        let dW = dGi.reshape([rows, dGi.shape[2]]).t().matmul(prev.reshape([rows, prev.shape[2]]))
        return (dGi, dW)
    }

    /// `lstmLayer` with each step's cell (forward and backward) as one fused kernel of the
    /// backend (`KernelFamily.lstmCell`); the products are the same as above.
    static func lstmLayerFused(_ gi: Tensor, _ h0: Tensor, _ c0: Tensor, _ wHH: Tensor, reverse: Bool) -> [Tensor] {
        let seq = gi.shape[0], batch = gi.shape[1], hidden = wHH.shape[1], dt = gi.dtype
        let device = gi.device
        var hPrev = [Tensor](), cPrev = [Tensor](), acts = [Tensor](), tanhC = [Tensor]()
        return Torch.customFunction(
            "LSTMLayer", [gi, h0, c0, wHH],
            forwardOutputs: { ctx, x in
                ctx.saveForBackward(x[3])
                let w = x[3].t()
                var h = x[1].contiguous(), c = x[2].contiguous()
                var hs = [Tensor?](repeating: nil, count: seq)
                for s in 0..<seq {
                    let t = reverse ? seq - 1 - s : s
                    let pre = Tensor.addmm(x[0][t], h, w).contiguous()
                    let a = Tensor(uninitialized: [batch, 4 * hidden], dtype: dt, device: device)
                    let cn = Tensor(uninitialized: [batch, hidden], dtype: dt, device: device)
                    let tc = Tensor(uninitialized: [batch, hidden], dtype: dt, device: device)
                    let hn = Tensor(uninitialized: [batch, hidden], dtype: dt, device: device)
                    Kernels.lstmCell(
                        backward: false,
                        LSTMCellOperands(
                            batch: batch, hidden: hidden, pre: pre.operand, cPrev: c.operand,
                            act: a.operand, c: cn.operand, tanhC: tc.operand,
                            h: hn.operand), device)
                    hPrev.append(h); cPrev.append(c); acts.append(a); tanhC.append(tc)
                    h = hn; c = cn
                    hs[t] = h
                }
                return [Tensor.stack(hs.map { $0! }), h, c]
            },
            backwardOutputs: { ctx, grads in
                let w = ctx.savedTensors[0]
                var dh = (grads[1] ?? Tensor.zeros([batch, hidden], dtype: dt, device: device)).contiguous()
                let dc =
                    grads[2].map { $0.contiguous().clone() }
                    ?? Tensor.zeros([batch, hidden], dtype: dt, device: device)  // updated in place
                var dGates = [Tensor?](repeating: nil, count: seq)
                for s in Swift.stride(from: seq - 1, through: 0, by: -1) {
                    let t = reverse ? seq - 1 - s : s
                    if let dHs = grads[0] { dh = (dh + dHs[t]).contiguous() }
                    let d = Tensor(uninitialized: [batch, 4 * hidden], dtype: dt, device: device)
                    // The backward reuses the operand slots: `h` holds dh, `c` holds dc, `pre` receives
                    // the gate gradients.
                    Kernels.lstmCell(
                        backward: true,
                        LSTMCellOperands(
                            batch: batch, hidden: hidden, pre: d.operand,
                            cPrev: cPrev[s].operand, act: acts[s].operand, c: dc.operand,
                            tanhC: tanhC[s].operand, h: dh.operand), device)
                    dGates[t] = d
                    dh = d.matmul(w)
                }
                let (dGi, dW) = lstmWeightGradient(dGates, hPrev, reverse: reverse)
                return [dGi, dh, dc, dW]
            })
    }
}
