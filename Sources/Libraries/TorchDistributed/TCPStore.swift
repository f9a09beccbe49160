#if canImport(Glibc)
    import Glibc
#endif
import Synchronization

// Note [TCP store]
// PyTorch's TCPStore: a key-value store one process hosts (`isMaster: true`, port 0 picks a free
// one) and every rank reaches over TCP, for rendezvous and for exchanging small values such as
// NCCL's unique id. The host runs one thread that polls the listening socket and its clients;
// a request is an op byte, a key and a value, each length-prefixed; `get` and `wait` on keys not
// set yet are parked until a `set`, `add` or `compareSet` makes them, and the client's socket
// timeout turns a wait that never ends into an error naming the key.

/// A key-value store over TCP (PyTorch's `TCPStore`).
///
/// ```swift
/// let store = try TCPStore(host: "127.0.0.1", port: 0, isMaster: true)
/// try store.set("ready", "yes")
/// let n = try store.add("arrived", 1)
/// ```
public final class TCPStore: @unchecked Sendable {
    /// The port the store listens on (the one chosen when 0 was asked for).
    public let port: Int
    /// How long `get`, `wait` and every request may take.
    public let timeout: Double
    private let fd: Int32
    private let server: StoreServer?
    private let lock = Mutex(())
    /// Set when a request timed out: its late answer could be read as the next one's.
    private let broken = Atomic<Bool>(false)

    /// Connects to the store at `host:port`; with `isMaster`, first starts it on this process.
    public init(host: String = "127.0.0.1", port: Int, isMaster: Bool = false, timeout: Double = 300) throws {
        var p = port
        if isMaster {
            let s = try StoreServer(port: port)
            server = s
            p = s.port
        } else {
            server = nil
        }
        self.port = p
        self.timeout = timeout
        fd = try TCPStore.connect(host: host, port: p, timeout: timeout)
    }

    deinit {
        close(fd)
        server?.stop()
    }

    /// Sets `key` to `value`.
    public func set(_ key: String, _ value: String) throws { _ = try request(1, key, Array(value.utf8)) }

    /// The value of `key`, waiting until some rank sets it.
    public func get(_ key: String) throws -> String { String(decoding: try request(2, key, []), as: UTF8.self) }

    /// Adds `amount` to the integer at `key` (0 when unset) and returns the sum.
    public func add(_ key: String, _ amount: Int) throws -> Int {
        Int(String(decoding: try request(3, key, Array(String(amount).utf8)), as: UTF8.self)) ?? 0
    }

    /// Waits until every key in `keys` is set.
    public func wait(_ keys: [String]) throws { for k in keys { _ = try request(4, k, []) } }

    /// Sets `key` to `desired` if it holds `expected` (or is unset and `expected` is empty);
    /// returns the value it holds afterwards.
    public func compareSet(_ key: String, expected: String, desired: String) throws -> String {
        let v = Array(expected.utf8) + [0] + Array(desired.utf8)
        return String(decoding: try request(5, key, v), as: UTF8.self)
    }

    /// Whether every key in `keys` is set now.
    public func check(_ keys: [String]) throws -> Bool {
        try keys.allSatisfy { try request(6, $0, []) == [1] }
    }

    private func request(_ op: UInt8, _ key: String, _ value: [UInt8]) throws -> [UInt8] {
        try lock.withLock { _ in
            if broken.load(ordering: .relaxed) {
                throw DistributedError("TCPStore: a request timed out on this connection; make a new TCPStore")
            }
            var msg: [UInt8] = [op]
            StoreServer.appendField(&msg, Array(key.utf8))
            StoreServer.appendField(&msg, value)
            guard StoreServer.writeAll(fd, msg) else {
                throw DistributedError("TCPStore: the store closed the connection")
            }
            guard let reply = StoreServer.readField(fd) else {
                broken.store(true, ordering: .relaxed)
                let what = ["", "set", "get", "add", "wait", "compareSet", "check"][Int(op)]
                throw DistributedError("TCPStore \(what)(\"\(key)\"): no answer within \(timeout) s (timed out)")
            }
            return reply
        }
    }

    static func connect(host: String, port: Int, timeout: Double) throws -> Int32 {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else {
            throw DistributedError("TCPStore: \(host) is not an IPv4 address")
        }
        let deadline = Work.now() + timeout
        while true {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            if ok {
                var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return fd
            }
            close(fd)
            if Work.now() > deadline {
                throw DistributedError("TCPStore: cannot connect to \(host):\(port) within \(timeout) s")
            }
            usleep(50_000)  // the host may not listen yet
        }
    }
}

