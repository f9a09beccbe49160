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
        let block = ctorch_conv_block()
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

    /// The weight gradient of that convolution from contiguous float32 input and output gradient
    /// (`Backend.directConv2dWeightGrad`, Note [Direct convolution's weight gradient]); false,
    /// with nothing written, when the input has a non-finite value.
    public static func directConv2dWeightGrad(
        _ out: KernelOperand, _ x: KernelOperand, grad: KernelOperand, _ d: DirectConvGeometry
    ) -> Bool {
        let src = UnsafePointer(x.pointer(Float.self))
        guard ctorch_all_finite_f32(src, d.n * d.c * d.h * d.w) != 0 else { return false }
        let hp = d.h + d.top + d.bottom, wp = d.w + d.left + d.right
        var g = ctorch_conv_geometry(
            n: d.n, c: d.c, h: d.h, w: d.w, o: d.o, kh: d.kh, kw: d.kw, dh: d.dh, dw: d.dw, pt: d.top, pl: d.left,
            hp: hp, wp: wp, oh: d.oh, ow: d.ow)
        let block = ctorch_conv_wgrad_block()
        let oR = (d.o + block - 1) / block * block
        let plane = (d.oh * wp + 15) / 16 * 16
        let slack = 16 + (d.kw - 1) * d.dw
        let padded = d.n * d.c * hp * wp + slack, grads = d.n * oR * plane
        let xp = CPUAllocator.shared.allocate(padded * 4).bindMemory(to: Float.self, capacity: padded)
        let gpad = CPUAllocator.shared.allocate(grads * 4).bindMemory(to: Float.self, capacity: grads)
        defer {
            CPUAllocator.shared.deallocate(xp, bytes: padded * 4)
            CPUAllocator.shared.deallocate(gpad, bytes: grads * 4)
        }
        let gy = UnsafePointer(grad.pointer(Float.self)), gw = out.pointer(Float.self)
        (xp + (padded - slack)).initialize(repeating: 0, count: slack)
        withUnsafePointer(to: &g) { gp in
            Parallel.forRange(d.n * d.c, grain: Swift.max(1, 65_536 / Swift.max(hp * wp, 1))) { r in
                ctorch_conv2d_pad_f32(src, xp, gp, r.lowerBound, r.upperBound)
            }
            Parallel.forRange(d.n * oR, grain: Swift.max(1, 65_536 / plane)) { r in
                ctorch_conv2d_pad_grad_f32(gy, gpad, gp, plane, oR, r.lowerBound, r.upperBound)
            }
            let per = ctorch_conv_wgrad_channels(gp)
            let units = (oR / block) * ((d.c + per - 1) / per)
            Parallel.forRange(units, grain: 1) { r in
                ctorch_conv2d_weight_grad_f32(xp, gpad, gw, gp, plane, r.lowerBound, r.upperBound)
            }
        }
        return true
    }
}
