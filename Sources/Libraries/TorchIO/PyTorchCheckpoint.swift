import Torch
import TorchBase

/// Reads and writes `torch.save` files (the zip format) the way `torch.load(weights_only=True)`
/// does: an interpreter of the pickle opcodes that knows only the globals needed to rebuild
/// tensors and containers. Any other global or opcode is refused with its name; nothing is ever
/// executed; storage offsets, sizes and strides are checked against the storage data first.
///
/// ```swift
/// let state = try PyTorchCheckpoint.load("model.pt")   // [String: PickleValue]
/// let weights = try PyTorchCheckpoint.loadStateDict("model.pt")   // [String: Tensor]
/// ```
public enum PyTorchCheckpoint {
    /// The largest total uncompressed size accepted (a zip bomb is refused).
    public static var maxUncompressed = 1 << 34

    /// The unpickled object of `data.pkl`.
    public static func load(_ path: String) throws -> PickleValue {
        try deserialize(AtomicFile.read(path), source: path)
    }

    /// A flat state dict: the tensors of a (nested) dictionary, with dotted keys for nesting.
    public static func loadStateDict(_ path: String) throws -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        func walk(_ v: PickleValue, _ prefix: String) {
            switch v {
            case .tensor(let t): out[prefix] = t
            case .dict(let d):
                for (k, x) in d.items { if case .string(let s) = k { walk(x, prefix.isEmpty ? s : prefix + "." + s) } }
            default: break
            }
        }
        walk(try load(path), "")
        return out
    }

    /// Parses the bytes of a `torch.save` file into its pickled value; `source` names them in errors.
    public static func deserialize(_ bytes: [UInt8], source: String) throws -> PickleValue {
        let members = try ZipArchive.members(bytes, source: source, maxUncompressed: maxUncompressed)
        guard let pkl = members.first(where: { $0.name.hasSuffix("/data.pkl") || $0.name == "data.pkl" }) else {
            throw SerializationError(source, "no data.pkl in the archive (not a torch.save zip file)")
        }
        let prefix = String(pkl.name.dropLast("data.pkl".count))
        var storages: [String: [UInt8]] = [:]
        for m in members where m.name.hasPrefix(prefix + "data/") {
            storages[String(m.name.dropFirst(prefix.count + 5))] = m.data
        }
        if let order = members.first(where: { $0.name == prefix + "byteorder" }),
            String(decoding: order.data, as: UTF8.self) != "little"
        {
            throw SerializationError(source, "big-endian checkpoints are not supported")
        }
        var vm = Unpickler(data: pkl.data, source: source, storages: storages)
        return try vm.run()
    }
}

/// A value rebuilt by the unpickler. Lists and dictionaries are references (pickle memoizes them).
public indirect enum PickleValue {
    case none, bool(Bool), int(Int), float(Double), string(String), bytes([UInt8])
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    case tensor(Tensor)
    case global(String, String)
    case storage(dtype: DType, key: String, numel: Int)
}

final class StorageBases { var tensors: [String: Tensor] = [:] }

/// A pickled list (a reference, since pickles may share it).
public final class PickleList { public var items: [PickleValue] = [] }
/// A pickled dictionary, in insertion order.
public final class PickleDict { public var items: [(PickleValue, PickleValue)] = [] }

struct Unpickler {
    let data: [UInt8]
    let source: String
    let storages: [String: [UInt8]]
    /// One tensor per storage key, so that tensors saved as views of one storage load as views
    /// of one storage again (as torch.load gives them).
    let bases = StorageBases()
    var pos = 0
    var stack: [PickleValue] = []
    var marks: [Int] = []
    var memo: [Int: PickleValue] = [:]

    init(data: [UInt8], source: String, storages: [String: [UInt8]]) {
        self.data = data; self.source = source; self.storages = storages
    }

    func fail(_ r: String) -> SerializationError { SerializationError(source, "data.pkl: " + r) }

    static let storageTypes: [String: DType] = [
        "FloatStorage": .float32, "DoubleStorage": .float64, "HalfStorage": .float16,
        "BFloat16Storage": .bfloat16, "LongStorage": .int64, "IntStorage": .int32,
        "ShortStorage": .int16, "CharStorage": .int8, "ByteStorage": .uint8, "BoolStorage": .bool,
        "ComplexFloatStorage": .complex64, "ComplexDoubleStorage": .complex128,
    ]
    static let allowed: Set<String> = [
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
        "builtins.set", "torch.Size",
    ]

    mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, pos + n <= data.count else { throw fail("truncated at byte \(pos)") }
        defer { pos += n }
        return data[pos..<(pos + n)]
    }
    mutating func byte() throws -> Int { Int(try take(1).first!) }
    mutating func le(_ n: Int) throws -> Int { try take(n).reversed().reduce(0) { $0 << 8 | Int($1) } }
    mutating func pop() throws -> PickleValue {
        guard let v = stack.popLast() else { throw fail("stack underflow at byte \(pos)") }
        return v
    }
    mutating func popMark() throws -> [PickleValue] {
        guard let m = marks.popLast(), m <= stack.count else { throw fail("MARK missing at byte \(pos)") }
        defer { stack.removeSubrange(m...) }
        return Array(stack[m...])
    }
    mutating func string(_ n: Int) throws -> String {
        guard let s = String(validating: try take(n), as: UTF8.self) else {
            throw fail("invalid UTF-8 string at byte \(pos)")
        }
        return s
    }
    mutating func line() throws -> String {
        guard let end = data[pos...].firstIndex(of: 10) else { throw fail("unterminated GLOBAL at byte \(pos)") }
        return try string(end - pos + 1).trimmingTrailingNewline
    }

    mutating func run() throws -> PickleValue {
        var steps = 0
        while true {
            steps += 1
            if steps > 50_000_000 { throw fail("too many opcodes") }
            let op = try byte()
            switch op {
            case 0x80: _ = try byte()  // PROTO
            case 0x95: _ = try take(8)  // FRAME
            case 0x2E: return try pop()  // STOP
            case 0x7D: stack.append(.dict(PickleDict()))  // EMPTY_DICT
            case 0x5D: stack.append(.list(PickleList()))  // EMPTY_LIST
            case 0x29: stack.append(.tuple([]))  // EMPTY_TUPLE
            case 0x28: marks.append(stack.count)  // MARK
            case 0x4E: stack.append(.none)  // NONE
            case 0x88: stack.append(.bool(true))
            case 0x89: stack.append(.bool(false))
            case 0x4B: stack.append(.int(try byte()))  // BININT1
            case 0x4D: stack.append(.int(try le(2)))  // BININT2
            case 0x4A: stack.append(.int(Int(Int32(truncatingIfNeeded: try le(4)))))  // BININT
            case 0x8A:  // LONG1
                let n = try byte()
                guard n <= 8 else { throw fail("integer of \(n) bytes is too large") }
                let bytes = Array(try take(n))
                var v: Int64 = 0
                for (i, b) in bytes.enumerated() { v |= Int64(b) << (8 * Int64(i)) }
                if n > 0 && n < 8 && bytes.last! & 0x80 != 0 { v -= Int64(1) << (8 * Int64(n)) }
                stack.append(.int(Int(v)))
            case 0x47:  // BINFLOAT (big-endian)
                let bits = try take(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                stack.append(.float(Double(bitPattern: bits)))
            case 0x8C: let n = try byte(); stack.append(.string(try string(n)))  // SHORT_BINUNICODE
            case 0x58: let n = try le(4); stack.append(.string(try string(n)))  // BINUNICODE
            case 0x8D: let n = try le(8); stack.append(.string(try string(n)))  // BINUNICODE8
            case 0x55: let n = try byte(); stack.append(.string(try string(n)))  // SHORT_BINSTRING
            case 0x54: let n = try le(4); stack.append(.string(try string(n)))  // BINSTRING
            case 0x43: let n = try byte(); stack.append(.bytes(Array(try take(n))))  // SHORT_BINBYTES
            case 0x42: let n = try le(4); stack.append(.bytes(Array(try take(n))))  // BINBYTES
            case 0x71: memo[try byte()] = stack.last  // BINPUT
            case 0x72: memo[try le(4)] = stack.last  // LONG_BINPUT
            case 0x94: memo[memo.count] = stack.last  // MEMOIZE
            case 0x68, 0x6A:  // BINGET, LONG_BINGET
                let k = op == 0x68 ? try byte() : try le(4)
                guard let v = memo[k] else { throw fail("memo key \(k) missing") }
                stack.append(v)
            case 0x74: stack.append(.tuple(try popMark()))  // TUPLE
            case 0x85: let a = try pop(); stack.append(.tuple([a]))
            case 0x86: let b = try pop(), a = try pop(); stack.append(.tuple([a, b]))
            case 0x87: let c = try pop(), b = try pop(), a = try pop(); stack.append(.tuple([a, b, c]))
            case 0x61:  // APPEND
                let v = try pop()
                guard case .list(let l)? = stack.last else { throw fail("APPEND to a non-list") }
                l.items.append(v)
            case 0x65:  // APPENDS
                let vs = try popMark()
                guard case .list(let l)? = stack.last else { throw fail("APPENDS to a non-list") }
                l.items += vs
            case 0x73:  // SETITEM
                let v = try pop(), k = try pop()
                guard case .dict(let d)? = stack.last else { throw fail("SETITEM on a non-dict") }
                d.items.append((k, v))
            case 0x75:  // SETITEMS
                let kv = try popMark()
                guard case .dict(let d)? = stack.last, kv.count % 2 == 0 else { throw fail("SETITEMS on a non-dict") }
                for i in Swift.stride(from: 0, to: kv.count, by: 2) { d.items.append((kv[i], kv[i + 1])) }
            case 0x63:  // GLOBAL
                let module = try line(), name = try line()
                stack.append(try global(module, name))
            case 0x93:  // STACK_GLOBAL
                guard case .string(let name) = try pop(), case .string(let module) = try pop() else {
                    throw fail("bad STACK_GLOBAL")
                }
                stack.append(try global(module, name))
            case 0x51:  // BINPERSID
                stack.append(try persistent(try pop()))
            case 0x52:  // REDUCE
                let args = try pop(), f = try pop()
                stack.append(try reduce(f, args))
            case 0x62:  // BUILD
                let state = try pop()
                guard let target = stack.last else { throw fail("BUILD on an empty stack") }
                // Empty states are accepted on anything; a dict (its attributes) only on a dict:
                // torch.save'd state dicts carry `_metadata` (module versions) this way. The state
                // is data only and is dropped: nothing is called or set.
                switch state {
                case .none: break
                case .dict(let d) where d.items.isEmpty: break
                case .tuple(let t) where t.isEmpty: break
                case .dict:
                    guard case .dict = target else {
                        throw fail("BUILD with a non-empty state is only allowed on a dict")
                    }
                default: throw fail("BUILD with a non-empty state is not allowed")
                }
            default:
                throw fail("opcode 0x\(String(op, radix: 16)) is not allowed")
            }
        }
    }

    func global(_ module: String, _ name: String) throws -> PickleValue {
        let full = module + "." + name
        if module == "torch", Unpickler.storageTypes[name] != nil { return .global(module, name) }
        guard Unpickler.allowed.contains(full) else {
            throw fail("global '\(full)' is not allowed (weights-only loading rebuilds tensors and containers only)")
        }
        return .global(module, name)
    }

    /// ('storage', torch.FloatStorage, key, location, numel)
    func persistent(_ pid: PickleValue) throws -> PickleValue {
        guard case .tuple(let t) = pid, t.count >= 5, case .string("storage") = t[0],
            case .global(_, let typeName) = t[1],
            let dtype = Unpickler.storageTypes[typeName], case .string(let key) = t[2], case .int(let numel) = t[4]
        else {
            throw fail("unsupported persistent id")
        }
        guard let bytes = storages[key] else { throw fail("storage '\(key)' is missing from the archive") }
        guard numel >= 0, numel.multipliedReportingOverflow(by: dtype.itemSize).partialValue == bytes.count,
            !numel.multipliedReportingOverflow(by: dtype.itemSize).overflow
        else {
            throw fail("storage '\(key)' holds \(bytes.count) bytes, not \(numel) elements of \(dtype)")
        }
        return .storage(dtype: dtype, key: key, numel: numel)
    }

    func ints(_ v: PickleValue) throws -> [Int] {
        guard case .tuple(let t) = v else { throw fail("expected a tuple of integers") }
        return try t.map { x in
            guard case .int(let i) = x else { throw fail("expected an integer") }; return i
        }
    }

    func reduce(_ f: PickleValue, _ args: PickleValue) throws -> PickleValue {
        guard case .global(let module, let name) = f, case .tuple(let a) = args else {
            throw fail("REDUCE of a non-global")
        }
        switch module + "." + name {
        case "collections.OrderedDict":
            return .dict(PickleDict())
        case "torch._utils._rebuild_tensor_v2":
            guard a.count >= 4, case .storage(let dtype, let key, let numel) = a[0], case .int(let offset) = a[1] else {
                throw fail("bad _rebuild_tensor_v2 arguments")
            }
            let size = try ints(a[2]), stride = try ints(a[3])
            guard size.count == stride.count, offset >= 0, size.allSatisfy({ $0 >= 0 }), stride.allSatisfy({ $0 >= 0 })
            else {
                throw fail("tensor from storage '\(key)': bad size \(size) / stride \(stride) / offset \(offset)")
            }
            var extent = offset
            var empty = false
            for (s, st) in zip(size, stride) {
                if s == 0 { empty = true }
                let (m, o1) = (s - 1).multipliedReportingOverflow(by: st)
                let (e, o2) = extent.addingReportingOverflow(Swift.max(m, 0))
                if o1 || o2 { throw fail("tensor from storage '\(key)': size/stride overflow") }
                extent = e
            }
            if !empty && extent >= numel {
                throw fail("tensor from storage '\(key)' reaches element \(extent), beyond the storage's \(numel)")
            }
            let base: Tensor
            if let cached = bases.tensors[key], cached.dtype == dtype {
                base = cached
            } else {
                base = Tensor(uninitialized: [numel], dtype: dtype)
                storages[key]!.withUnsafeBytes { src in
                    if src.count > 0 { base.storage.data.copyMemory(from: src.baseAddress!, byteCount: src.count) }
                }
                bases.tensors[key] = base
            }
            let t = empty ? Tensor.zeros(size, dtype: dtype) : base.asStrided(size, stride, storageOffset: offset)
            if a.count >= 5, case .bool(true) = a[4], dtype.isFloatingPoint { t.requiresGrad = true }
            return .tensor(t)
        case "torch._utils._rebuild_parameter":
            guard let first = a.first, case .tensor = first else { throw fail("bad _rebuild_parameter arguments") }
            return first
        case "torch.Size":
            return a.first ?? .tuple([])
        case "builtins.set":
            return .list(PickleList())
        default:
            throw fail("calling '\(module).\(name)' is not allowed")
        }
    }
}

