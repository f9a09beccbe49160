#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Torch
import TorchBase

// `Codable` values across ranks (PyTorch's `broadcast_object_list` / `all_gather_object`): JSON
// bytes in a uint8 tensor, their lengths sent first.
extension Distributed {
    /// Rank `src`'s `value` on every rank (the others pass nil or anything).
    ///
    /// ```swift
    /// let config = try Torch.distributed.broadcastObject(rank == 0 ? settings : nil, src: 0)
    /// ```
    public static func broadcastObject<T: Codable>(
        _ value: T?, src: Int, group: ProcessGroup? = nil, file: StaticString = #fileID, line: UInt = #line
    ) throws -> T {
        let g = Distributed.group(group, "broadcastObject", file: file, line: line)
        var bytes: [UInt8] = []
        if g.rank == src {
            guard let value else {
                torchFail("broadcastObject", "the source rank \(src) must pass a value", file: file, line: line)
            }
            bytes = Array(try JSONEncoder().encode(value))
        }
        let length = Tensor([Int64(bytes.count)])
        try broadcast(length, src: src, group: g, file: file, line: line)
        let n = Int(length.toArray(Int64.self)[0])
        let payload = g.rank == src ? Tensor(bytes.map { UInt8($0) }) : Tensor.zeros([n], dtype: .uint8)
        try broadcast(payload, src: src, group: g, file: file, line: line)
        return try JSONDecoder().decode(T.self, from: Data(payload.toArray(UInt8.self)))
    }

    /// Every rank's `value`, in rank order.
    public static func allGatherObject<T: Codable>(
        _ value: T, group: ProcessGroup? = nil, file: StaticString = #fileID, line: UInt = #line
    ) throws -> [T] {
        let g = Distributed.group(group, "allGatherObject", file: file, line: line)
        let bytes = Array(try JSONEncoder().encode(value))
        let lengths = try allGather(Tensor([Int64(bytes.count)]), group: g, file: file, line: line)
            .map { Int($0.toArray(Int64.self)[0]) }
        let longest = lengths.max() ?? 0
        let padded = Tensor((bytes + [UInt8](repeating: 0, count: longest - bytes.count)).map { UInt8($0) })
        let all = try allGather(padded, group: g, file: file, line: line)
        return try zip(all, lengths).map { t, n in
            try JSONDecoder().decode(T.self, from: Data(t.toArray(UInt8.self).prefix(n)))
        }
    }
}
