import TorchBase
import _CTorch

/// CPU random-number kernels core's generators call through the router.
package enum CPURandom {
    /// Writes `n` float32 standard normals from Philox blocks `start`, `start + 1`, … (four per
    /// block), the blocks split across threads (`ctorch_normal_f32`, vectorised Box-Muller).
    package static func normalFloat32(_ out: UnsafeMutablePointer<Float>, _ n: Int, key: UInt64, start: UInt64) {
        let blocks = (n + 3) / 4
        Parallel.forRange(blocks, grain: 8192) { r in
            let first = r.lowerBound * 4
            let count = Swift.min(n, r.upperBound * 4) - first
            ctorch_normal_f32(key, start &+ UInt64(r.lowerBound), out + first, count)
        }
    }
}
