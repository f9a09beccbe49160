import Torch
import TorchBase
import _CZlib

/// A data file that could not be read (see `FileError`).
public typealias DataError = FileError

/// Reads IDX files (MNIST's format), gzipped or not.
public enum IDX {
    /// The whole (decompressed) contents of `path`; `.gz` files go through zlib.
    public static func readBytes(_ path: String) throws -> [UInt8] {
        guard let f = gzopen(path, "rb") else { throw DataError(path: path, reason: "cannot open file") }
        defer { gzclose(f) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(f, $0.baseAddress, UInt32($0.count)) }
            if n < 0 { throw DataError(path: path, reason: "corrupt or truncated compressed data") }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<Int(n)])
        }
        // A stream that ends early reads as end of file; zlib records why.
        var status: Int32 = 0
        _ = gzerror(f, &status)
        if status != 0 && status != 1 {
            throw DataError(path: path, reason: "corrupt or truncated compressed data (zlib error \(status))")
        }
        return out
    }

    /// Parses an unsigned-byte IDX file into a uint8 tensor of its shape. The data are read
    /// straight into the tensor's memory (no second copy), after the header's size is checked
    /// against what the file can hold, so a lying header cannot make it allocate.
    public static func load(_ path: String) throws -> Tensor {
        guard let f = gzopen(path, "rb") else { throw DataError(path: path, reason: "cannot open file") }
        defer { gzclose(f) }
        /// Reads up to `n` bytes into `p`; fewer only at the end of the data.
        func read(_ p: UnsafeMutableRawPointer, _ n: Int) throws -> Int {
            var got = 0
            while got < n {
                let r = gzread(f, p + got, UInt32(Swift.min(n - got, 1 << 30)))
                if r < 0 { throw DataError(path: path, reason: "corrupt or truncated compressed data") }
                if r == 0 { break }
                got += Int(r)
            }
            // A stream that ends early reads as end of file; zlib records why.
            var status: Int32 = 0
            _ = gzerror(f, &status)
            if status != 0 && status != 1 {
                throw DataError(path: path, reason: "corrupt or truncated compressed data (zlib error \(status))")
            }
            return got
        }
        var head = [UInt8](repeating: 0, count: 4)
        let h = try head.withUnsafeMutableBytes { try read($0.baseAddress!, 4) }
        if h < 4 { throw DataError(path: path, reason: "file too short for an IDX header (\(h) bytes)") }
        if head[0] != 0 || head[1] != 0 {
            throw DataError(path: path, reason: "bad magic number: first two bytes must be zero")
        }
        if head[2] != 0x08 {
            throw DataError(
                path: path,
                reason: "unsupported IDX element type 0x\(String(head[2], radix: 16)) (only unsigned bytes, 0x08)")
        }
        let rank = Int(head[3])
        if rank == 0 || rank > 8 { throw DataError(path: path, reason: "bad number of dimensions \(rank)") }
        let header = 4 + 4 * rank
        var b = [UInt8](repeating: 0, count: 4 * rank)
        let d = try b.withUnsafeMutableBytes { try read($0.baseAddress!, 4 * rank) }
        if d < 4 * rank {
            throw DataError(path: path, reason: "truncated header: \(4 + d) bytes, need \(header)")
        }
        var shape: [Int] = []
        var total = 1
        for i in 0..<rank {
            let o = 4 * i
            let dim = Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3])
            shape.append(dim)
            let (t, overflow) = total.multipliedReportingOverflow(by: dim)
            if overflow { throw DataError(path: path, reason: "dimensions \(shape) overflow") }
            total = t
        }
        // A plain file holds exactly its size; deflate expands at most 1032-fold.
        let fileSize = Self.fileSize(path)
        let direct = gzdirect(f) != 0
        let bound = direct ? fileSize - header : fileSize.multipliedReportingOverflow(by: 1032).partialValue
        if total > bound {
            throw DataError(
                path: path,
                reason: "expected \(total) data bytes for shape \(shape), found \(direct ? "" : "at most ")\(bound) "
                    + "(truncated or corrupt)")
        }
        let t = Tensor.empty(shape, dtype: .uint8)
        let got = try read(t.storagePointer(UInt8.self), total)
        var extra = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while got == total {
            let n = try chunk.withUnsafeMutableBytes { try read($0.baseAddress!, $0.count) }
            if n == 0 { break }
            extra += n
        }
        if got < total || extra > 0 {
            throw DataError(
                path: path,
                reason: "expected \(total) data bytes for shape \(shape), found \(got + extra) "
                    + (extra > 0 ? "(trailing bytes)" : "(truncated or corrupt)"))
        }
        return t
    }

    /// The size of the file at `path` in bytes (0 when it cannot be read).
    static func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }
}

