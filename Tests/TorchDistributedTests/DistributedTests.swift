import Foundation
import Torch
import TorchData
import TorchDistributed
import TorchTestSupport
import XCTest

/// The distributed module: the sampler against PyTorch, a world of one, and the collectives and
/// DDP checks of `torch-dist-check` under `mpirun` with 2 and 4 ranks.
final class DistributedTests: XCTestCase {
    func testSamplerMatchesPyTorchWithoutShuffling() throws {
        let url = repositoryRoot.appendingPathComponent("Tests/TorchDistributedTests/Fixtures/sampler.json")
        let cases = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])
        XCTAssertEqual(cases.count, 48)
        for c in cases {
            let count = c["count"] as! Int, replicas = c["replicas"] as! Int, dropLast = c["drop_last"] as! Bool
            let expected = c["indices"] as! [[Int]]
            for rank in 0..<replicas {
                let s = DistributedSampler(
                    count: count, numReplicas: replicas, rank: rank, shuffle: false, dropLast: dropLast)
                XCTAssertEqual(s.numSamples, c["num_samples"] as! Int, "\(c)")
                XCTAssertEqual(s.indices(generator: .default), expected[rank], "\(c) rank \(rank)")
            }
        }
    }

    func testShuffledSamplerSharesOnePermutationAndNeedsSetEpoch() {
        let ranks = (0..<3).map { DistributedSampler(count: 10, numReplicas: 3, rank: $0, seed: 5) }
        var seen: [Int] = []
        for s in ranks { seen += s.indices(generator: .default) }
        XCTAssertEqual(seen.count, 12)
        XCTAssertEqual(Set(seen), Set(0..<10))  // all covered, two repeated as padding
        for s in ranks { s.setEpoch(1) }
        let epoch1 = ranks.map { $0.indices(generator: .default) }
        XCTAssertNotEqual(epoch1.flatMap { $0 }, seen)
        let again = DistributedSampler(count: 10, numReplicas: 3, rank: 0, seed: 5)
        again.setEpoch(1)
        XCTAssertEqual(again.indices(generator: .default), epoch1[0])  // seed + epoch decide the order
    }

    func testAWorldOfOne() throws {
        if !Distributed.isInitialized { try Torch.distributed.initProcessGroup() }
        XCTAssertEqual(Torch.distributed.worldSize, 1)
        let t = Tensor([1, 2, 3] as [Float])
        try Torch.distributed.allReduce(t, op: .avg)
        XCTAssertEqual(t.toArray(Float.self), [1, 2, 3])
        let all = try Torch.distributed.allGather(t)
        XCTAssertEqual(all.count, 1)
        XCTAssertEqual(all[0].toArray(Float.self), [1, 2, 3])
        try Torch.distributed.barrier()
    }

    /// Runs torch-dist-check under mpirun, or skips when Open MPI is not installed.
    func mpirun(_ ranks: Int, _ args: [String] = []) throws -> (status: Int32, output: String, seconds: Double) {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/mpirun") else {
            throw XCTSkip("no Open MPI (apt-get install openmpi-bin; scripts/setup.sh installs it)")
        }
        guard let exe = programBinary("torch-dist-check") else {
            XCTFail("torch-dist-check is not built")
            return (1, "", 0)
        }
        setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1)
        setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1)
        let start = Date()
        let r = try runProgram(
            "/usr/bin/mpirun", ["--oversubscribe", "-np", "\(ranks)", "--mca", "btl", "self,vader", exe.path] + args)
        return (r.status, r.output, Date().timeIntervalSince(start))
    }

    /// DDP refuses sparse gradients (Note [Sparse gradients]) instead of leaving them unreduced.
    func testDDPRefusesSparseEmbeddings() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/mpirun") else {
            throw XCTSkip("no Open MPI (apt-get install openmpi-bin; scripts/setup.sh installs it)")
        }
        setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1)
        setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1)
        let exe = try XCTUnwrap(programBinary("torch-dist-check"))
        let r = runCapturing(
            URL(fileURLWithPath: "/usr/bin/mpirun"),
            ["--oversubscribe", "-np", "1", "--mca", "btl", "self,vader", exe.path, "--sparse"])
        XCTAssertNotEqual(r.status, 0, r.stdout)
        XCTAssertTrue(r.stderr.contains("DistributedDataParallel: 0 has sparse gradients (sparse: true)"), r.stderr)
        XCTAssertFalse(r.stdout.contains("accepted"), r.stdout)
    }

    func testCollectivesAndDDPOnTwoRanks() throws {
        let r = try mpirun(2)
        XCTAssertEqual(r.status, 0, r.output)
        for rank in 0..<2 { XCTAssertTrue(r.output.contains("rank \(rank): "), r.output) }
        XCTAssertFalse(r.output.contains("FAIL"), r.output)
        // Every rank ran every check (about 170 each) and none failed.
        for rank in 0..<2 {
            let line = r.output.split(separator: "\n").first {
                $0.hasPrefix("rank \(rank): ") && $0.hasSuffix(" failed")
            }
            let passed = line.flatMap { Int($0.split(separator: " ")[2]) } ?? 0
            XCTAssertGreaterThan(passed, 150, r.output)
            XCTAssertTrue(line?.hasSuffix(", 0 failed") == true, r.output)
        }
    }

    func testCollectivesAndDDPOnFourRanks() throws {
        let r = try mpirun(4)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertFalse(r.output.contains("FAIL"), r.output)
        for rank in 0..<4 { XCTAssertTrue(r.output.contains("rank \(rank): "), r.output) }
    }

    func testDebugModeNamesARankThatCallsAnotherShape() throws {
        setenv("TORCH_DISTRIBUTED_DEBUG", "DETAIL", 1)
        defer { unsetenv("TORCH_DISTRIBUTED_DEBUG") }
        let r = try mpirun(2, ["--mismatch"])
        XCTAssertEqual(r.status, 0, r.output)
        for rank in 0..<2 {
            XCTAssertTrue(
                r.output.contains("rank \(rank): allReduce(sum) #1 on rank \(rank) of 2"), r.output)
        }
        XCTAssertTrue(r.output.contains("ranks [1] called a different collective or shape than rank 0"), r.output)
        XCTAssertTrue(r.output.contains("shape [5]"), r.output)
        XCTAssertFalse(r.output.contains("unnoticed"), r.output)
    }

    func testTorchRunLaunchesAJobAndFailsWithAFailingRank() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/mpirun") else {
            throw XCTSkip("no Open MPI (apt-get install openmpi-bin; scripts/setup.sh installs it)")
        }
        let run = try XCTUnwrap(programBinary("torch-run")), check = try XCTUnwrap(programBinary("torch-dist-check"))
        let ok = try runProgram(run.path, ["--nproc-per-node", "2", check.path])
        XCTAssertEqual(ok.status, 0, ok.output)
        XCTAssertTrue(ok.output.contains("rank 1: ") && ok.output.contains(", 0 failed"), ok.output)
        let env = try runProgram(
            run.path, ["--nproc-per-node", "2", "/bin/sh", "-c", "echo env $WORLD_SIZE $OMPI_COMM_WORLD_RANK"])
        XCTAssertTrue(env.output.contains("env 2 0") && env.output.contains("env 2 1"), env.output)
        let bad = try runProgram(run.path, ["--nproc-per-node", "2", "/bin/false"])
        XCTAssertNotEqual(bad.status, 0)
        let usage = try runProgram(run.path, ["--nproc-per-node"])
        XCTAssertEqual(usage.status, 2)
    }

    func testAKilledRankFailsTheJobInsteadOfHanging() throws {
        let r = try mpirun(2, ["--die"])
        XCTAssertNotEqual(r.status, 0, r.output)
        XCTAssertLessThan(r.seconds, 60, r.output)
    }

    /// The main job data-parallel under mpirun: rank 0 alone prints and saves.
    func testTheMainJobTrainsDataParallel() throws {
        guard FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist") else {
            throw XCTSkip("no Fashion-MNIST (apt-get install dataset-fashion-mnist)")
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/mpirun") else {
            throw XCTSkip("no Open MPI (apt-get install openmpi-bin; scripts/setup.sh installs it)")
        }
        let exe = try XCTUnwrap(programBinary("torch-train"))
        let dir = NSTemporaryDirectory() + "torch-train-ddp-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1)
        setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1)
        let r = try runProgram(
            "/usr/bin/mpirun",
            [
                "--oversubscribe", "-np", "2", "--mca", "btl", "self,vader", exe.path, "--limit", "1024", "--epochs",
                "1",
                "--workers", "0", "--logdir", dir,
            ])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("data-parallel on 2 processes"), r.output)
        XCTAssertEqual(r.output.components(separatedBy: "epoch 1 done").count, 2, r.output)  // rank 0 only
        XCTAssertTrue(r.output.contains("test accuracy"), r.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/checkpoint.safetensors"))
    }
}

