import TorchBase
import RealModule
import _CTorch

extension CPUKernels {
    /// Softmax (or log-softmax) of each row of a contiguous [rows, n] float32/float64 input.
    public static func softmaxRows(src: KernelOperand, out: KernelOperand, rows: Int, n: Int, log: Bool) {
        src.dtype.dispatchFloat(SoftmaxRows(src: src, out: out, rows: rows, n: n, log: log))
    }

    /// Layer norm of each row of a contiguous float32 [rows, n] `x` (the current capability's
    /// vectorised row kernel), split across threads by rows.
    public static func layerNormRows(
        _ x: KernelOperand, _ out: KernelOperand, mean: KernelOperand, rstd: KernelOperand, weight: KernelOperand?,
        bias: KernelOperand?, rows: Int, n: Int, eps: Double
    ) {
        let xp = x.pointer(Float.self), yp = out.pointer(Float.self)
        let mp = mean.pointer(Float.self), rp = rstd.pointer(Float.self)
        let wp = weight.map { UnsafePointer($0.pointer(Float.self)) },
            bp = bias.map { UnsafePointer($0.pointer(Float.self)) }
        Parallel.forRange(rows, grain: Swift.max(1, 16_384 / Swift.max(n, 1))) { r in
            ctorch_layer_norm_rows_f32(
                xp + r.lowerBound * n, yp + r.lowerBound * n, r.count, n, wp, bp, Float(eps), mp + r.lowerBound,
                rp + r.lowerBound)
        }
    }

    struct SoftmaxRows: KernelVisitor {
        let src: KernelOperand, out: KernelOperand, rows: Int, n: Int, log: Bool
        func visitFloat<T: FloatScalar>(_: T.Type) {
            let sp = src.pointer(T.self), op = out.pointer(T.self)
            if T.self == Float.self {
                // The vectorised row kernel of the current capability (vmath_body.h).
                let xf = UnsafeRawPointer(sp).assumingMemoryBound(to: Float.self)
                let yf = UnsafeMutableRawPointer(op).assumingMemoryBound(to: Float.self)
                Parallel.forRange(rows, grain: Swift.max(1, 16_384 / Swift.max(n, 1))) { r in
                    ctorch_softmax_rows_f32(xf + r.lowerBound * n, yf + r.lowerBound * n, r.count, n, log ? 1 : 0)
                }
                return
            }
            Parallel.forRange(rows, grain: Swift.max(1, 16_384 / Swift.max(n, 1))) { r in
                for row in r {
                    let x = sp + row * n, y = op + row * n
                    var m = -T.infinity
                    for i in 0..<n where x[i] > m || x[i].isNaN { m = x[i] }
                    if m == -T.infinity { m = 0 }  // +inf stays: inf - inf is NaN for the row, as PyTorch
                    for i in 0..<n { y[i] = x[i] - m }
                    var s: T = 0
                    if log {
                        for i in 0..<n { s += T.exp(y[i]) }
                        let ls = T.log(s)
                        for i in 0..<n { y[i] -= ls }
                    } else {
                        for i in 0..<n { y[i] = T.exp(y[i]); s += y[i] }
                        for i in 0..<n { y[i] /= s }
                    }
                }
            }
        }
    }

}
