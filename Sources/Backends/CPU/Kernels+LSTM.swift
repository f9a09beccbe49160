import TorchBase
import RealModule
import _CTorch

/// One LSTM time step, forward and backward, in single passes over contiguous float [B, ·]
/// buffers (gate order i, f, g, o as PyTorch's): the fused recurrence of `Recurrent` runs these
/// instead of about twenty small tensor ops per step.
extension CPUKernels {
    /// From the gate pre-activations `pre` [B, 4H] and the previous cell state `cPrev` [B, H]:
    /// the activated gates `act` [B, 4H], the new cell state `c`, tanh(c) `tc` and hidden state `h`.
    public static func lstmCellForward(
        _ dtype: DType, batch: Int, hidden: Int, pre: UnsafeRawPointer, cPrev: UnsafeRawPointer,
        act: UnsafeMutableRawPointer, c: UnsafeMutableRawPointer,
        tc: UnsafeMutableRawPointer, h: UnsafeMutableRawPointer
    ) {
        dtype.dispatchFloat(
            LSTMForward(batch: batch, hidden: hidden, pre: pre, cPrev: cPrev, act: act, c: c, tc: tc, h: h))
    }

    /// Given the gradients `dh`, `dc` [B, H] flowing into a step (dc updated in place to the
    /// previous cell state's gradient), writes the gates' pre-activation gradients `dGates` [B, 4H].
    public static func lstmCellBackward(
        _ dtype: DType, batch: Int, hidden: Int, act: UnsafeRawPointer, tc: UnsafeRawPointer,
        cPrev: UnsafeRawPointer, dh: UnsafeRawPointer, dc: UnsafeMutableRawPointer,
        dGates: UnsafeMutableRawPointer
    ) {
        dtype.dispatchFloat(
            LSTMBackward(batch: batch, hidden: hidden, act: act, tc: tc, cPrev: cPrev, dh: dh, dc: dc, dGates: dGates))
    }

    struct LSTMForward: KernelVisitor {
        let batch: Int, hidden: Int, pre: UnsafeRawPointer, cPrev: UnsafeRawPointer
        let act: UnsafeMutableRawPointer, c: UnsafeMutableRawPointer, tc: UnsafeMutableRawPointer,
            h: UnsafeMutableRawPointer
        func visitFloat<T: FloatScalar>(_: T.Type) {
            if T.self == Float.self {
                // The transcendental parts through the vectorised float32 kernels, the rest in plain loops.
                let p = pre.assumingMemoryBound(to: Float.self), cp = cPrev.assumingMemoryBound(to: Float.self)
                let a = act.assumingMemoryBound(to: Float.self), cn = c.assumingMemoryBound(to: Float.self)
                let t = tc.assumingMemoryBound(to: Float.self), hn = h.assumingMemoryBound(to: Float.self)
                ctorch_sigmoid_f32(p, a, batch * 4 * hidden)
                for b in 0..<batch {
                    let row = b * 4 * hidden
                    ctorch_tanh_f32(p + row + 2 * hidden, a + row + 2 * hidden, hidden)
                    for k in 0..<hidden {
                        cn[b * hidden + k] =
                            a[row + hidden + k] * cp[b * hidden + k] + a[row + k] * a[row + 2 * hidden + k]
                    }
                }
                ctorch_tanh_f32(cn, t, batch * hidden)
                for b in 0..<batch {
                    let row = b * 4 * hidden
                    for k in 0..<hidden { hn[b * hidden + k] = a[row + 3 * hidden + k] * t[b * hidden + k] }
                }
                return
            }
            let p = pre.assumingMemoryBound(to: T.self), cp = cPrev.assumingMemoryBound(to: T.self)
            let a = act.assumingMemoryBound(to: T.self), cn = c.assumingMemoryBound(to: T.self)
            let t = tc.assumingMemoryBound(to: T.self), hn = h.assumingMemoryBound(to: T.self)
            for b in 0..<batch {
                let row = b * 4 * hidden, s = b * hidden
                for k in 0..<hidden {
                    let i = 1 / (1 + T.exp(-p[row + k]))
                    let f = 1 / (1 + T.exp(-p[row + hidden + k]))
                    let g = T.tanh(p[row + 2 * hidden + k])
                    let o = 1 / (1 + T.exp(-p[row + 3 * hidden + k]))
                    a[row + k] = i; a[row + hidden + k] = f; a[row + 2 * hidden + k] = g; a[row + 3 * hidden + k] = o
                    let cv = f * cp[s + k] + i * g
                    let tv = T.tanh(cv)
                    cn[s + k] = cv; t[s + k] = tv; hn[s + k] = o * tv
                }
            }
        }
    }

    struct LSTMBackward: KernelVisitor {
        let batch: Int, hidden: Int, act: UnsafeRawPointer, tc: UnsafeRawPointer, cPrev: UnsafeRawPointer
        let dh: UnsafeRawPointer, dc: UnsafeMutableRawPointer, dGates: UnsafeMutableRawPointer
        func visitFloat<T: FloatScalar>(_: T.Type) {
            let a = act.assumingMemoryBound(to: T.self), t = tc.assumingMemoryBound(to: T.self)
            let cp = cPrev.assumingMemoryBound(to: T.self), dhp = dh.assumingMemoryBound(to: T.self)
            let dcp = dc.assumingMemoryBound(to: T.self), d = dGates.assumingMemoryBound(to: T.self)
            for b in 0..<batch {
                let row = b * 4 * hidden, s = b * hidden
                for k in 0..<hidden {
                    let i = a[row + k], f = a[row + hidden + k], g = a[row + 2 * hidden + k],
                        o = a[row + 3 * hidden + k]
                    let tv = t[s + k], dhv = dhp[s + k]
                    let dcv = dcp[s + k] + dhv * o * (1 - tv * tv)
                    d[row + k] = dcv * g * i * (1 - i)
                    d[row + hidden + k] = dcv * cp[s + k] * f * (1 - f)
                    d[row + 2 * hidden + k] = dcv * i * (1 - g * g)
                    d[row + 3 * hidden + k] = dhv * tv * o * (1 - o)
                    dcp[s + k] = dcv * f
                }
            }
        }
    }
}