/// Fashion-MNIST (or MNIST) from IDX files: the pixels as uint8 [N, 28, 28] (`data`, as
/// torchvision keeps them: 47 MB for the training set against 188 MB as float32), labels as int64
/// [N]. `images` converts them all to float32 [N, 1, 28, 28] in [0, 1]; to keep memory small,
/// convert per batch instead (`FashionMNIST.toFloat(batch)`). The default root is where Debian's
/// `dataset-fashion-mnist` puts the files.
public struct FashionMNIST {
    /// Where Debian's `dataset-fashion-mnist` package installs the files.
    public static let defaultRoot = "/usr/share/datasets/fashion-mnist"
    /// The pixels [N, 28, 28] as uint8 (torchvision's `dataset.data`).
    public let data: Tensor
    /// The images as float32 [N, 1, 28, 28] in [0, 1], made anew on each use (`toFloat(data)`).
    public var images: Tensor { FashionMNIST.toFloat(data) }
    /// The labels [N] as int64 in 0..<10.
    public let labels: Tensor

    /// Reads the training (60 000) or test (10 000) split from `root` (IDX files, gzipped or not).
    ///
    /// ```swift
    /// let train = try FashionMNIST(train: true)
    /// ```
    public init(root: String = FashionMNIST.defaultRoot, train: Bool) throws {
        let prefix = train ? "train" : "t10k"
        func find(_ stem: String) throws -> String {
            for candidate in ["\(root)/\(stem).gz", "\(root)/\(stem)"] where fileExists(candidate) { return candidate }
            throw DataError(path: "\(root)/\(stem)[.gz]", reason: "file not found")
        }
        let imgPath = try find("\(prefix)-images-idx3-ubyte")
        let lblPath = try find("\(prefix)-labels-idx1-ubyte")
        let img = try IDX.load(imgPath)
        let lbl = try IDX.load(lblPath)
        if img.rank != 3 { throw DataError(path: imgPath, reason: "expected 3 dimensions, got \(img.shape)") }
        if lbl.rank != 1 || lbl.shape[0] != img.shape[0] {
            throw DataError(path: lblPath, reason: "expected \(img.shape[0]) labels, got shape \(lbl.shape)")
        }
        data = img
        labels = lbl.to(.int64)
    }

    /// uint8 pixels [..., 28, 28] as float32 [..., 1, 28, 28] in [0, 1] (torchvision's `ToTensor`).
    ///
    /// ```swift
    /// let x = FashionMNIST.toFloat(batch[0])   // [64, 1, 28, 28]
    /// ```
    public static func toFloat(_ pixels: Tensor) -> Tensor {
        // Divided in place in the fresh float copy: one batch-sized block, not two.
        let scaled =
            pixels.dtype == .float32 ? pixels / 255 : pixels.to(.float32).div_(Tensor.scalar(255, dtype: .float32))
        return scaled.unsqueeze(-3)
    }

    /// The number of images.
    public var count: Int { labels.shape[0] }
}

func fileExists(_ path: String) -> Bool {
    guard let f = fopen(path, "rb") else { return false }
    fclose(f)
    return true
}

#if canImport(Glibc)
    import Glibc
#endif
