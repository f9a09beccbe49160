#if canImport(Glibc)
    import Glibc
#endif
import TorchBase

/// The events of one name (and input shapes, when grouped by them) added up.
public struct ProfileAverage: Sendable {
    /// The op, layer or span name.
    public let key: String
    /// Input shapes, when the averages are grouped by them.
    public let inputShapes: [[Int]]
    /// How many spans.
    public internal(set) var count = 0
    /// Time in these spans less their children's (nanoseconds).
    public internal(set) var selfTime: UInt64 = 0
    /// Time in these spans (nanoseconds); nested spans of the same name are counted once.
    public internal(set) var totalTime: UInt64 = 0
    /// Bytes allocated in these spans, children excluded.
    public internal(set) var selfBytes = 0
    /// Mean time per span (nanoseconds).
    public var averageTime: UInt64 { count == 0 ? 0 : totalTime / UInt64(count) }
}

/// The column `table` sorts by.
public enum ProfileSortKey: Sendable {
    case selfCPUTime, cpuTimeTotal, count, cpuMemoryUsage
}

extension ProfileResult {
    /// Events added up by name (PyTorch's `key_averages`), optionally by input shapes too.
    public func keyAverages(groupByInputShape: Bool = false) -> KeyAverages {
        let selfT = selfTimes
        var selfBytes = events.map(\.bytesAllocated)
        var stack: [Int] = []
        for (i, e) in events.enumerated() {
            while let top = stack.last, events[top].depth >= e.depth { stack.removeLast() }
            if let parent = stack.last { selfBytes[parent] -= e.bytesAllocated }
            stack.append(i)
        }
        var order: [String] = []
        var rows: [String: ProfileAverage] = [:]
        var openNames: [(depth: Int, key: String)] = []
        for (i, e) in events.enumerated() {
            let key = groupByInputShape ? "\(e.name) \(e.inputShapes)" : e.name
            if rows[key] == nil {
                order.append(key)
                rows[key] = ProfileAverage(key: e.name, inputShapes: groupByInputShape ? e.inputShapes : [])
            }
            while let last = openNames.last, last.depth >= e.depth { openNames.removeLast() }
            let nestedInSame = openNames.contains { $0.key == key }
            openNames.append((e.depth, key))
            rows[key]!.count += 1
            rows[key]!.selfTime += selfT[i]
            if !nestedInSame { rows[key]!.totalTime += e.duration }
            rows[key]!.selfBytes += selfBytes[i]
        }
        let total = zip(events, selfT).reduce(UInt64(0)) { $0 + $1.1 }
        return KeyAverages(rows: order.map { rows[$0]! }, selfTotal: total)
    }

    /// Writes the spans as a Chrome trace (JSON that chrome://tracing and Perfetto open).
    public func exportChromeTrace(_ path: String) throws {
        var out = "{\"traceEvents\": [\n"
        for (i, e) in events.enumerated() {
            var args: [String] = []
            if !e.inputShapes.isEmpty {
                args.append("\"Input Dims\": \(e.inputShapes)")
                args.append("\"Input type\": [\(e.inputDTypes.map { "\"\($0)\"" }.joined(separator: ", "))]")
            }
            if let s = e.sequenceNr { args.append("\"Sequence number\": \(s)") }
            if !e.file.isEmpty { args.append("\"Source\": \(jsonStringLiteral("\(e.file):\(e.line)"))") }
            if e.bytesAllocated != 0 { args.append("\"Bytes\": \(e.bytesAllocated)") }
            args.append("\"Device\": \"\(e.device)\"")
            let ts = Double(e.start) / 1000, dur = Double(e.duration) / 1000
            let category = e.isBackward ? "backward" : e.kind.rawValue
            out += "  {\"name\": \(jsonStringLiteral(e.name)), \"cat\": \"\(category)\", "
            out += "\"ph\": \"X\", \"ts\": \(ts), \"dur\": \(dur), \"pid\": \(getpid()), \"tid\": \(e.thread), "
            out += "\"args\": {\(args.joined(separator: ", "))}}"
            out += i == events.count - 1 ? "\n" : ",\n"
        }
        out += "], \"displayTimeUnit\": \"ms\"}\n"
        guard let f = fopen(path, "w") else {
            throw TorchError("exportChromeTrace: cannot open \(path) (errno \(errno))")
        }
        defer { fclose(f) }
        if fputs(out, f) < 0 { throw TorchError("exportChromeTrace: cannot write \(path)") }
    }
}

/// The rows of `keyAverages`, printable as PyTorch's table.
public struct KeyAverages: Sendable {
    /// One row per name (and shapes).
    public let rows: [ProfileAverage]
    /// The sum of all self times (nanoseconds): the profiled time.
    public let selfTotal: UInt64

    /// The rows as a table like PyTorch's `key_averages().table(...)`, sorted by `sortBy`, at
    /// most `rowLimit` rows (all when nil).
    public func table(sortBy: ProfileSortKey = .cpuTimeTotal, rowLimit: Int? = nil) -> String {
        let sorted = rows.sorted { a, b in
            switch sortBy {
            case .selfCPUTime: return a.selfTime > b.selfTime
            case .cpuTimeTotal: return a.totalTime > b.totalTime
            case .count: return a.count > b.count
            case .cpuMemoryUsage: return a.selfBytes > b.selfBytes
            }
        }
        let shown = rowLimit.map { Array(sorted.prefix($0)) } ?? sorted
        let withShapes = rows.contains { !$0.inputShapes.isEmpty }
        var header = [
            "Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg", "CPU Mem", "# of Calls",
        ]
        if withShapes { header.append("Input Shapes") }
        var table = [header]
        let total = Double(Swift.max(selfTotal, 1))
        for r in shown {
            var row = [
                r.key, percent(Double(r.selfTime) / total), time(r.selfTime), percent(Double(r.totalTime) / total),
                time(r.totalTime), time(r.averageTime), bytes(r.selfBytes), "\(r.count)",
            ]
            if withShapes { row.append("\(r.inputShapes)") }
            table.append(row)
        }
        var widths = [Int](repeating: 0, count: header.count)
        for r in table { for (i, c) in r.enumerated() { widths[i] = Swift.max(widths[i], c.count) } }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        func line(_ r: [String]) -> String {
            r.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return i == 0 ? c + pad : pad + c
            }.joined(separator: "  ")
        }
        var lines = [rule, line(table[0]), rule]
        for r in table.dropFirst() { lines.append(line(r)) }
        lines.append(rule)
        lines.append("Self CPU time total: \(time(selfTotal))")
        return lines.joined(separator: "\n")
    }

    private func percent(_ v: Double) -> String { "\(((v * 10_000).rounded() / 100))%" }

    private func time(_ ns: UInt64) -> String {
        let v = Double(ns)
        if v >= 1e9 { return "\((v / 1e7).rounded() / 100)s" }
        if v >= 1e6 { return "\((v / 1e4).rounded() / 100)ms" }
        return "\((v / 10).rounded() / 100)us"
    }

    private func bytes(_ b: Int) -> String {
        let v = Double(b)
        let mb: Double = 1_048_576, kb: Double = 1024
        if v.magnitude >= mb { return "\((v * 100 / mb).rounded() / 100) MB" }
        if v.magnitude >= kb { return "\((v * 100 / kb).rounded() / 100) KB" }
        return "\(b) B"
    }
}
