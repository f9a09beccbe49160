import TorchBase

extension Tensor {
    /// Uniform samples in [0, 1).
    ///
    /// ```swift
    /// Torch.manualSeed(0)
    /// let x = Tensor.rand([2, 3])
    /// ```
    public static func rand(_ shape: [Int], dtype: DType? = nil, device: Device = .cpu, generator: Generator = .default)
        -> Tensor
    {
        let dt = dtype ?? Torch.defaultDType
        if dt.isComplex {
            // Both parts uniform in [0, 1), as PyTorch's complex rand.
            return rand(shape + [2], dtype: dt.realPart, device: device, generator: generator).viewAsComplex()
        }
        let n = shape.product
        if Kernels.supports(.philox, dt, on: device) {
            return philoxOnDevice(dt == .float64 ? 1 : 0, shape, dt, device, generator)
        }
        if dt == .float64 {
            return Tensor(flat: generator.uniformDoubles(n), shape: shape, dtype: dt).to(device: device)
        }
        return Tensor(flat: generator.uniformFloats(n), shape: shape, dtype: dt).to(device: device)
    }

    /// Standard normal samples.
    public static func randn(
        _ shape: [Int], dtype: DType? = nil, device: Device = .cpu, generator: Generator = .default
    ) -> Tensor {
        if let dt = dtype, dt.isComplex {
            // Unit variance in all: each part normal with variance 1/2, as PyTorch's complex randn.
            let parts = randn(shape + [2], dtype: dt.realPart, device: device, generator: generator)
            return (parts * 0.5.squareRoot()).viewAsComplex()
        }
        if Kernels.supports(.philox, dtype ?? Torch.defaultDType, on: device) {
            return philoxOnDevice(2, shape, dtype ?? Torch.defaultDType, device, generator)
        }
        let dt = dtype ?? Torch.defaultDType
        if dt == .float32 || dt == .float64 {
            let t = Tensor(uninitialized: shape, dtype: dt)
            let n = shape.product
            if dt == .float32 {
                // Note [float32 normals]: computed in float32 from 24-bit uniforms, four per Philox
                // block (as PyTorch's CPU normal_ works in float); the generator advances by the
                // (n + 1) / 2 blocks a double stream would use, as on every device.
                let (key, start) = generator.reserve((n + 1) / 2)
                Kernels.normalFloat32(t.storage.data.assumingMemoryBound(to: Float.self), n, key: key, start: start)
            } else {
                generator.fillNormals(t.storage.data.assumingMemoryBound(to: Double.self), n)
            }
            return t.to(device: device)
        }
        return Tensor(flat: generator.normals(shape.product), shape: shape, dtype: dt).to(device: device)
    }

    /// Uniform integers in `low..<high` (int64 by default).
    public static func randint(
        _ low: Int, _ high: Int, _ shape: [Int], dtype: DType = .int64, generator: Generator = .default,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if high <= low {
            torchFail(
                "randint", "random_ expects 'from' to be less than 'to', but got from=\(low) >= to=\(high)", file: file,
                line: line)
        }
        let span = UInt64(high - low)
        let v = generator.integers(shape.product, below: span).map { Int64(low) + Int64($0) }
        return Tensor(flat: v, shape: shape, dtype: dtype)
    }

    /// A random permutation of `0..<n`.
    public static func randperm(_ n: Int, dtype: DType = .int64, generator: Generator = .default) -> Tensor {
        var p = (0..<n).map { Int64($0) }
        let r = generator.integers(n, below: UInt64.max)
        if n > 1 {
            for i in Swift.stride(from: n - 1, to: 0, by: -1) {
                let j = Int(r[i] % UInt64(i + 1))
                p.swapAt(i, j)
            }
        }
        return Tensor(flat: p, shape: [n], dtype: dtype)
    }

    /// Normal samples with the given mean and standard deviation.
    public static func normal(
        mean: Double = 0, std: Double = 1, _ shape: [Int], dtype: DType? = nil,
        generator: Generator = .default
    ) -> Tensor {
        let v = generator.normals(shape.product).map { mean + std * $0 }
        return Tensor(flat: v, shape: shape, dtype: dtype ?? Torch.defaultDType)
    }

