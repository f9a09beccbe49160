import TorchBase

/// Printing in PyTorch's style, spelled for Swift:
///
/// ```swift
/// print(Tensor([[1.0, 2.5], [3.0, 4.0]], dtype: .float64))
/// // tensor([[1.0000, 2.5000],
/// //         [3.0000, 4.0000]], dtype: .float64)
/// ```
/// Tensors of more than 1000 elements are summarised with `...` (3 items at each edge).
extension Tensor: CustomStringConvertible, CustomDebugStringConvertible {
    static let summaryThreshold = 1000
    static let edgeItems = 3

    /// The tensor printed as PyTorch prints it: `tensor([[1., 2.], ...], dtype: .float64)`.
    public var description: String {
        let deviceSuffix = device.descriptionSuffix
        if !deviceSuffix.isEmpty { return String(cpu().description.dropLast()) + deviceSuffix + ")" }
        let summarise = count > Tensor.summaryThreshold
        let items: (Tensor) -> [String]
        if dtype.isComplex {
            // PyTorch formats the real and the imaginary parts each with its own format.
            let parts = viewAsReal().to(.float64)
            let re = parts.select(-1, 0), im = parts.select(-1, 1)
            let rf = Tensor.ElementFormat(re, dtype: .float64, summarise: summarise)
            let imf = Tensor.ElementFormat(im, dtype: .float64, summarise: summarise)
            items = { t in
                let p = t.viewAsReal().to(.float64).contiguous().toArray(Double.self)
                return Swift.stride(from: 0, to: p.count, by: 2).map { k in
                    let r = rf.string(p[k], int: 0)
                    let i = imf.string(p[k + 1], int: 0) + "j"
                    let sign = i.first == "-" || i.first == "+" ? "" : "+"
                    return String(repeating: " ", count: Swift.max(0, rf.width - r.count)) + r + sign + i
                }
            }
        } else {
            let values = dtype.isFloatingPoint ? to(.float64) : to(.int64)
            let format = Tensor.ElementFormat(values, dtype: dtype, summarise: summarise)
            items = { t in
                let v = t.dtype.isFloatingPoint ? t.to(.float64) : t.to(.int64)
                let vals = v.toArray(Double.self)
                let ints = v.dtype == .int64 ? v.toArray(Int64.self) : []
                return vals.indices.map { i in
                    let s = format.string(vals[i], int: ints.isEmpty ? 0 : ints[i])
                    return String(repeating: " ", count: Swift.max(0, format.width - s.count)) + s
                }
            }
        }
        let body =
            rank == 0
            ? items(self)[0].drop { $0 == " " }.description
            : Tensor.render(self, items: items, indent: 7, summarise: summarise)
        var suffix = ""
        if count == 0 && rank > 1 { suffix += ", size: \(shape)" }
        let defaultType = dtype.isComplex ? Torch.defaultDType.complexCounterpart : Torch.defaultDType
        if dtype != defaultType && dtype != .int64 && dtype != .bool { suffix += ", dtype: .\(dtype)" }
        return "tensor(\(body)\(suffix))"
    }

    /// Same as `description`.
    public var debugDescription: String { description }

    struct ElementFormat {
        var isInt = false, isBool = false, sci = false, integral = false
        var width = 1

        init(_ t: Tensor, dtype: DType, summarise: Bool) {
            isBool = dtype == .bool
            isInt = !dtype.isFloatingPoint
            let vals = Tensor.sampled(t, summarise: summarise)
            if isBool { width = vals.contains(1) ? (vals.contains(0) ? 5 : 4) : 5; return }
            if !isInt {
                let finite = vals.filter { $0.isFinite }
                integral = finite.allSatisfy { $0 == $0.rounded() }
                let nz = finite.map { Swift.abs($0) }.filter { $0 != 0 }
                if let mx = nz.max(), let mn = nz.min() {
                    sci = mx / mn > 1000 || mx > 1e8 || mn < 1e-4
                    if integral && mx <= 1e8 && !(mx / mn > 1000 && mx > 1e8) { sci = mx > 1e8 }
                }
            }
            width = vals.map { string($0, int: Int64(exactly: $0.rounded()) ?? 0).count }.max() ?? 1
        }

        func string(_ v: Double, int: Int64) -> String {
            if isBool { return v != 0 ? "True" : "False" }
            if isInt { return String(int) }
            if v.isNaN { return "nan" }
            if v.isInfinite { return v > 0 ? "inf" : "-inf" }
            if sci { return Tensor.scientific(v) }
            if integral { return String(Int64(v)) + "." }
            return Tensor.fixed(v, digits: 4)
        }
    }

    static func fixed(_ v: Double, digits: Int) -> String {
        let scale = Double(10_000)
        let r = (Swift.abs(v) * scale).rounded()
        let whole = Int64(r / scale), frac = Int64(r.truncatingRemainder(dividingBy: scale))
        let fs = String(frac)
        let sign = v < 0 && r != 0 ? "-" : ""
        return "\(sign)\(whole)." + String(repeating: "0", count: digits - fs.count) + fs
    }

    static func scientific(_ v: Double) -> String {
        if v == 0 { return "0.0000e+00" }
        var e = Int((Swift.abs(v)).log10Floor)
        var m = v / pow10(e)
        if Swift.abs((m * 10_000).rounded()) >= 100_000 { e += 1; m = v / pow10(e) }
        let es = e < 0 ? "-" + (Swift.abs(e) < 10 ? "0" : "") + String(-e) : "+" + (e < 10 ? "0" : "") + String(e)
        return fixed(m, digits: 4) + "e" + es
    }

    static func pow10(_ e: Int) -> Double {
        var r = 1.0
        for _ in 0..<Swift.abs(e) { r *= 10 }
        return e < 0 ? 1 / r : r
    }

    /// The values that will be printed (edges only when summarising).
    static func sampled(_ t: Tensor, summarise: Bool) -> [Double] {
        if !summarise || t.rank == 0 { return t.toArray(Double.self) }
        var parts: [Double] = []
        let n = t.shape[0]
        let idx = n > 2 * edgeItems ? Array(0..<edgeItems) + Array((n - edgeItems)..<n) : Array(0..<n)
        for i in idx { parts += sampled(t.select(0, i), summarise: true) }
        return parts
    }

    static func render(_ t: Tensor, items: (Tensor) -> [String], indent: Int, summarise: Bool) -> String {
        let n = t.shape[0]
        let idx: [Int?] =
            summarise && n > 2 * edgeItems ? Array(0..<edgeItems) + [nil] + Array((n - edgeItems)..<n) : Array(0..<n)
        if t.rank == 1 {
            if idx.count < n {
                // Only the edges are formatted.
                let head = items(t.narrow(0, start: 0, length: edgeItems))
                let tail = items(t.narrow(0, start: n - edgeItems, length: edgeItems))
                return "[" + (head + [" ..."] + tail).joined(separator: ", ") + "]"
            }
            return "[" + items(t).joined(separator: ", ") + "]"
        }
        let sep = "," + String(repeating: "\n", count: t.rank - 1) + String(repeating: " ", count: indent + 1)
        let rows = idx.map { i -> String in
            guard let i else { return "..." }
            return render(t.select(0, i), items: items, indent: indent + 1, summarise: summarise)
        }
        return "[" + rows.joined(separator: sep) + "]"
    }
}

extension Double {
    var log10Floor: Double {
        var e = 0.0, v = self
        while v >= 10 { v /= 10; e += 1 }
        while v < 1 { v *= 10; e -= 1 }
        return e
    }
}
