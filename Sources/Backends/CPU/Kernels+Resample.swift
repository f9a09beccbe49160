import TorchBase
import _CTorch

// Note [Direct 2-D resampling]: bilinear, bicubic and nearest interpolation are separable: each output is
// Σₖ wyₖ · (Σⱼ wxⱼ · x[yₖ, xⱼ]), the width blended first (PyTorch's order). Done one dim at a time
// through tensors, the width pass writes a [planes, ih, ow] intermediate and the height pass reads
// it back (or each pass is a GEMM with a mostly-zero matrix). The direct kernel (vmath_body.h, one
// copy per CPU capability) works plane by plane: each source row an output row needs is resampled
// along the width once into a per-thread buffer of ih·ow floats (a plane of 64×128 is 32 KB, in
// L1/L2), then each output row is the weighted sum of its 2 (bilinear) or 4 (bicubic) buffered rows,
// a contiguous loop the compiler vectorises; nearest is one tap of weight 1 (1·v is v, -0 and NaN
// included). 16×32×64×64 doubled on two threads (Zen 3, AVX2; `torch-bench --models-only`): bilinear
// 15.4 → 5.5 ms (PyTorch 9.4–10.5), bicubic 15.5 → 8.2 ms (PyTorch 40–41), nearest 4.0 → 3.3 ms
// (PyTorch 3.4). The arithmetic is the same as the dim-by-dim path
// (same taps, weights and order); it runs forward without autograd, and with autograd the
// dim-by-dim composite runs (its primitives' derivatives give the gradients).
extension CPUKernels {
    /// Separable 2-D resampling of contiguous float32 planes, split across threads by planes.
    public static func resample2d(_ out: KernelOperand, _ x: KernelOperand, _ t: Resample2DTaps) {
        let xp = UnsafePointer(x.pointer(Float.self)), yp = out.pointer(Float.self)
        let work = Swift.max(t.outH * t.outW * t.rowTaps + t.inH * t.outW * t.colTaps, 1)
        // CLong is Int on the 64-bit Linux this builds for: the index arrays pass as they are.
        t.rowIndex.withUnsafeBufferPointer { yi in
            t.colIndex.withUnsafeBufferPointer { xi in
                t.rowWeights.withUnsafeBufferPointer { wy in
                    t.colWeights.withUnsafeBufferPointer { wx in
                        var g = ctorch_resample_geometry(
                            ih: t.inH, iw: t.inW, oh: t.outH, ow: t.outW, ty: t.rowTaps, tx: t.colTaps,
                            yi: yi.baseAddress, xi: xi.baseAddress, wy: wy.baseAddress, wx: wx.baseAddress)
                        withUnsafePointer(to: &g) { gp in
                            Parallel.forRange(t.planes, grain: Swift.max(1, 65_536 / work)) { r in
                                ctorch_resample2d_f32(xp, yp, gp, r.lowerBound, r.upperBound)
                            }
                        }
                    }
                }
            }
        }
    }
}
