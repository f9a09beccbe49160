import TorchBase
import _CTorch

// The direct stride-1 convolution's kernel is in vconv.c (Note [Direct convolution]); this is its
// Swift side: the padded input and the packed weights in blocks of the caching allocator, then the
// (sample, block of output channels) units split across threads.
extension CPUKernels {
    /// Stride-1 2-D convolution of contiguous float32 operands (`Backend.directConv2d`).
    public static func directConv2d(
        _ out: KernelOperand, _ x: KernelOperand, weight: KernelOperand, bias: KernelOperand?,
        _ d: DirectConvGeometry
    ) {
        let hp = d.h + d.top + d.bottom, wp = d.w + d.left + d.right
        var g = ctorch_conv_geometry(
            n: d.n, c: d.c, h: d.h, w: d.w, o: d.o, kh: d.kh, kw: d.kw, dh: d.dh, dw: d.dw, pt: d.top, pl: d.left,
            hp: hp, wp: wp, oh: d.oh, ow: d.ow)
        let block = Int(CTORCH_CONV_BLOCK)
        let blocks = (d.o + block - 1) / block
        let padded = d.n * d.c * hp * wp + Int(CTORCH_CONV_SLACK)
        let packed = blocks * d.c * d.kh * d.kw * block
        let xp = CPUAllocator.shared.allocate(padded * 4).bindMemory(to: Float.self, capacity: padded)
        let wk = CPUAllocator.shared.allocate(packed * 4).bindMemory(to: Float.self, capacity: packed)
        defer {
            CPUAllocator.shared.deallocate(xp, bytes: padded * 4)
            CPUAllocator.shared.deallocate(wk, bytes: packed * 4)
        }
        let src = UnsafePointer(x.pointer(Float.self)), kp = UnsafePointer(weight.pointer(Float.self))
        let bp = bias.map { UnsafePointer($0.pointer(Float.self)) }
        let yp = out.pointer(Float.self)
        (xp + (padded - Int(CTORCH_CONV_SLACK))).initialize(repeating: 0, count: Int(CTORCH_CONV_SLACK))
        withUnsafePointer(to: &g) { gp in
            ctorch_conv2d_pack_f32(kp, wk, gp)
            Parallel.forRange(d.n * d.c, grain: Swift.max(1, 65_536 / Swift.max(hp * wp, 1))) { r in
                ctorch_conv2d_pad_f32(src, xp, gp, r.lowerBound, r.upperBound)
            }
            Parallel.forRange(d.n * blocks, grain: 1) { r in
                ctorch_conv2d_direct_f32(xp, wk, bp, yp, gp, r.lowerBound, r.upperBound)
            }
        }
    }
}
