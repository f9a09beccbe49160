import XCTest
import Foundation
@testable import TorchData
import TorchTestSupport

final class SummaryWriterTests: TemporaryDirectoryTestCase {

    func testCRC32C() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)  // the standard check value
    }

    /// Reads our own records back: framing, CRCs and the scalar fields.
    func testRecordsRoundTrip() throws {
        let w = try SummaryWriter(logDir: dir + "/run")
        try w.addScalar("loss/train", 0.5, step: 10)
        try w.addScalar("accuracy", 0.875, step: 20)
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: w.path)))
        var pos = 0, records: [[UInt8]] = []
        while pos < data.count {
            let lenBytes = Array(data[pos..<(pos + 8)])
            let len = lenBytes.enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            let lenCRC = data[(pos + 8)..<(pos + 12)].enumerated().reduce(UInt32(0)) {
                $0 | UInt32($1.element) << (8 * UInt32($1.offset))
            }
            XCTAssertEqual(lenCRC, CRC32C.masked(lenBytes))
            let body = Array(data[(pos + 12)..<(pos + 12 + len)])
            let crc = data[(pos + 12 + len)..<(pos + 16 + len)].enumerated().reduce(UInt32(0)) {
                $0 | UInt32($1.element) << (8 * UInt32($1.offset))
            }
            XCTAssertEqual(crc, CRC32C.masked(body))
            records.append(body)
            pos += 16 + len
        }
        XCTAssertEqual(records.count, 3)
        XCTAssertTrue(String(decoding: records[0], as: UTF8.self).contains("brain.Event:2"))
        XCTAssertTrue(String(decoding: records[1], as: UTF8.self).contains("loss/train"))
        // simple_value 0.875 as little-endian float32 inside the record.
        let bits = Float(0.875).bitPattern
        let le = [UInt8(bits & 255), UInt8(bits >> 8 & 255), UInt8(bits >> 16 & 255), UInt8(bits >> 24)]
        XCTAssertNotNil(
            records[2].indices.first { i in i + 4 <= records[2].count && Array(records[2][i..<(i + 4)]) == le })
    }

    /// The tensorboard Python package (a virtualenv .ci/run creates) reads the same scalars.
    func testTensorBoardReadsTheScalars() throws {
        let python = repositoryRoot.appendingPathComponent(".venv-tb/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python), pythonCanImport(python, "tensorboard") else {
            throw XCTSkip("no .venv-tb with tensorboard (scripts/setup.sh creates it)")
        }
        let w = try SummaryWriter(logDir: dir + "/tb")
        for step in 0..<5 { try w.addScalar("loss", 1.0 / Double(step + 1), step: step) }
        try w.addScalar("lr", 0.01, step: 4)
        let text = try runProgram(
            python, [repositoryRoot.appendingPathComponent("scripts/read_tfevents.py").path, dir + "/tb"]
        ).output
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 6, text)
        XCTAssertEqual(lines.first, "loss 0 1.0")
        XCTAssertTrue(lines.contains("loss 4 0.20000000298023224"), text)
        XCTAssertTrue(lines.contains("lr 4 0.009999999776482582"), text)
    }
}
