import TorchBase

extension Tensor {
    /// This [N, C, H, W] tensor resampled to [N, C, outH, outW] by the direct separable kernel
    /// (`KernelFamily.resample2d`: float32 on the CPU, Note [Direct 2-D resampling]) when neither
    /// autograd nor the tracer is recording; nil otherwise, and the caller resamples one dim at a
    /// time. `taps(0)` / `taps(1)`: per output row / column its source rows / columns and their
    /// weights, the same count for each (asked for only when the kernel applies).
    package func directResample2d(
        outH: Int, outW: Int, taps: (_ dim: Int) -> (index: [Int], weight: [Float])
    ) -> Tensor? {
        guard !Tracing.isOn, rank == 4, Kernels.supports(.resample2d, dtype, on: device) else { return nil }
        guard !(GradMode.isEnabled && needsGradient) else { return nil }
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        guard outH > 0, outW > 0, n * c > 0, h > 0, w > 0 else { return nil }
        let rows = taps(0), cols = taps(1)
        guard rows.index.count % outH == 0, cols.index.count % outW == 0, rows.index.count > 0, cols.index.count > 0
        else { return nil }
        let plan = Resample2DTaps(
            planes: n * c, inH: h, inW: w, outH: outH, outW: outW, rowIndex: rows.index, rowWeights: rows.weight,
            colIndex: cols.index, colWeights: cols.weight)
        let x = contiguous()
        let out = Tensor(uninitialized: [n, c, outH, outW], dtype: dtype, device: device)
        Kernels.resample2d(out.operand, x.operand, plan, device)
        return out
    }
}
