import TorchBase
import Synchronization
import RealModule

/// A seedable, counter-based random number generator (Philox4x32-10, as PyTorch uses on CUDA).
/// Each draw reserves a block of counters under a lock and then fills the tensor from them, so
/// the numbers depend only on the seed and the sequence of calls, never on thread timing.
///
/// ```swift
/// let g = Generator(seed: 42)
/// let x = Tensor.rand([3], generator: g)
/// ```
public final class Generator: @unchecked Sendable {
    /// The generator factories use unless given one (`torch.default_generator`); `Torch.manualSeed` seeds it.
    public static let `default` = Generator(seed: 67_280_421_310_721)

    private struct State { var seed: UInt64; var offset: UInt64 }
    private let state: Mutex<State>

    /// A generator of its own, seeded. `let g = Generator(seed: 42); Tensor.rand([3], generator: g)`
    public init(seed: UInt64) { state = Mutex(State(seed: seed, offset: 0)) }

    /// Restarts the stream from `seed` (`Generator.manual_seed`). `g.manualSeed(0)`
    public func manualSeed(_ seed: UInt64) { state.withLock { $0 = State(seed: seed, offset: 0) } }

    /// The seed the stream started from (`Generator.initial_seed`).
    public var initialSeed: UInt64 { state.withLock { $0.seed } }

    /// The generator's state as (seed, offset) so that it can be saved and restored.
    public var stateWords: (seed: UInt64, offset: UInt64) {
        get { state.withLock { ($0.seed, $0.offset) } }
        set { state.withLock { $0 = State(seed: newValue.seed, offset: newValue.offset) } }
    }

    /// The generator's state as a uint8 tensor of 16 bytes (seed and offset, little-endian), as
    /// PyTorch's `get_state()` returns a byte tensor.
    public func getState() -> Tensor {
        let (seed, offset) = stateWords
        var bytes: [UInt8] = []
        for v in [seed, offset] { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
        return Tensor(shape: [16], scalars: bytes.map { Int64($0) }, dtype: .uint8)
    }

    /// Restores a state from `getState()`; anything else is refused.
    public func setState(_ state: Tensor) throws {
        guard state.dtype == .uint8 && state.shape == [16] else {
            throw TorchError("generator state must be a uint8 tensor of shape [16], got \(state.dtype) \(state.shape)")
        }
        let b = state.toArray(Int64.self).map { UInt64($0) }
        var seed: UInt64 = 0, offset: UInt64 = 0
        for i in 0..<8 { seed |= b[i] << (8 * UInt64(i)); offset |= b[8 + i] << (8 * UInt64(i)) }
        stateWords = (seed, offset)
    }

    /// Reserves `blocks` Philox blocks (4 × UInt32 each) and returns (key, first counter).
    func reserve(_ blocks: Int) -> (UInt64, UInt64) {
        state.withLock { s in
            let start = s.offset
            s.offset &+= UInt64(blocks)
            return (s.seed, start)
        }
    }

    @inline(__always) static func philox(_ counter: UInt64, _ key: UInt64) -> SIMD4<UInt32> {
        var c0 = UInt32(truncatingIfNeeded: counter), c1 = UInt32(truncatingIfNeeded: counter >> 32)
        var c2: UInt32 = 0, c3: UInt32 = 0
        var k0 = UInt32(truncatingIfNeeded: key), k1 = UInt32(truncatingIfNeeded: key >> 32)
        for _ in 0..<10 {
            let p0 = UInt64(0xD251_1F53) &* UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            let n0 = UInt32(truncatingIfNeeded: p1 >> 32) ^ c1 ^ k0
            let n2 = UInt32(truncatingIfNeeded: p0 >> 32) ^ c3 ^ k1
            c1 = UInt32(truncatingIfNeeded: p1)
            c3 = UInt32(truncatingIfNeeded: p0)
            c0 = n0
            c2 = n2
            k0 &+= 0x9E37_79B9
            k1 &+= 0xBB67_AE85
        }
        return SIMD4(c0, c1, c2, c3)
    }

    /// `n` raw 32-bit words, filled in parallel from the reserved counters.
    func words(_ n: Int) -> [UInt32] {
        let blocks = (n + 3) / 4
        let (key, start) = reserve(blocks)
        var out = [UInt32](repeating: 0, count: blocks * 4)
        out.withUnsafeMutableBufferPointer { buf in
            let p = buf.baseAddress!
            Kernels.parallelFor(blocks, grain: 8192) { r in
                for b in r {
                    let w = Generator.philox(start &+ UInt64(b), key)
                    p[4 * b] = w[0]; p[4 * b + 1] = w[1]; p[4 * b + 2] = w[2]; p[4 * b + 3] = w[3]
                }
            }
        }
        return out
    }

    /// `n` uniform doubles in [0, 1) with 53 random bits each.
    func uniformDoubles(_ n: Int) -> [Double] {
        let w = words(2 * n)
        return (0..<n).map { i in
            let bits = (UInt64(w[2 * i]) << 21) ^ UInt64(w[2 * i + 1] >> 11)
            return Double(bits & ((1 << 53) - 1)) * 0x1p-53
        }
    }

    /// `n` uniform floats in [0, 1) with 24 random bits each.
    func uniformFloats(_ n: Int) -> [Float] {
        words(n).map { Float($0 >> 8) * 0x1p-24 }
    }

    /// `n` standard normal doubles (Box-Muller).
    func normals(_ n: Int) -> [Double] {
        let u = uniformDoubles(2 * ((n + 1) / 2))
        var out = [Double](repeating: 0, count: n)
        var i = 0
        while i < n {
            let u1 = 1 - u[i], u2 = u[i + 1]
            let r = (-2 * Double.log(u1)).squareRoot()
            let t = 2 * Double.pi * u2
            out[i] = r * Double.cos(t)
            if i + 1 < n { out[i + 1] = r * Double.sin(t) }
            i += 2
        }
        return out
    }

    /// Fills `out[0..<n]` with the numbers `normals(n)` gives, in parallel and without
    /// intermediate arrays: pair b takes Philox block start + b.
    func fillNormals(_ out: UnsafeMutablePointer<Double>, _ n: Int) {
        let pairs = (n + 1) / 2
        let (key, start) = reserve(pairs)
        Kernels.parallelFor(pairs, grain: 4096) { r in
            for b in r {
                let w = Generator.philox(start &+ UInt64(b), key)
                let bits1 = (UInt64(w[0]) << 21) ^ UInt64(w[1] >> 11)
                let bits2 = (UInt64(w[2]) << 21) ^ UInt64(w[3] >> 11)
                let u1 = 1 - Double(bits1 & ((1 << 53) - 1)) * 0x1p-53
                let u2 = Double(bits2 & ((1 << 53) - 1)) * 0x1p-53
                let radius = (-2 * Double.log(u1)).squareRoot()
                let theta = 2 * Double.pi * u2
                out[2 * b] = radius * Double.cos(theta)
                if 2 * b + 1 < n { out[2 * b + 1] = radius * Double.sin(theta) }
            }
        }
    }

    /// A uniform integer in `0..<bound` for each of `n` draws (64-bit words, negligible bias).
    func integers(_ n: Int, below bound: UInt64) -> [UInt64] {
        let w = words(2 * n)
        return (0..<n).map { i in ((UInt64(w[2 * i]) << 32) | UInt64(w[2 * i + 1])) % bound }
    }
}
