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

    /// Parses an unsigned-byte IDX file into a uint8 tensor of its shape.
    public static func load(_ path: String) throws -> Tensor {
        let b = try readBytes(path)
        if b.count < 4 { throw DataError(path: path, reason: "file too short for an IDX header (\(b.count) bytes)") }
        if b[0] != 0 || b[1] != 0 {
            throw DataError(path: path, reason: "bad magic number: first two bytes must be zero")
        }
        if b[2] != 0x08 {
            throw DataError(
                path: path,
                reason: "unsupported IDX element type 0x\(String(b[2], radix: 16)) (only unsigned bytes, 0x08)")
        }
        let rank = Int(b[3])
        if rank == 0 || rank > 8 { throw DataError(path: path, reason: "bad number of dimensions \(rank)") }
        let header = 4 + 4 * rank
        if b.count < header {
            throw DataError(path: path, reason: "truncated header: \(b.count) bytes, need \(header)")
        }
        var shape: [Int] = []
        var total = 1
        for i in 0..<rank {
            let o = 4 + 4 * i
            let d = Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3])
            shape.append(d)
            let (t, overflow) = total.multipliedReportingOverflow(by: d)
            if overflow { throw DataError(path: path, reason: "dimensions \(shape) overflow") }
            total = t
        }
        if b.count - header != total {
            throw DataError(
                path: path,
                reason:
                    "expected \(total) data bytes for shape \(shape), found \(b.count - header) (truncated or corrupt)")
        }
        return Tensor(shape: shape, scalars: Array(b[header...]), dtype: .uint8)
    }
}

/// Fashion-MNIST (or MNIST) from IDX files: images as float32 [N, 1, 28, 28] scaled to [0, 1],
/// labels as int64 [N]. The default root is where Debian's `dataset-fashion-mnist` puts them.
public struct FashionMNIST {
    /// Where Debian's `dataset-fashion-mnist` package installs the files.
    public static let defaultRoot = "/usr/share/datasets/fashion-mnist"
    /// The images [N, 28, 28] as uint8.
    public let images: Tensor
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
        images = (img.to(.float32) / 255).unsqueeze(1)
        labels = lbl.to(.int64)
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
