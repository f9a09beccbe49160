import TorchBase

// `torch.einsum`, composed from views, sums and batched matrix products (so its gradient comes
// from those): each operand's repeated subscripts become a diagonal, subscripts no other operand
// and not the output use are summed away, and the operands are contracted pairwise, each pair
// as one `matmul` over [batch, m, k] x [batch, k, n]; with three or more operands the pair whose
// result is smallest goes first (greedy, as opt_einsum's default).

/// A subscript: its Unicode scalar's value (a letter), `ellipsis` for "..." while parsing, and
/// from `ellipsisBase` on the dimensions "..." stands for. Integers, not `Character`s: comparing
/// and hashing grapheme clusters cost more than the rest of a small einsum.
private typealias Label = Int
private let ellipsis: Label = -1
private let ellipsisBase: Label = 0x11_0000

/// A subscript as the equation spells it, for messages.
private func spelled(_ c: Label) -> String {
    c >= ellipsisBase ? "..." : UnicodeScalar(UInt32(c)).map { String(Character($0)) } ?? "?"
}

/// Whether `c` is a letter subscript ([a-zA-Z]).
private func isLetter(_ c: Label) -> Bool { (65...90).contains(c) || (97...122).contains(c) }

/// One operand during contraction: a tensor and the subscript of each of its dimensions.
private struct Term {
    var tensor: Tensor
    var labels: [Label]
}

extension Tensor {
    /// Sums of products over the subscripts of `equation` (`torch.einsum`): `"ij,jk->ik"` is a
    /// matrix product, `"bhqd,bhkd->bhqk"` attention scores, `"ii->i"` a diagonal, `"...ij->...ji"`
    /// a batched transpose. Without `->` the output takes the subscripts used once, sorted.
    ///
    /// ```swift
    /// let scores = Tensor.einsum("bhqd,bhkd->bhqk", q, k)
    /// ```
    public static func einsum(
        _ equation: String, _ operands: Tensor..., file: StaticString = #fileID, line: UInt = #line
    )
        -> Tensor
    {
        einsum(equation, operands, file: file, line: line)
    }

