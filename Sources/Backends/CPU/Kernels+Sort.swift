import TorchBase

// Sorting and selection of long rows. A row of at least `radixThreshold` elements is sorted by a
// stable LSD radix sort on order-preserving unsigned keys (11-bit digits; a digit every key
// shares is skipped), carrying 32-bit positions; shorter rows use the comparison sort in
// Kernels+Rows.swift. Selection (the values at given sorted positions, for median and quantile)
// is a three-way quickselect on a copy of the row with its NaNs moved to the end.

/// An element with an unsigned key whose order is the sort order PyTorch uses: NaN above every
/// number, -0.0 equal to 0.0.
protocol RadixKeyed: NativeScalar {
    associatedtype Key: FixedWidthInteger & UnsignedInteger
    var radixKey: Key { get }
}

extension Bool: RadixKeyed { var radixKey: UInt8 { self ? 1 : 0 } }
extension UInt8: RadixKeyed { var radixKey: UInt8 { self } }
extension Int8: RadixKeyed { var radixKey: UInt8 { UInt8(bitPattern: self) ^ 0x80 } }
extension Int16: RadixKeyed { var radixKey: UInt16 { UInt16(bitPattern: self) ^ 0x8000 } }
extension Int32: RadixKeyed { var radixKey: UInt32 { UInt32(bitPattern: self) ^ 0x8000_0000 } }
extension Int64: RadixKeyed { var radixKey: UInt64 { UInt64(bitPattern: self) ^ 0x8000_0000_0000_0000 } }
extension Float: RadixKeyed {
    var radixKey: UInt32 {
        if isNaN { return .max }
        let bits = self == 0 ? 0 : bitPattern
        return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
    }
}
extension Double: RadixKeyed {
    var radixKey: UInt64 {
        if isNaN { return .max }
        let bits = self == 0 ? 0 : bitPattern
        return bits & 0x8000_0000_0000_0000 != 0 ? ~bits : bits | 0x8000_0000_0000_0000
    }
}

extension CPUKernels {
    /// Rows at least this long are radix sorted.
    static let radixThreshold = 1024

