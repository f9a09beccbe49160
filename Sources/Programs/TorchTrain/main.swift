// The main job: trains an MLP or a small convnet on Fashion-MNIST and reports test accuracy
// every epoch, with a progress bar on a terminal (plain lines otherwise), TensorBoard logs and an
// atomic checkpoint per epoch. Usage (`torch-train --help`):
//   torch-train [--model mlp|cnn] [--epochs N] [--batch-size N] [--lr X] [--seed N]
//               [--workers N] [--root DIR] [--limit N] [--logdir DIR] [--resume PATH]
import Torch
import TorchBase
import TorchNN
import TorchOptim
import TorchData
import TorchIO
import SwiftTorch
import TorchONNX
import TorchDistributed
import ArgumentParser
#if canImport(Glibc)
    import Glibc
#endif

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func fail(_ msg: String) -> Never {
    fputs("torch-train: \(msg)\n", stderr)
    exit(2)
}

// Line-buffered output, so that log lines show up as they happen when stdout is a file or pipe.
setvbuf(stdout, nil, _IOLBF, 0)

/// The command line, parsed and checked by swift-argument-parser (`--help` lists it).
struct TrainOptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "torch-train",
        abstract: "Trains an MLP or a small convnet on Fashion-MNIST and reports the test accuracy every epoch.")

    @Option(help: "The model: mlp or cnn.")
    var model: String = "mlp"
    @Option(help: "Epochs to train (in all, counting those a resumed checkpoint has done).")
    var epochs: Int = 3
    @Option(name: .customLong("batch-size"), help: "Images per step.")
    var batchSize: Int = 64
    @Option(help: "SGD learning rate (momentum 0.9); default 0.01 for mlp, 0.03 for cnn.")
    var lr: Double?
    @Option(help: "Seed of the initialisation and the shuffling.")
    var seed: UInt64 = 0
    @Option(help: "Data-loading worker threads (0: load on the training thread).")
    var workers: Int = 1
    @Option(help: "Directory of the Fashion-MNIST IDX files.")
    var root: String = FashionMNIST.defaultRoot
    @Option(help: "Train on the first N images only (0: all).")
    var limit: Int = 0
    @Option(help: "Where TensorBoard logs and checkpoints go (default runs/<model>).")
    var logdir: String?
    @Option(help: "Continue from this checkpoint (a checkpoint.safetensors this program wrote).")
    var resume: String?
    @Option(help: "Profile the first 20 training steps and write a Chrome trace here (a table goes to stdout).")
    var profile: String?
    @Option(
        name: .customLong("export-onnx"), help: "After training, write the model here as ONNX (batch size dynamic).")
    var exportONNX: String?

    func validate() throws {
        guard ["mlp", "cnn"].contains(model) else { throw ValidationError("unknown model '\(model)' (mlp or cnn)") }
        guard epochs > 0 else { throw ValidationError("--epochs must be positive, got \(epochs)") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive, got \(batchSize)") }
        guard workers >= 0 else { throw ValidationError("--workers cannot be negative, got \(workers)") }
        guard limit >= 0 else { throw ValidationError("--limit cannot be negative, got \(limit)") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number, got \(lr)") }
    }
}

let parsed = TrainOptions.parseOrExit()
// Default learning rates (SGD, momentum 0.9) that reach 0.87 (mlp) and 0.90 (cnn) in 3 epochs.
let lr = parsed.lr ?? (parsed.model == "cnn" ? 0.03 : 0.01)
let (epochs, batch, seed, limit, workers) = (parsed.epochs, parsed.batchSize, parsed.seed, parsed.limit, parsed.workers)
let options: [String: String] = [
    "model": parsed.model, "root": parsed.root, "logdir": parsed.logdir ?? "", "resume": parsed.resume ?? "",
]
let modelName = options["model"]!

Torch.manualSeed(seed)
let train: FashionMNIST, test: FashionMNIST
let loadStart = now()
do {
    train = try FashionMNIST(root: options["root"]!, train: true)
    test = try FashionMNIST(root: options["root"]!, train: false)
} catch {
    fail("cannot load Fashion-MNIST: \(error)")
}
print("loaded Fashion-MNIST in \(fmt(now() - loadStart))s")
// The pixels stay uint8 (47 MB for the training set) and each batch is converted and normalised
// as it is used, which keeps the whole run within 100 MiB of resident memory (Note [CPU memory]).
var trainX = train.data, trainY = train.labels
if limit > 0 { trainX = trainX.narrow(0, start: 0, length: limit); trainY = trainY.narrow(0, start: 0, length: limit) }
// Normalise with the training set's statistics, computed exactly from the pixel histogram.
let (mean, std) = pixelStatistics(trainX)
let meanScalar = Tensor.scalar(mean, dtype: .float32), stdScalar = Tensor.scalar(std, dtype: .float32)
/// uint8 pixels [B, 28, 28] as normalised float32 [B, 1, 28, 28].
/// In place after the conversion, so a 1 000-image test batch makes one float copy, not four.
func normalise(_ pixels: Tensor) -> Tensor {
    Torch.noGrad { FashionMNIST.toFloat(pixels).sub_(meanScalar).div_(stdScalar) }
}
var phasePeaks: [(String, Int)] = [("loading", Torch.cpu.memoryStats().peakResident)]

let model: Module
switch modelName {
case "mlp":
    model = Sequential(Flatten(), Linear(784, 256), ReLU(), Linear(256, 10))
case "cnn":
    model = Sequential(
        Conv2d(1, 16, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(2),
        Conv2d(16, 32, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(2),
        Flatten(), Linear(32 * 7 * 7, 128), ReLU(), Linear(128, 10))
default:
    fail("unknown model \(modelName) (mlp or cnn)")
}
// Data-parallel under `mpirun -np N`: each rank trains on its shard of every batch (the global
// batch stays --batch-size), gradients averaged by DDP; rank 0 alone prints, logs and saves.
let dataParallel = (getenv("OMPI_COMM_WORLD_SIZE").flatMap { Int(String(cString: $0)) } ?? 1) > 1
var net: Module = model
var sampler: DistributedSampler?
if dataParallel {
    do {
        try Torch.distributed.initProcessGroup(backend: .mpi)
        net = try DistributedDataParallel(model)
    } catch { fail("cannot start data-parallel training: \(error)") }
    if batch % Torch.distributed.worldSize != 0 {
        fail("--batch-size \(batch) must be a multiple of the \(Torch.distributed.worldSize) processes")
    }
    sampler = DistributedSampler(count: trainX.shape[0], seed: seed)
    if Torch.distributed.rank != 0 { _ = freopen("/dev/null", "w", stdout) }
}
let isRankZero = Torch.distributed.rank == 0
let opt = SGD(model.parameters(), lr: lr, momentum: 0.9)
let logDir = options["logdir"]!.isEmpty ? "runs/\(modelName)" : options["logdir"]!
var writer: SummaryWriter?
if isRankZero {
    do { writer = try SummaryWriter(logDir: logDir) } catch { fail("cannot write TensorBoard logs: \(error)") }
}
let checkpointPath = "\(logDir)/checkpoint.safetensors"
var firstEpoch = 1
var globalStep = 0
// Worker threads assemble the next batches while the model trains on the current one.
let loader = DataLoader(
    TensorDataset(trainX, trainY), batchSize: batch / Torch.distributed.worldSize, shuffle: sampler == nil,
    sampler: sampler, numWorkers: workers, seed: seed)
// Resume: parameters, momentum, epoch and step, and the random state, from an atomic checkpoint.
if !options["resume"]!.isEmpty {
    do {
        let (t, meta) = try SafeTensors.load(options["resume"]!)
        guard meta["model"] == modelName else {
            fail("checkpoint is for model \(meta["model"] ?? "?"), not \(modelName)")
        }
        var state: [String: Tensor] = [:]
        for (k, v) in t where k.hasPrefix("model.") { state[String(k.dropFirst(6))] = v }
        try model.loadStateDict(state)
        for i in opt.buffers.indices { opt.buffers[i] = t["optim.momentum.\(i)"] }
        let done = Int(meta["epoch"] ?? "0") ?? 0
        firstEpoch = done + 1
        globalStep = Int(meta["step"] ?? "0") ?? 0
        loader.epoch = done
        Generator.default.stateWords = (UInt64(meta["rng_seed"] ?? "0") ?? 0, UInt64(meta["rng_offset"] ?? "0") ?? 0)
        print("resumed from \(options["resume"]!) after epoch \(done)")
    } catch { fail("cannot resume: \(error)") }
}

func saveCheckpoint(epoch: Int) {
    var t: [String: Tensor] = [:]
    for (k, v) in model.stateDict() { t["model." + k] = v }
    for (i, b) in opt.buffers.enumerated() { if let b { t["optim.momentum.\(i)"] = b } }
    let rng = Generator.default.stateWords
    let meta = [
        "model": modelName, "epoch": String(epoch), "step": String(globalStep), "lr": String(lr),
        "rng_seed": String(rng.seed), "rng_offset": String(rng.offset),
    ]
    do { try SafeTensors.save(t, metadata: meta, to: checkpointPath) } catch {
        fail("cannot save checkpoint: \(error)")
    }
}

let isTTY = isatty(1) != 0
print(
    "training \(modelName) on \(trainX.shape[0]) Fashion-MNIST images, \(epochs) epochs, batch \(batch), lr \(lr), "
        + "\(Torch.numThreads) threads"
        + (dataParallel ? ", data-parallel on \(Torch.distributed.worldSize) processes" : "")
)

func evaluate() -> Double {
    model.eval()
    defer { model.train() }
    var correct = 0
    Torch.noGrad {
        for b in DataLoader(TensorDataset(test.data, test.labels), batchSize: 1000) {
            correct += (model(normalise(b[0])).argmax(dim: 1) .== b[1]).sum().item(Int.self)
        }
    }
    return Double(correct) / Double(test.count)
}

for epoch in firstEpoch...max(firstEpoch, epochs) where epoch <= epochs {
    let t0 = now()
    var running = 0.0, seen = 0, step = 0
    let total = loader.count
    /// One optimisation step, with the progress line.
    func trainStep(_ pixels: Tensor, _ y: Tensor) {
        let x = normalise(pixels)
        let loss = crossEntropy(net(x), y)
        opt.zeroGrad()
        loss.backward()
        opt.step()
        step += 1
        globalStep += 1
        seen += x.shape[0]
        if globalStep % 100 == 0 { try? writer?.addScalar("loss/train", loss.item(), step: globalStep) }
        running = step == 1 ? loss.item() : 0.98 * running + 0.02 * loss.item()
        let elapsed = now() - t0
        let rate = Double(seen) / elapsed
        if isTTY {
            let width = 30, filled = width * step / total
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            let left = Double(total - step) * elapsed / Double(step)
            print(
                "\repoch \(epoch)/\(epochs) [\(bar)] \(step)/\(total) loss \(fmt(running)) \(Int(rate)) samples/s "
                    + "eta \(Int(left))s",
                terminator: "")
            fflush(stdout)
        } else if step % 200 == 0 || step == total {
            print("epoch \(epoch) step \(step)/\(total) loss \(fmt(running)) \(Int(rate)) samples/s")
        }
    }
    sampler?.setEpoch(epoch)
    let batches = loader.makeIterator()
    // `--profile`: the first steps of the run inside the profiler, then on as usual.
    if let path = parsed.profile, epoch == firstEpoch, isRankZero {
        var profiled = 0
        let prof = Torch.profiler.profile(recordShapes: true, profileMemory: true, withStack: true) {
            while profiled < 20, let b = batches.next() {
                trainStep(b[0], b[1])
                profiled += 1
            }
        }
        do { try prof.exportChromeTrace(path) } catch { fail("cannot write the profile: \(error)") }
        print(prof.keyAverages().table(sortBy: .selfCPUTime, rowLimit: 15))
        print("profiled \(profiled) steps: Chrome trace in \(path)")
    }
    while let b = batches.next() { trainStep(b[0], b[1]) }
    if isTTY { print("") }
    notePhase("training")
    let evalStart = now()
    let acc = isRankZero ? evaluate() : 0
    notePhase("evaluation")
    if getenv("TORCH_TRAIN_VERBOSE") != nil { print("evaluation took \(fmt(now() - evalStart))s") }
    print("epoch \(epoch) done in \(fmt(now() - t0))s: train loss \(fmt(running)), test accuracy \(fmt(acc))")
    try? writer?.addScalar("accuracy/test", acc, step: globalStep)
    try? writer?.addScalar("lr", lr, step: globalStep)
    if isRankZero { saveCheckpoint(epoch: epoch) }
}

if let path = parsed.exportONNX, isRankZero {
    do {
        try Torch.onnx.export(
            model, [normalise(test.data.narrow(0, start: 0, length: 2))], to: path, inputNames: ["image"],
            outputNames: ["logits"],
            dynamicAxes: ["image": [0: "batch"], "logits": [0: "batch"]])
        let imageDims = normalise(test.data.narrow(0, start: 0, length: 1)).shape.dropFirst().map(String.init).joined(
            separator: ", ")
        print("exported \(modelName) to \(path) (ONNX opset 17, input image [batch, \(imageDims)])")
    } catch { fail("cannot export ONNX: \(error)") }
}

if dataParallel { Torch.distributed.destroyProcessGroup() }
let peaks = phasePeaks.map { "\($0.0) \(mib($0.1))" }.joined(separator: ", ")
print("peak resident memory \(mib(phasePeaks.map(\.1).max() ?? 0)) MiB (\(peaks))")

/// Records the peak resident memory of the phase that just ended (the largest over epochs) and
/// starts measuring the next one afresh.
func notePhase(_ name: String) {
    let stats = Torch.cpu.memoryStats()
    if getenv("TORCH_TRAIN_VERBOSE") != nil { print("after \(name): \(stats)") }
    let peak = stats.peakResident
    if let i = phasePeaks.firstIndex(where: { $0.0 == name }) {
        phasePeaks[i].1 = max(phasePeaks[i].1, peak)
    } else {
        phasePeaks.append((name, peak))
    }
    Torch.cpu.resetPeakMemoryStats()
}

func mib(_ bytes: Int) -> String { String(Double(bytes / 104_858) / 10) }

/// The mean and (unbiased) standard deviation of all pixels as floats in [0, 1], from the 256-bin
/// histogram: exact, and without a float copy of the dataset.
func pixelStatistics(_ pixels: Tensor) -> (Double, Double) {
    var counts = [Double](repeating: 0, count: 256)
    pixels.contiguous().withUnsafeBufferPointer(UInt8.self) { p in for v in p { counts[Int(v)] += 1 } }
    let n = counts.reduce(0, +)
    var sum = 0.0
    for (v, c) in counts.enumerated() { sum += c * Double(v) / 255 }
    let m = sum / n
    var squares = 0.0
    for (v, c) in counts.enumerated() {
        let d = Double(v) / 255 - m
        squares += c * d * d
    }
    return (m, (squares / (n - 1)).squareRoot())
}

func fmt(_ v: Double) -> String {
    let r = (v * 10_000).rounded() / 10_000
    return String(r)
}