extension String {
    var trimmingTrailingNewline: String { hasSuffix("\n") ? String(dropLast()) : self }
}

extension PyTorchCheckpoint {
    /// Writes a state dict in torch.save's zip format (pickle protocol 2, one storage per tensor,
    /// 64-byte aligned), which `torch.load(path, weights_only=True)` reads as an OrderedDict.
    public static func save(_ state: [(String, Tensor)], to path: String, archiveName: String = "archive") throws {
        var p = PicklerBytes()
        p.proto()
        p.global("collections", "OrderedDict"); p.op(0x29); p.op(0x52)
        p.op(0x28)
        var files: [(String, [UInt8])] = []
        for (i, (name, t0)) in state.enumerated() {
            let t = t0.cpu().contiguous()
            guard let storageName = Unpickler.storageTypes.first(where: { $0.value == t.dtype })?.key else {
                throw SerializationError(path, "\(name): no torch storage type for \(t.dtype)")
            }
            p.unicode(name)
            p.global("torch._utils", "_rebuild_tensor_v2")
            p.op(0x28)
            p.op(0x28); p.unicode("storage"); p.global("torch", storageName); p.unicode(String(i)); p.unicode("cpu");
            p.int(t.count); p.op(0x74)
            p.op(0x51)
            p.int(0)
            p.op(0x28); for s in t.shape { p.int(s) }; p.op(0x74)
            p.op(0x28); for s in t.strides { p.int(s) }; p.op(0x74)
            p.op(0x89)
            p.global("collections", "OrderedDict"); p.op(0x29); p.op(0x52)
            p.op(0x74)
            p.op(0x52)
            files.append(("\(archiveName)/data/\(i)", t.withUnsafeRawBytes { Array($0) }))
        }
        p.op(0x75)
        p.op(0x2E)
        let all =
            [("\(archiveName)/data.pkl", p.bytes), ("\(archiveName)/byteorder", Array("little".utf8))] + files
            + [("\(archiveName)/version", Array("3\n".utf8))]
        try AtomicFile.write(path, ZipArchive.write(all, align: 64))
    }
}