/// The store's host: one thread serving every client (Note [TCP store]).
final class StoreServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let running = Atomic<Bool>(true)
    private var thread = pthread_t()

    init(port: Int) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = INADDR_ANY
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, len) == 0 && listen(listener, 128) == 0 && getsockname(listener, $0, &len) == 0
            }
        }
        guard bound else {
            close(listener)
            throw DistributedError("TCPStore: cannot listen on port \(port) (errno \(errno))")
        }
        self.port = Int(UInt16(bigEndian: addr.sin_port))
        let box = Unmanaged.passRetained(self)
        pthread_create(
            &thread, nil,
            { p in
                let server = Unmanaged<StoreServer>.fromOpaque(p!).takeRetainedValue()
                server.serve()
                return nil
            }, box.toOpaque())
    }

    func stop() {
        running.store(false, ordering: .relaxed)
        pthread_join(thread, nil)
        close(listener)
    }

    private func serve() {
        var data: [String: [UInt8]] = [:]
        var clients: [Int32] = []
        var parked: [(fd: Int32, op: UInt8, key: String)] = []
        func answer(_ fd: Int32, _ v: [UInt8]) {
            var msg: [UInt8] = []
            StoreServer.appendField(&msg, v)
            _ = StoreServer.writeAll(fd, msg)
        }
        func release() {
            parked.removeAll { p in
                guard let v = data[p.key] else { return false }
                answer(p.fd, p.op == 2 ? v : [1])
                return true
            }
        }
        while running.load(ordering: .relaxed) {
            var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            fds += clients.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), 100) <= 0 { continue }
            if fds[0].revents != 0 {
                let c = accept(listener, nil, nil)
                if c >= 0 { clients.append(c) }
            }
            for pfd in fds.dropFirst() where pfd.revents != 0 {
                guard let op = StoreServer.readByte(pfd.fd), let k = StoreServer.readField(pfd.fd),
                    let v = StoreServer.readField(pfd.fd)
                else {
                    close(pfd.fd)
                    clients.removeAll { $0 == pfd.fd }
                    parked.removeAll { $0.fd == pfd.fd }
                    continue
                }
                let key = String(decoding: k, as: UTF8.self)
                switch op {
                case 1:
                    data[key] = v
                    answer(pfd.fd, [])
                case 2, 4:
                    if let value = data[key] {
                        answer(pfd.fd, op == 2 ? value : [1])
                    } else {
                        parked.append((pfd.fd, op, key))
                    }
                case 3:
                    let sum =
                        (Int(String(decoding: data[key] ?? [], as: UTF8.self)) ?? 0)
                        + (Int(String(decoding: v, as: UTF8.self)) ?? 0)
                    data[key] = Array(String(sum).utf8)
                    answer(pfd.fd, data[key]!)
                case 5:
                    let split = v.firstIndex(of: 0) ?? v.count
                    let expected = Array(v[..<split]), desired = Array(v[Swift.min(split + 1, v.count)...])
                    if (data[key] == nil && expected.isEmpty) || data[key] == expected { data[key] = desired }
                    answer(pfd.fd, data[key] ?? [])
                case 6: answer(pfd.fd, data[key] == nil ? [0] : [1])
                default: answer(pfd.fd, [])
                }
                release()
            }
        }
        for c in clients { close(c) }
    }

    static func appendField(_ msg: inout [UInt8], _ v: [UInt8]) {
        withUnsafeBytes(of: UInt32(v.count).littleEndian) { msg.append(contentsOf: $0) }
        msg.append(contentsOf: v)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    static func readExactly(_ fd: Int32, _ count: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = out[got...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            got += n
        }
        return out
    }

    static func readByte(_ fd: Int32) -> UInt8? { readExactly(fd, 1)?[0] }

    static func readField(_ fd: Int32) -> [UInt8]? {
        guard let h = readExactly(fd, 4) else { return nil }
        let n = Int(UInt32(h[0]) | UInt32(h[1]) << 8 | UInt32(h[2]) << 16 | UInt32(h[3]) << 24)
        return n == 0 ? [] : readExactly(fd, n)
    }
}