    /// Stable radix sort of one row `p[0..<n]`: sorted values into `values`, positions into `indices`.
    static func radixSortRow<T: RadixKeyed>(
        _ p: UnsafePointer<T>, n: Int, descending: Bool, values: UnsafeMutablePointer<T>,
        indices: UnsafeMutablePointer<Int64>
    ) {
        typealias K = T.Key
        let bits = 11, buckets = 1 << bits
        let passes = (K.bitWidth + bits - 1) / bits
        let keys = UnsafeMutablePointer<K>.allocate(capacity: n * 2)
        let order = UnsafeMutablePointer<UInt32>.allocate(capacity: n * 2)
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: buckets * passes)
        defer {
            keys.deallocate()
            order.deallocate()
            counts.deallocate()
        }
        counts.initialize(repeating: 0, count: buckets * passes)
        let mask = K(truncatingIfNeeded: buckets - 1)
        for i in 0..<n {
            let k = descending ? ~p[i].radixKey : p[i].radixKey
            keys[i] = k
            order[i] = UInt32(truncatingIfNeeded: i)
            for pass in 0..<passes {
                counts[pass * buckets + Int((k >> K(pass * bits)) & mask)] += 1
            }
        }
        var (srcKeys, dstKeys) = (keys, keys + n)
        var (srcOrder, dstOrder) = (order, order + n)
        for pass in 0..<passes {
            let c = counts + pass * buckets
            // Every key has the same digit here: the pass would not move anything.
            if c[Int((srcKeys[0] >> K(pass * bits)) & mask)] == n { continue }
            var total = 0
            for b in 0..<buckets {
                let count = c[b]
                c[b] = total
                total += count
            }
            let shift = K(pass * bits)
            for i in 0..<n {
                let k = srcKeys[i]
                let b = Int((k >> shift) & mask)
                let to = c[b]
                c[b] = to + 1
                dstKeys[to] = k
                dstOrder[to] = srcOrder[i]
            }
            swap(&srcKeys, &dstKeys)
            swap(&srcOrder, &dstOrder)
        }
        for i in 0..<n {
            let j = Int(srcOrder[i])
            indices[i] = Int64(j)
            values[i] = p[j]
        }
    }

    /// Radix sorts each row of a contiguous [rows, n] `src` (specialized per element type).
    static func radixSortRows(
        src: KernelOperand, values: KernelOperand, indices: UnsafeMutablePointer<Int64>, rows: Int, n: Int,
        descending: Bool
    ) {
        func run<T: RadixKeyed>(_: T.Type) {
            let sp = src.pointer(T.self), vp = values.pointer(T.self)
            Parallel.forRange(rows, grain: 1) { r in
                for row in r {
                    radixSortRow(
                        sp + row * n, n: n, descending: descending, values: vp + row * n, indices: indices + row * n)
                }
            }
        }
        switch src.dtype {
        case .bool: run(Bool.self)
        case .uint8: run(UInt8.self)
        case .int8: run(Int8.self)
        case .int16: run(Int16.self)
        case .int32: run(Int32.self)
        case .int64: run(Int64.self)
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .float16, .bfloat16: preconditionFailure("CPU kernels: \(src.dtype) must be computed in float32")
        case .complex64, .complex128: preconditionFailure("CPU kernels: \(src.dtype) values have no order")
        }
    }

    /// For each row of a contiguous [rows, n] `src`, the values at the sorted positions
    /// `positions` (NaN sorting last), into a contiguous [rows, positions.count] `out`.
    public static func selectRows(src: KernelOperand, out: KernelOperand, rows: Int, n: Int, positions: [Int]) {
        src.dtype.dispatchNative(SelectVisitor(src: src, out: out, rows: rows, n: n, positions: positions))
    }

    struct SelectVisitor: KernelVisitor {
        let src: KernelOperand, out: KernelOperand, rows: Int, n: Int, positions: [Int]
        func visitNative<T: NativeScalar>(_: T.Type) {
            let sp = src.pointer(T.self), op = out.pointer(T.self)
            let n = self.n, positions = self.positions
            let wanted = positions.enumerated().sorted { $0.element < $1.element }
            Parallel.forRange(rows, grain: 1) { r in
                let buffer = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(n, 1))
                defer { buffer.deallocate() }
                for row in r {
                    // Long rows: a sample narrows each position to a small band first.
                    if n >= CPUKernels.sampledSelectMinimum {
                        var found = true
                        for (slot, position) in wanted where found {
                            if let v = CPUKernels.sampledSelect(sp + row * n, n, position, buffer) {
                                op[row * positions.count + slot] = v
                            } else {
                                found = false
                            }
                        }
                        if found { continue }
                    }
                    // NaNs to the end (they sort last), then select among the rest.
                    var valid = 0, nanAt = n
                    for i in 0..<n {
                        let x = sp[row * n + i]
                        if x.isNaNValue {
                            nanAt -= 1
                            buffer[nanAt] = x
                        } else {
                            buffer[valid] = x
                            valid += 1
                        }
                    }
                    var lower = 0
                    for (slot, position) in wanted {
                        if position >= valid {
                            op[row * positions.count + slot] = buffer[position]
                            continue
                        }
                        CPUKernels.quickselect(buffer, lower, valid, position)
                        op[row * positions.count + slot] = buffer[position]
                        lower = position
                    }
                }
            }
        }
    }

    /// Rows at least this long select through a sample (`sampledSelect`).
    static let sampledSelectMinimum = 1 << 16

    /// The value at sorted position `k` of `p[0..<n]` (NaN last) in about one pass (Floyd and
    /// Rivest's idea): a sorted stride sample gives two values that bracket position k with high
    /// probability; one pass counts the elements below the lower and copies those between the two
    /// into `scratch`, where quickselect finishes. Nil when the bracket missed (the caller then
    /// selects over the whole row).
    static func sampledSelect<T: NativeScalar>(
        _ p: UnsafePointer<T>, _ n: Int, _ k: Int, _ scratch: UnsafeMutablePointer<T>
    ) -> T? {
        let sampleSize = Swift.min(n, 16_384)
        var sample: [T] = []
        sample.reserveCapacity(sampleSize)
        for i in 0..<sampleSize {
            let x = p[i * n / sampleSize]
            if !x.isNaNValue { sample.append(x) }
        }
        if sample.isEmpty { return nil }
        sample.sort()
        // k's place in the sample, widened by a few standard deviations of where it may fall.
        let s = sample.count
        let at = Swift.min(s - 1, k * s / n)
        let delta = 4 * Int(Double(s).squareRoot()) + 8
        let lowIndex = at - delta, highIndex = at + delta
        let hasLow = lowIndex >= 0, hasHigh = highIndex < s
        let low = sample[Swift.max(lowIndex, 0)], high = sample[Swift.min(highIndex, s - 1)]
        var below = 0, count = 0
        // NaN compares false both ways: counted with the larger values, as it sorts last.
        for i in 0..<n {
            let x = p[i]
            if hasLow && x < low {
                below += 1
            } else if !hasHigh || x <= high {
                if hasHigh || !x.isNaNValue {
                    scratch[count] = x
                    count += 1
                }
            }
        }
        guard k >= below && k < below + count else { return nil }
        quickselect(scratch, 0, count, k - below)
        return scratch[k - below]
    }

    /// Rearranges `a[lo..<hi]` (no NaNs) so that `a[k]` holds the value sorted order puts there,
    /// smaller-or-equal values before it and larger-or-equal after (median-of-three quickselect
    /// with Sedgewick's partition: the pivot ends in its place, so every round shrinks the range).
    static func quickselect<T: NativeScalar>(_ a: UnsafeMutablePointer<T>, _ lo: Int, _ hi: Int, _ k: Int) {
        @inline(__always) func swapAt(_ i: Int, _ j: Int) {
            let t = a[i]
            a[i] = a[j]
            a[j] = t
        }
        var lo = lo, hi = hi
        while hi - lo > 16 {
            let mid = lo + (hi - lo) / 2, last = hi - 1
            if a[mid] < a[lo] { swapAt(mid, lo) }
            if a[last] < a[lo] { swapAt(last, lo) }
            if a[last] < a[mid] { swapAt(last, mid) }
            // a[lo] ≤ pivot ≤ a[last] stop both scans; the pivot waits at last - 1.
            swapAt(mid, last - 1)
            let pivot = a[last - 1]
            var i = lo, j = last - 1
            while true {
                repeat { i += 1 } while a[i] < pivot
                repeat { j -= 1 } while pivot < a[j]
                if i >= j { break }
                swapAt(i, j)
            }
            swapAt(i, last - 1)
            if k == i { return }
            if k < i { hi = i } else { lo = i + 1 }
        }
        // Insertion sort of the short rest.
        if hi - lo < 2 { return }
        for i in (lo + 1)..<hi {
            let v = a[i]
            var j = i
            while j > lo && v < a[j - 1] {
                a[j] = a[j - 1]
                j -= 1
            }
            a[j] = v
        }
    }
}
