import TorchBase
import RealModule
import _CTorch

extension CPUKernels {
    /// Softmax (or log-softmax) of each row of a contiguous [rows, n] float32/float64 input.
    public static func softmaxRows(src: KernelOperand, out: KernelOperand, rows: Int, n: Int, log: Bool) {
        src.dtype.dispatchFloat(SoftmaxRows(src: src, out: out, rows: rows, n: n, log: log))
    }

    struct SoftmaxRows: KernelVisitor {
        let src: KernelOperand, out: KernelOperand, rows: Int, n: Int, log: Bool
        func visitFloat<T: FloatScalar>(_: T.Type) {
            let sp = src.pointer(T.self), op = out.pointer(T.self)
            Parallel.forRange(rows, grain: Swift.max(1, 16_384 / Swift.max(n, 1))) { r in
                for row in r {
                    let x = sp + row * n, y = op + row * n
                    var m = -T.infinity
                    for i in 0..<n where x[i] > m || x[i].isNaN { m = x[i] }
                    if m == -T.infinity { m = 0 }  // +inf stays: inf - inf is NaN for the row, as PyTorch
                    for i in 0..<n { y[i] = x[i] - m }
                    if T.self == Float.self {
                        let yf = UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self)
                        if log {
                            var s: Float = 0
                            for i in 0..<n { s += Float.exp(yf[i]) }
                            let ls = Float.log(s)
                            for i in 0..<n { yf[i] -= ls }
                        } else {
                            ctorch_exp_f32(yf, yf, n)
                            let s = ctorch_sum_f32(yf, n)
                            let inv = 1 / s
                            for i in 0..<n { yf[i] *= inv }
                        }
                    } else {
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

}