    /// `einsum` with the operands in an array.
    ///
    /// ```swift
    /// let y = Tensor.einsum("ij,jk,kl->il", [a, b, c])
    /// ```
    public static func einsum(
        _ equation: String, _ operands: [Tensor], file: StaticString = #fileID, line: UInt = #line
    )
        -> Tensor
    {
        func fail(_ message: String) -> Never { torchFail("einsum", "einsum(): \(message)", file: file, line: line) }
        // "..." becomes one label, "->" splits the sides.
        var chars: [Label] = []
        let raw = equation.unicodeScalars.filter { !$0.properties.isWhitespace }.map { Label($0.value) }
        let (dot, dash, more, comma) = (Label(46), Label(45), Label(62), Label(44))
        var i = 0
        var arrow: Int? = nil
        while i < raw.count {
            if i + 2 < raw.count && raw[i] == dot && raw[i + 1] == dot && raw[i + 2] == dot {
                chars.append(ellipsis)
                i += 3
            } else if i + 1 < raw.count && raw[i] == dash && raw[i + 1] == more {
                if arrow != nil { fail("more than one '->' in the equation") }
                arrow = chars.count
                i += 2
            } else {
                chars.append(raw[i])
                i += 1
            }
        }
        let lhs = arrow.map { Array(chars[..<$0]) } ?? chars
        let parts: [[Label]] = arrow.map { [lhs, Array(chars[$0...])] } ?? [lhs]
        let inputs = lhs.split(separator: comma, omittingEmptySubsequences: false).map(Array.init)
        if inputs.count != operands.count {
            fail("more operands were provided than specified in the equation")
        }
        // Ellipsis: the broadcast dimensions, named by private characters.
        let ellipsisRank =
            zip(inputs, operands).map { s, t in s.contains(ellipsis) ? t.rank - (s.count - 1) : 0 }.max()
            ?? 0
        let ellipsisLabels = (0..<Swift.max(ellipsisRank, 0)).map { ellipsisBase + $0 }
        var terms: [Term] = []
        for (k, (spec, t)) in zip(inputs, operands).enumerated() {
            var labels: [Label] = []
            if let at = spec.firstIndex(of: ellipsis) {
                let before = Array(spec[..<at]), after = Array(spec[(at + 1)...])
                let n = t.rank - before.count - after.count
                if n < 0 {
                    fail(
                        "the number of subscripts in the equation (\(spec.count - 1)) is more than the number of "
                            + "dimensions (\(t.rank)) for operand \(k)")
                }
                labels = before + Array(ellipsisLabels.suffix(n)) + after
            } else {
                labels = spec
                if labels.count != t.rank {
                    fail(
                        "the number of subscripts in the equation (\(labels.count)) does not match the number of "
                            + "dimensions (\(t.rank)) for operand \(k) and no ellipsis was given")
                }
            }
            for c in labels where !isLetter(c) && !ellipsisLabels.contains(c) {
                fail("invalid subscript \(spelled(c)) in the equation string, subscripts must be in [a-zA-Z]")
            }
            terms.append(Term(tensor: t, labels: labels))
        }
        // The output's subscripts.
        var output: [Label]
        if parts.count == 2 {
            // Without "..." in the output the ellipsis dimensions are summed.
            output = parts[1].flatMap { $0 == ellipsis ? ellipsisLabels : [$0] }
            for c in output where !terms.contains(where: { $0.labels.contains(c) }) {
                fail("output subscript \(spelled(c)) does not appear in the equation for any input operand")
            }
        } else {
            var counts: [Label: Int] = [:]
            for t in terms { for c in t.labels { counts[c, default: 0] += 1 } }
            output = ellipsisLabels + counts.keys.filter { counts[$0] == 1 && !ellipsisLabels.contains($0) }.sorted()
        }
        // Every size of one subscript must agree (or broadcast from 1).
        var sizes: [Label: Int] = [:]
        for (k, t) in terms.enumerated() {
            for (d, c) in t.labels.enumerated() {
                let s = t.tensor.shape[d]
                if let known = sizes[c], known != s, known != 1, s != 1 {
                    fail(
                        "operands do not broadcast with remapped shapes (original->remapped): subscript \(spelled(c)) has size "
                            + "\(s) for operand \(k) which does not broadcast with previously seen size \(known)")
                }
                sizes[c] = Swift.max(sizes[c] ?? s, s == 1 ? (sizes[c] ?? 1) : s)
            }
        }
        // Diagonals for repeated subscripts within an operand.
        terms = terms.map { takeDiagonals($0) }
        // Sum away subscripts only this operand has (and the output lacks).
        func reduceLonely(_ i: Int) {
            let others = terms.enumerated().filter { $0.offset != i }.flatMap { $0.element.labels }
            let lonely = terms[i].labels.enumerated().filter {
                !output.contains($0.element) && !others.contains($0.element)
            }
            if lonely.isEmpty { return }
            let dims = lonely.map { $0.offset }
            terms[i].tensor = terms[i].tensor.sum(dims: dims)
            terms[i].labels = terms[i].labels.enumerated().filter { !dims.contains($0.offset) }.map { $0.element }
        }
        for i in terms.indices { reduceLonely(i) }
        // Contract pairs until one term remains: the pair with the smallest result first.
        while terms.count > 1 {
            var best = (0, 1), bestSize = Int.max
            for i in 0..<terms.count {
                for j in (i + 1)..<terms.count {
                    let keep = pairResultLabels(terms, i, j, output)
                    let size = keep.reduce(1) { $0 * (sizes[$1] ?? 1) }
                    if size < bestSize { (best, bestSize) = ((i, j), size) }
                }
            }
            let keep = pairResultLabels(terms, best.0, best.1, output)
            let merged = contract(terms[best.0], terms[best.1], keep: keep)
            terms.remove(at: best.1)
            terms[best.0] = merged
        }
        var result = terms[0]
        // Subscripts left that the output lacks (one operand's, e.g. "ij->") are summed.
        let extra = result.labels.enumerated().filter { !output.contains($0.element) }.map { $0.offset }
        if !extra.isEmpty {
            result.tensor = result.tensor.sum(dims: extra)
            result.labels = result.labels.enumerated().filter { !extra.contains($0.offset) }.map { $0.element }
        }
        // Broadcast size-1 dimensions to the subscript's size, then order as the output.
        let order = output.map { c in result.labels.firstIndex(of: c)! }
        var out = order == Array(order.indices) ? result.tensor : result.tensor.permute(order)
        let target = output.map { sizes[$0] ?? 1 }
        if out.shape != target { out = out.expand(target) }
        return out
    }