    /// Normal samples with element-wise mean and std tensors (broadcast together).
    public static func normal(mean: Tensor, std: Tensor, generator: Generator = .default) -> Tensor {
        let shape = Checks.broadcastShapes(mean.shape, std.shape).unwrap("normal", file: #fileID, line: #line)
        let dt = promoteTypes(mean.dtype, std.dtype)
        return mean + std * randn(shape, dtype: dt.isFloatingPoint ? dt : Torch.defaultDType, generator: generator)
    }

    /// 1 with probability `self[i]`, else 0 (self holds probabilities in [0, 1]).
    public func bernoulli(generator: Generator = .default, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let p = to(.float64).toArray(Double.self)
        if p.contains(where: { !($0 >= 0 && $0 <= 1) }) {
            torchFail("bernoulli", "Expected p_in >= 0 && p_in <= 1 to be true", file: file, line: line)
        }
        let u = generator.uniformDoubles(p.count)
        let v = zip(u, p).map { $0 < $1 ? 1.0 : 0.0 }
        return Tensor(flat: v, shape: shape, dtype: dtype.isFloatingPoint ? dtype : Torch.defaultDType)
    }

    /// Bernoulli samples of `shape` with a single probability `p`.
    public static func bernoulli(_ shape: [Int], p: Double, dtype: DType? = nil, generator: Generator = .default)
        -> Tensor
    {
        let v = generator.uniformDoubles(shape.product).map { $0 < p ? 1.0 : 0.0 }
        return Tensor(flat: v, shape: shape, dtype: dtype ?? Torch.defaultDType)
    }

    /// Draws `numSamples` category indices per row of the (unnormalised) weights in self (1-D or 2-D).
    public func multinomial(
        _ numSamples: Int, replacement: Bool = false, generator: Generator = .default,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if rank != 1 && rank != 2 {
            torchFail("multinomial", "prob_dist must be 1 or 2 dim, got \(rank)", file: file, line: line)
        }
        let rows = rank == 2 ? shape[0] : 1
        let k = shape[rank - 1]
        if !replacement && numSamples > k {
            torchFail(
                "multinomial", "cannot sample n_sample > prob_dist.size(-1) samples without replacement", file: file,
                line: line)
        }
        let w = to(.float64).toArray(Double.self)
        if w.contains(where: { $0 < 0 || !$0.isFinite }) {
            torchFail(
                "multinomial", "probability tensor contains either `inf`, `nan` or element < 0", file: file, line: line)
        }
        var out: [Int64] = []
        out.reserveCapacity(rows * numSamples)
        let u = generator.uniformDoubles(rows * numSamples)
        for r in 0..<rows {
            var weights = Array(w[(r * k)..<((r + 1) * k)])
            for s in 0..<numSamples {
                let total = weights.reduce(0, +)
                if total <= 0 {
                    torchFail(
                        "multinomial", "invalid multinomial distribution (sum of probabilities <= 0)", file: file,
                        line: line)
                }
                let target = u[r * numSamples + s] * total
                var acc = 0.0, pick = k - 1
                for i in 0..<k where weights[i] > 0 {
                    acc += weights[i]
                    if target < acc { pick = i; break }
                }
                out.append(Int64(pick))
                if !replacement { weights[pick] = 0 }
            }
        }
        return Tensor(flat: out, shape: rank == 2 ? [rows, numSamples] : [numSamples], dtype: .int64)
    }
}

extension Tensor {
    /// Random numbers generated on a device with its own Philox kernel from the same Philox stream the CPU path draws:
    /// the same seed gives the same tensor on either device (normals to within the last bit of
    /// the device's log/sin/cos).
    static func philoxOnDevice(_ kind: Int, _ shape: [Int], _ dtype: DType, _ device: Device, _ generator: Generator)
        -> Tensor
    {
        let n = shape.product
        // Reserve exactly the blocks the CPU path would, so the generator state advances alike.
        let blocks = kind == 0 ? (n + 3) / 4 : (n + 1) / 2
        let (key, start) = generator.reserve(blocks)
        let raw = Tensor(uninitialized: shape, dtype: kind == 0 ? .float32 : .float64, device: device)
        Kernels.philox(kind: kind, raw.operand, key: key, start: start, device)
        return raw.to(dtype)
    }
}
