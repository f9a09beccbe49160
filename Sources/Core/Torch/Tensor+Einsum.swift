import TorchBase

// `torch.einsum`, composed from views, sums and batched matrix products (so its gradient comes
// from those): each operand's repeated subscripts become a diagonal, subscripts no other operand
// and not the output use are summed away, and the operands are contracted pairwise, each pair
// as one `matmul` over [batch, m, k] x [batch, k, n]; with three or more operands the pair whose
// result is smallest goes first (greedy, as opt_einsum's default).

/// The character standing for "..." while parsing.
private let ellipsis: Character = "\u{2026}"

/// One operand during contraction: a tensor and the subscript of each of its dimensions.
private struct Term {
    var tensor: Tensor
    var labels: [Character]
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
        // "..." becomes one character, "->" splits the sides.
        var chars: [Character] = []
        let raw = Array(equation.filter { !$0.isWhitespace })
        var i = 0
        var arrow: Int? = nil
        while i < raw.count {
            if i + 2 < raw.count && raw[i] == "." && raw[i + 1] == "." && raw[i + 2] == "." {
                chars.append(ellipsis)
                i += 3
            } else if i + 1 < raw.count && raw[i] == "-" && raw[i + 1] == ">" {
                if arrow != nil { fail("more than one '->' in the equation") }
                arrow = chars.count
                i += 2
            } else {
                chars.append(raw[i])
                i += 1
            }
        }
        let lhs = arrow.map { Array(chars[..<$0]) } ?? chars
        let parts: [[Character]] = arrow.map { [lhs, Array(chars[$0...])] } ?? [lhs]
        let inputs = lhs.split(separator: ",", omittingEmptySubsequences: false).map(Array.init)
        if inputs.count != operands.count {
            fail("more operands were provided than specified in the equation")
        }
        // Ellipsis: the broadcast dimensions, named by private characters.
        let ellipsisRank =
            zip(inputs, operands).map { s, t in s.contains(ellipsis) ? t.rank - (s.count - 1) : 0 }.max()
            ?? 0
        let ellipsisLabels = (0..<Swift.max(ellipsisRank, 0)).map { Character(UnicodeScalar(0xE000 + $0)!) }
        var terms: [Term] = []
        for (k, (spec, t)) in zip(inputs, operands).enumerated() {
            var labels: [Character] = []
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
            for c in labels where !(c.isLetter && c.isASCII) && !ellipsisLabels.contains(c) {
                fail("invalid subscript \(c) in the equation string, subscripts must be in [a-zA-Z]")
            }
            terms.append(Term(tensor: t, labels: labels))
        }
        // The output's subscripts.
        var output: [Character]
        if parts.count == 2 {
            // Without "..." in the output the ellipsis dimensions are summed.
            output = parts[1].flatMap { $0 == ellipsis ? ellipsisLabels : [$0] }
            for c in output where !terms.contains(where: { $0.labels.contains(c) }) {
                fail("output subscript \(c) does not appear in the equation for any input operand")
            }
        } else {
            var counts: [Character: Int] = [:]
            for t in terms { for c in t.labels { counts[c, default: 0] += 1 } }
            output = ellipsisLabels + counts.keys.filter { counts[$0] == 1 && !ellipsisLabels.contains($0) }.sorted()
        }
        // Every size of one subscript must agree (or broadcast from 1).
        var sizes: [Character: Int] = [:]
        for (k, t) in terms.enumerated() {
            for (d, c) in t.labels.enumerated() {
                let s = t.tensor.shape[d]
                if let known = sizes[c], known != s, known != 1, s != 1 {
                    fail(
                        "operands do not broadcast with remapped shapes (original->remapped): subscript \(c) has size "
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
        var out = order.isEmpty ? result.tensor : result.tensor.permute(order)
        let target = output.map { sizes[$0] ?? 1 }
        if out.shape != target { out = out.expand(target) }
        return out
    }

    /// The subscripts a pair's product keeps: those the output or another operand still needs.
    private static func pairResultLabels(_ terms: [Term], _ i: Int, _ j: Int, _ output: [Character]) -> [Character] {
        let others = terms.enumerated().filter { $0.offset != i && $0.offset != j }.flatMap { $0.element.labels }
        var keep: [Character] = []
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

    private static func repeatedPair(_ labels: [Character]) -> (Int, Int)? {
        for i in 0..<labels.count {
            for j in (i + 1)..<labels.count where labels[i] == labels[j] { return (i, j) }
        }
        return nil
    }

    /// The product of two terms summed over their shared subscripts that `keep` lacks, as one
    /// batched matmul: batch = shared and kept, m = only a's, n = only b's, k = summed.
    private static func contract(_ a: Term, _ b: Term, keep: [Character]) -> Term {
        let shared = a.labels.filter { b.labels.contains($0) }
        let batch = shared.filter { keep.contains($0) }
        let summed = shared.filter { !keep.contains($0) }
        let onlyA = a.labels.filter { !b.labels.contains($0) }
        let onlyB = b.labels.filter { !a.labels.contains($0) }
        func size(_ t: Term, _ c: Character) -> Int { t.tensor.shape[t.labels.firstIndex(of: c)!] }
        func arrange(_ t: Term, _ groups: [[Character]]) -> Tensor {
            let order = groups.flatMap { $0 }.map { t.labels.firstIndex(of: $0)! }
            return t.tensor.permute(order)
        }
        // Batch sizes broadcast between the operands (a size-1 dimension against a larger one).
        let batchSizes = batch.map { Swift.max(size(a, $0), size(b, $0)) }
        let am = arrange(a, [batch, onlyA, summed]).expand(
            batchSizes + onlyA.map { size(a, $0) } + summed.map { size(a, $0) })
        let bm = arrange(b, [batch, summed, onlyB]).expand(
            batchSizes + summed.map { size(b, $0) } + onlyB.map { size(b, $0) })
        let nb = batchSizes.reduce(1, *)
        let m = onlyA.map { size(a, $0) }.reduce(1, *), n = onlyB.map { size(b, $0) }.reduce(1, *)
        let k = summed.map { Swift.max(size(a, $0), size(b, $0)) }.reduce(1, *)
        let ka = summed.map { size(a, $0) }.reduce(1, *), kb = summed.map { size(b, $0) }.reduce(1, *)
        var left = am.reshape([nb, m, ka]), right = bm.reshape([nb, kb, n])
        // A summed subscript of size 1 on one side broadcasts: sum the other side first.
        if ka != kb {
            if ka == 1 {
                right = right.sum(dims: [1], keepdim: true)
            } else {
                left = left.sum(dims: [2], keepdim: true)
            }
        }
        _ = k
        let product = left.matmul(right)
        let shape = batchSizes + onlyA.map { size(a, $0) } + onlyB.map { size(b, $0) }
        return Term(tensor: product.reshape(shape), labels: batch + onlyA + onlyB)
    }
}