    /// The subscripts a pair's product keeps: those the output or another operand still needs.
    private static func pairResultLabels(_ terms: [Term], _ i: Int, _ j: Int, _ output: [Label]) -> [Label] {
        let others = terms.enumerated().filter { $0.offset != i && $0.offset != j }.flatMap { $0.element.labels }
        var keep: [Label] = []
        for c in terms[i].labels + terms[j].labels where !keep.contains(c) {
            if output.contains(c) || others.contains(c) { keep.append(c) }
        }
        return keep
    }

    /// A term with each repeated subscript replaced by the diagonal of its dimensions.
    private static func takeDiagonals(_ term: Term) -> Term {
        var t = term
        while let (i, j) = repeatedPair(t.labels) {
            // diagonal(dim1: i, dim2: j) drops both and appends the diagonal last.
            t.tensor = t.tensor.diagonal(offset: 0, dim1: i, dim2: j)
            let c = t.labels[i]
            t.labels = t.labels.enumerated().filter { $0.offset != i && $0.offset != j }.map { $0.element } + [c]
        }
        return t
    }

    private static func repeatedPair(_ labels: [Label]) -> (Int, Int)? {
        for i in 0..<labels.count {
            for j in (i + 1)..<labels.count where labels[i] == labels[j] { return (i, j) }
        }
        return nil
    }

    /// The product of two terms summed over their shared subscripts that `keep` lacks, as one
    /// batched matmul: batch = shared and kept, m = only a's, n = only b's, k = summed.
    private static func contract(_ a: Term, _ b: Term, keep: [Label]) -> Term {
        let shared = a.labels.filter { b.labels.contains($0) }
        let batch = shared.filter { keep.contains($0) }
        let summed = shared.filter { !keep.contains($0) }
        let onlyA = a.labels.filter { !b.labels.contains($0) }
        let onlyB = b.labels.filter { !a.labels.contains($0) }
        func size(_ t: Term, _ c: Label) -> Int { t.tensor.shape[t.labels.firstIndex(of: c)!] }
        // Views only where they change something: each costs a tensor, and this runs per call.
        func arrange(_ t: Term, _ groups: [[Label]], to shape: [Int]) -> Tensor {
            let order = groups.flatMap { $0 }.map { t.labels.firstIndex(of: $0)! }
            let p = order == Array(order.indices) ? t.tensor : t.tensor.permute(order)
            return p.shape == shape ? p : p.expand(shape)
        }
        // Batch sizes broadcast between the operands (a size-1 dimension against a larger one).
        let batchSizes = batch.map { Swift.max(size(a, $0), size(b, $0)) }
        let am = arrange(
            a, [batch, onlyA, summed], to: batchSizes + onlyA.map { size(a, $0) } + summed.map { size(a, $0) })
        let bm = arrange(
            b, [batch, summed, onlyB], to: batchSizes + summed.map { size(b, $0) } + onlyB.map { size(b, $0) })
        let nb = batchSizes.reduce(1, *)
        let m = onlyA.map { size(a, $0) }.reduce(1, *), n = onlyB.map { size(b, $0) }.reduce(1, *)
        let ka = summed.map { size(a, $0) }.reduce(1, *), kb = summed.map { size(b, $0) }.reduce(1, *)
        // No batch: a plain matrix product (one product split across threads, not a batch of one).
        func shaped(_ t: Tensor, _ s: [Int]) -> Tensor { t.shape == s ? t : t.reshape(s) }
        var left = shaped(am, nb == 1 && batch.isEmpty ? [m, ka] : [nb, m, ka])
        var right = shaped(bm, nb == 1 && batch.isEmpty ? [kb, n] : [nb, kb, n])
        // A summed subscript of size 1 on one side broadcasts: sum the other side first.
        if ka != kb {
            if ka == 1 {
                right = right.sum(dims: [right.rank - 2], keepdim: true)
            } else {
                left = left.sum(dims: [left.rank - 1], keepdim: true)
            }
        }
        let product = left.matmul(right)
        let shape = batchSizes + onlyA.map { size(a, $0) } + onlyB.map { size(b, $0) }
        return Term(tensor: shaped(product, shape), labels: batch + onlyA + onlyB)
    }
}