/// The TCP key-value store, its host and a second client in one process.
final class TCPStoreTests: XCTestCase {
    func testSetGetAddCompareSetAndWaits() throws {
        let master = try TCPStore(port: 0, isMaster: true, timeout: 10)
        XCTAssertGreaterThan(master.port, 0)
        let client = try TCPStore(port: master.port, timeout: 10)
        try master.set("a", "1")
        XCTAssertEqual(try client.get("a"), "1")
        XCTAssertEqual(try client.add("n", 2), 2)
        XCTAssertEqual(try master.add("n", 3), 5)
        XCTAssertEqual(try client.check(["a", "n"]), true)
        XCTAssertEqual(try client.check(["a", "missing"]), false)
        XCTAssertEqual(try client.compareSet("c", expected: "", desired: "x"), "x")  // unset: set
        XCTAssertEqual(try client.compareSet("c", expected: "y", desired: "z"), "x")  // mismatch: kept
        XCTAssertEqual(try master.compareSet("c", expected: "x", desired: "z"), "z")
        // `get` waits for a key another rank sets later.
        let port = master.port
        let setter = Thread {
            usleep(200_000)
            let s = try? TCPStore(port: port, timeout: 10)
            try? s?.set("late", "here")
        }
        setter.start()
        let t0 = Date()
        XCTAssertEqual(try client.get("late"), "here")
        XCTAssertGreaterThan(Date().timeIntervalSince(t0), 0.15)
        try client.wait(["a", "late"])
    }

    func testAGetThatNeverCompletesTimesOutNamingTheKey() throws {
        let master = try TCPStore(port: 0, isMaster: true, timeout: 10)
        let impatient = try TCPStore(port: master.port, timeout: 0.3)
        XCTAssertThrowsError(try impatient.get("never")) { e in
            XCTAssertTrue("\(e)".contains("get(\"never\")") && "\(e)".contains("timed out"), "\(e)")
        }
        XCTAssertThrowsError(try impatient.set("x", "1"))  // the connection is not reused after a timeout
        XCTAssertThrowsError(try TCPStore(port: 1, timeout: 0.2))  // nothing listens there
    }
}