struct PicklerBytes {
    var bytes: [UInt8] = []
    mutating func op(_ o: UInt8) { bytes.append(o) }
    mutating func proto() { bytes += [0x80, 2] }
    mutating func global(_ module: String, _ name: String) {
        bytes.append(0x63); bytes += Array("\(module)\n\(name)\n".utf8)
    }
    mutating func unicode(_ s: String) {
        let u = Array(s.utf8)
        bytes.append(0x58)
        bytes +=
            [UInt8(u.count & 255), UInt8(u.count >> 8 & 255), UInt8(u.count >> 16 & 255), UInt8(u.count >> 24 & 255)]
            + u
    }
    mutating func int(_ v: Int) {
        if v >= 0 && v < 256 { bytes += [0x4B, UInt8(v)]; return }
        if v >= Int(Int32.min) && v <= Int(Int32.max) {
            let x = UInt32(bitPattern: Int32(v))
            bytes += [0x4A, UInt8(x & 255), UInt8(x >> 8 & 255), UInt8(x >> 16 & 255), UInt8(x >> 24)]
            return
        }
        bytes += [0x8A, 8]
        let x = UInt64(bitPattern: Int64(v))
        for k in 0..<8 { bytes.append(UInt8(x >> (8 * UInt64(k)) & 255)) }
    }
}
