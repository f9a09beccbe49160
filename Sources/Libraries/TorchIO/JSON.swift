import TorchBase

/// A small JSON reader for file headers (safetensors): objects, arrays, strings, integers,
/// booleans and null. Rejects duplicate keys, deep nesting and trailing garbage.
indirect enum JSON {
    case object([(String, JSON)])
    case array([JSON])
    case string(String)
    case number(Int)
    case bool(Bool)
    case null

    struct ParseError: Error { let message: String }

    static func parse(_ bytes: ArraySlice<UInt8>) throws -> JSON {
        var p = Parser(b: Array(bytes), i: 0)
        let v = try p.value(depth: 0)
        p.skip()
        if p.i != p.b.count { throw ParseError(message: "unexpected data after the JSON value at byte \(p.i)") }
        return v
    }

    struct Parser {
        let b: [UInt8]
        var i: Int

        mutating func skip() { while i < b.count && (b[i] == 32 || b[i] == 9 || b[i] == 10 || b[i] == 13) { i += 1 } }

        mutating func expect(_ c: UInt8) throws {
            skip()
            guard i < b.count && b[i] == c else {
                throw ParseError(message: "expected '\(Character(UnicodeScalar(c)))' at byte \(i)")
            }
            i += 1
        }

        mutating func value(depth: Int) throws -> JSON {
            if depth > 16 { throw ParseError(message: "JSON nested too deeply") }
            skip()
            guard i < b.count else { throw ParseError(message: "unexpected end of JSON") }
            switch b[i] {
            case UInt8(ascii: "{"):
                i += 1
                var out: [(String, JSON)] = []
                var seen = Set<String>()
                skip()
                if i < b.count && b[i] == UInt8(ascii: "}") { i += 1; return .object(out) }
                while true {
                    skip()
                    guard case .string(let k) = try value(depth: depth + 1) else {
                        throw ParseError(message: "object key must be a string at byte \(i)")
                    }
                    if !seen.insert(k).inserted { throw ParseError(message: "duplicate key \"\(k)\"") }
                    try expect(UInt8(ascii: ":"))
                    out.append((k, try value(depth: depth + 1)))
                    skip()
                    guard i < b.count else { throw ParseError(message: "unterminated object") }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "}") { i += 1; return .object(out) }
                    throw ParseError(message: "expected ',' or '}' at byte \(i)")
                }
            case UInt8(ascii: "["):
                i += 1
                var out: [JSON] = []
                skip()
                if i < b.count && b[i] == UInt8(ascii: "]") { i += 1; return .array(out) }
                while true {
                    out.append(try value(depth: depth + 1))
                    skip()
                    guard i < b.count else { throw ParseError(message: "unterminated array") }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "]") { i += 1; return .array(out) }
                    throw ParseError(message: "expected ',' or ']' at byte \(i)")
                }
            case UInt8(ascii: "\""):
                i += 1
                var s: [UInt8] = []
                while true {
                    guard i < b.count else { throw ParseError(message: "unterminated string") }
                    let c = b[i]
                    i += 1
                    if c == UInt8(ascii: "\"") { break }
                    if c == UInt8(ascii: "\\") {
                        guard i < b.count else { throw ParseError(message: "unterminated escape") }
                        let e = b[i]
                        i += 1
                        switch e {
                        case UInt8(ascii: "n"): s.append(10)
                        case UInt8(ascii: "t"): s.append(9)
                        case UInt8(ascii: "r"): s.append(13)
                        case UInt8(ascii: "b"): s.append(8)
                        case UInt8(ascii: "f"): s.append(12)
                        case UInt8(ascii: "u"):
                            guard i + 4 <= b.count,
                                let code = UInt32(String(decoding: b[i..<(i + 4)], as: UTF8.self), radix: 16),
                                let scalar = UnicodeScalar(code)
                            else { throw ParseError(message: "bad \\u escape at byte \(i)") }
                            s += Array(String(Character(scalar)).utf8)
                            i += 4
                        default: s.append(e)
                        }
                    } else {
                        s.append(c)
                    }
                }
                guard let str = String(validating: s, as: UTF8.self) else {
                    throw ParseError(message: "string is not valid UTF-8")
                }
                return .string(str)
            case UInt8(ascii: "t"):
                guard b[i...].starts(with: Array("true".utf8)) else {
                    throw ParseError(message: "bad literal at byte \(i)")
                }
                i += 4; return .bool(true)
            case UInt8(ascii: "f"):
                guard b[i...].starts(with: Array("false".utf8)) else {
                    throw ParseError(message: "bad literal at byte \(i)")
                }
                i += 5; return .bool(false)
            case UInt8(ascii: "n"):
                guard b[i...].starts(with: Array("null".utf8)) else {
                    throw ParseError(message: "bad literal at byte \(i)")
                }
                i += 4; return .null
            default:
                let start = i
                if b[i] == UInt8(ascii: "-") { i += 1 }
                while i < b.count && b[i] >= 48 && b[i] <= 57 { i += 1 }
                guard i > start, let n = Int(String(decoding: b[start..<i], as: UTF8.self)) else {
                    throw ParseError(message: "bad number at byte \(start) (only integers are expected)")
                }
                return .number(n)
            }
        }
    }

    /// Serialises (keys in the given order, no whitespace).
    var text: String {
        switch self {
        case .object(let kv):
            return "{" + kv.map { JSON.string($0.0).text + ":" + $0.1.text }.joined(separator: ",") + "}"
        case .array(let a): return "[" + a.map { $0.text }.joined(separator: ",") + "]"
        case .string(let s): return jsonStringLiteral(s)
        case .number(let n): return String(n)
        case .bool(let v): return v ? "true" : "false"
        case .null: return "null"
        }
    }
}
