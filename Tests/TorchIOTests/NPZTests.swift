import XCTest
import Foundation
@testable import Torch
import TorchBase
@testable import TorchIO
import TorchTestSupport

final class NPZTests: TemporaryDirectoryTestCase {

    func testNumPyArchivesBothWays() throws {
        _ = try python(
            """
            import numpy as np
            np.savez('\(dir)/plain.npz', a=np.arange(6, dtype=np.float32).reshape(2, 3), b=np.array([True, False]))
            np.savez_compressed('\(dir)/deflated.npz', x=np.arange(1000, dtype=np.int64), y=np.ones((3, 3)))
            """)
        let plain = try NPZ.load("\(dir)/plain.npz")
        XCTAssertEqual(plain["a"]!.scalars, [0, 1, 2, 3, 4, 5]); XCTAssertEqual(plain["a"]!.shape, [2, 3])
        XCTAssertEqual(plain["b"]!.toArray(Bool.self), [true, false])
        let deflated = try NPZ.load("\(dir)/deflated.npz")
        XCTAssertEqual(deflated["x"]!.toArray(Int.self), Array(0..<1000))
        XCTAssertEqual(deflated["y"]!.sum().item(), 9)
        try NPZ.save(
            ["w": Tensor.arange(0, 4, dtype: .float64), "i": Tensor([7, 8], dtype: .int16)], to: "\(dir)/ours.npz")
        let text = try python(
            "import numpy as np\nz = np.load('\(dir)/ours.npz')\nprint(sorted(z.files), z['w'].tolist(), "
                + "z['i'].dtype, z['i'].tolist())"
        )
        XCTAssertEqual(
            text.trimmingCharacters(in: .whitespacesAndNewlines), "['i', 'w'] [0.0, 1.0, 2.0, 3.0] int16 [7, 8]")
    }

    func testHostileArchives() throws {
        _ = try python(
            """
            import numpy as np, zipfile
            np.savez_compressed('\(dir)/good.npz', x=np.zeros(100000))
            raw = open('\(dir)/good.npz', 'rb').read()
            open('\(dir)/truncated.npz', 'wb').write(raw[:len(raw) // 2])
            # A deflated member that expands far beyond its declared size.
            with zipfile.ZipFile('\(dir)/bomb.npz', 'w', zipfile.ZIP_DEFLATED) as z:
                z.writestr('x.npy', b'\\0' * 10_000_000)
            data = bytearray(open('\(dir)/bomb.npz', 'rb').read())
            cd = data.rfind(b'PK\\x01\\x02')
            data[cd + 24:cd + 28] = (1000).to_bytes(4, 'little')   # declared uncompressed size: 1000
            open('\(dir)/bomb.npz', 'wb').write(bytes(data))
            bad = bytearray(raw); bad[60] ^= 0xFF
            open('\(dir)/corrupt.npz', 'wb').write(bytes(bad))
            """)
        func err(_ name: String) -> String {
            do { _ = try NPZ.load("\(dir)/\(name)"); return "none" } catch { return "\(error)" }
        }
        XCTAssertTrue(err("truncated.npz").contains("no end of central directory"), err("truncated.npz"))
        XCTAssertTrue(err("bomb.npz").contains("inflates beyond its declared size"), err("bomb.npz"))
        let c = err("corrupt.npz")
        XCTAssertTrue(c.contains("corrupt deflate data") || c.contains("CRC-32 mismatch"), c)
        XCTAssertTrue(err("missing.npz").contains("cannot open file"))
        XCTAssertEqual(try NPZ.load("\(dir)/good.npz")["x"]!.count, 100000)
    }
}
