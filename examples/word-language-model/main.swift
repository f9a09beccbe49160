// PyTorch's examples/word_language_model (main.py, model.py, data.py), line by line: an LSTM
// (RNNModel, with tied weights) or a Transformer encoder (TransformerModel) language model,
// truncated backpropagation through time, gradient clipping, a hand-written SGD step and
// annealing of the learning rate. The corpus is generated here (sentences of a small random
// grammar over 40 words), so nothing is downloaded; its structure gives the models something to
// learn, and perplexity falls far below the vocabulary size.
//
//   swift run -c release word-language-model-example [--model LSTM|Transformer] [--epochs 6]
//       [--emsize 64] [--nhid 64] [--nlayers 2] [--lr 20] [--bptt 35] [--batch-size 20]
//       [--sentences 4000] [--tied 1]
import Foundation
import SwiftTorch

var modelType = "LSTM", epochs = 6, emsize = 64, nhid = 64, nlayers = 2, bptt = 35, batchSize = 20
var lr = 20.0, clip = 0.25, dropoutP = 0.2, sentences = 4000, nhead = 2, tied = true, logInterval = 50
var seed: UInt64 = 1111
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    guard let v = args.next() else { break }
    switch a {
    case "--model": modelType = v
    case "--epochs": epochs = Int(v) ?? epochs
    case "--emsize": emsize = Int(v) ?? emsize
    case "--nhid": nhid = Int(v) ?? nhid
    case "--nlayers": nlayers = Int(v) ?? nlayers
    case "--lr": lr = Double(v) ?? lr
    case "--bptt": bptt = Int(v) ?? bptt
    case "--batch-size": batchSize = Int(v) ?? batchSize
    case "--sentences": sentences = Int(v) ?? sentences
    case "--tied": tied = v != "0"
    case "--seed": seed = UInt64(v) ?? seed
    case "--log-interval": logInterval = Int(v) ?? logInterval
    default: print("unknown option \(a)"); exit(2)
    }
}
Torch.manualSeed(seed)

// MARK: data.py: a Dictionary and a Corpus of three splits, words → ids with <eos>.

final class Dictionary {
    var word2idx: [String: Int] = [:]
    var idx2word: [String] = []
    func addWord(_ word: String) -> Int {
        if let i = word2idx[word] { return i }
        idx2word.append(word)
        word2idx[word] = idx2word.count - 1
        return idx2word.count - 1
    }
    var count: Int { idx2word.count }
}

/// Sentences of a small grammar: determiner, adjectives, noun, verb, an optional object phrase.
func generateText(_ n: Int, seed: UInt64) -> [String] {
    var state = seed
    func next(_ k: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(k))
    }
    let dets = ["the", "a", "every", "no"], adjs = ["small", "red", "quiet", "old", "happy", "dark"]
    let nouns = ["cat", "dog", "bird", "child", "farmer", "river", "house", "tree", "king", "ship"]
    let verbs = ["sees", "likes", "finds", "follows", "paints", "builds", "hears", "leaves"]
    let preps = ["near", "under", "behind", "beside"]
    func phrase() -> [String] {
        var p = [dets[next(dets.count)]]
        for _ in 0..<next(3) { p.append(adjs[next(adjs.count)]) }
        p.append(nouns[next(nouns.count)])
        if next(4) == 0 { p += [preps[next(preps.count)], dets[next(dets.count)], nouns[next(nouns.count)]] }
        return p
    }
    return (0..<n).map { _ in (phrase() + [verbs[next(verbs.count)]] + phrase()).joined(separator: " ") }
}

final class Corpus {
    let dictionary = Dictionary()
    var train = Tensor.zeros([0], dtype: .int64), valid = Tensor.zeros([0], dtype: .int64)
    var test = Tensor.zeros([0], dtype: .int64)
    init(sentences n: Int) {
        let text = generateText(n + n / 10 + n / 10, seed: 42)
        train = tokenize(Array(text[..<n]))
        valid = tokenize(Array(text[n..<(n + n / 10)]))
        test = tokenize(Array(text[(n + n / 10)...]))
    }
    func tokenize(_ lines: [String]) -> Tensor {
        var ids: [Int64] = []
        for line in lines {
            for word in line.split(separator: " ").map(String.init) + ["<eos>"] {
                ids.append(Int64(dictionary.addWord(word)))
            }
        }
        return Tensor(shape: [ids.count], scalars: ids)
    }
}

// MARK: model.py

/// Container module with an encoder, a recurrent module, and a decoder.
final class RNNModel: Module, Forward2 {
    let ntoken: Int, nhid: Int, nlayers: Int
    let drop: Dropout
    let encoder: Embedding
    let rnn: LSTM
    let decoder: Linear

    init(ntoken: Int, ninp: Int, nhid: Int, nlayers: Int, dropout: Double = 0.5, tieWeights: Bool = false) {
        (self.ntoken, self.nhid, self.nlayers) = (ntoken, nhid, nlayers)
        drop = Dropout(dropout)
        encoder = Embedding(ntoken, ninp)
        rnn = LSTM(ninp, nhid, numLayers: nlayers, dropout: dropout)
        decoder = Linear(nhid, ntoken)
        super.init()
        // "Using the Output Embedding to Improve Language Models" (Press & Wolf 2016)
        if tieWeights {
            precondition(nhid == ninp, "When using the tied flag, nhid must be equal to emsize")
            decoder.weight = encoder.weight
        }
        initWeights()
    }

    func initWeights() {
        let initrange = 0.1
        Init.uniform_(encoder.weight, -initrange, initrange)
        Init.zeros_(decoder.bias!)
        Init.uniform_(decoder.weight, -initrange, initrange)
    }

    func forward(_ input: Tensor, _ hidden: (Tensor, Tensor)) -> (Tensor, (Tensor, Tensor)) {
        let emb = drop(encoder(input))
        let (output, newHidden) = rnn(emb, hidden)
        let decoded = decoder(drop(output)).view([-1, ntoken])
        return (logSoftmax(decoded, dim: 1), newHidden)
    }

    func initHidden(_ bsz: Int) -> (Tensor, Tensor) {
        (Tensor.zeros([nlayers, bsz, nhid]), Tensor.zeros([nlayers, bsz, nhid]))
    }
}

/// Injects the position of each token with sines and cosines of different frequencies.
final class PositionalEncoding: Module {
    let dropout: Dropout
    let pe: Tensor
    init(dModel: Int, dropout: Double = 0.1, maxLen: Int = 5000) {
        self.dropout = Dropout(dropout)
        let position = Tensor.arange(maxLen, dtype: .float32).unsqueeze(1)
        let divTerm = (Tensor.arange(0, dModel, step: 2, dtype: .float32) * (-Foundation.log(10000.0) / Double(dModel)))
            .exp()
        let pe = Tensor.zeros([maxLen, dModel])
        pe[.all, .slice(0, nil, step: 2)] = (position * divTerm).sin()
        pe[.all, .slice(1, nil, step: 2)] = (position * divTerm).cos()
        self.pe = pe.unsqueeze(0).transpose(0, 1)
        super.init()
        registerBuffer("pe", self.pe)
    }
    override func forward(_ x: Tensor) -> Tensor {
        dropout(x + pe.narrow(0, start: 0, length: x.shape[0]))
    }
}

/// Container module with an encoder, a positional encoding, a Transformer encoder and a decoder.
final class TransformerModel: Module {
    let ninp: Int
    let inputEmb: Embedding
    let posEncoder: PositionalEncoding
    let encoder: TransformerEncoder
    let decoder: Linear
    var srcMask: Tensor?

    init(ntoken: Int, ninp: Int, nhead: Int, nhid: Int, nlayers: Int, dropout: Double = 0.5) {
        self.ninp = ninp
        inputEmb = Embedding(ntoken, ninp)
        posEncoder = PositionalEncoding(dModel: ninp, dropout: dropout)
        encoder = TransformerEncoder(TransformerEncoderLayer(ninp, nhead, nhid, dropout), numLayers: nlayers)
        decoder = Linear(ninp, ntoken)
        super.init()
        let initrange = 0.1
        Init.uniform_(inputEmb.weight, -initrange, initrange)
        Init.zeros_(decoder.bias!)
        Init.uniform_(decoder.weight, -initrange, initrange)
    }

    override func forward(_ src: Tensor) -> Tensor {
        if srcMask == nil || srcMask!.shape[0] != src.shape[0] {
            srcMask = Transformer.generateSquareSubsequentMask(src.shape[0])
        }
        var x = inputEmb(src) * Double(ninp).squareRoot()
        x = posEncoder(x)
        let output = decoder(encoder(x, mask: srcMask))
        return logSoftmax(output, dim: -1)
    }
}

// MARK: main.py

/// Starting from sequential data, arranges the dataset into `bsz` columns.
func batchify(_ data: Tensor, _ bsz: Int) -> Tensor {
    let nbatch = data.shape[0] / bsz
    return data.narrow(0, start: 0, length: nbatch * bsz).view([bsz, -1]).t().contiguous()
}

let corpus = Corpus(sentences: sentences)
let evalBatchSize = 10
let trainData = batchify(corpus.train, batchSize)
let valData = batchify(corpus.valid, evalBatchSize)
let testData = batchify(corpus.test, evalBatchSize)
let ntokens = corpus.dictionary.count

let lstm: RNNModel? =
    modelType == "LSTM"
    ? RNNModel(ntoken: ntokens, ninp: emsize, nhid: nhid, nlayers: nlayers, dropout: dropoutP, tieWeights: tied) : nil
let transformer: TransformerModel? =
    modelType == "Transformer"
    ? TransformerModel(ntoken: ntokens, ninp: emsize, nhead: nhead, nhid: nhid, nlayers: nlayers, dropout: dropoutP)
    : nil
guard let model: Module = lstm ?? transformer else {
    print("unknown model \(modelType) (LSTM or Transformer)")
    exit(2)
}
let criterion = NLLLoss()

/// Wraps hidden states in new tensors, to detach them from their history.
func repackageHidden(_ h: (Tensor, Tensor)) -> (Tensor, Tensor) { (h.0.detach(), h.1.detach()) }

/// The chunk of `bptt` rows at `i` and its targets one step ahead.
func getBatch(_ source: Tensor, _ i: Int) -> (Tensor, Tensor) {
    let seqLen = Swift.min(bptt, source.shape[0] - 1 - i)
    let data = source.narrow(0, start: i, length: seqLen)
    let target = source.narrow(0, start: i + 1, length: seqLen).reshape([-1])
    return (data, target)
}

func evaluate(_ dataSource: Tensor) -> Double {
    model.eval()  // Turn on evaluation mode which disables dropout.
    var totalLoss = 0.0
    var hidden = lstm?.initHidden(evalBatchSize)
    Torch.noGrad {
        for i in stride(from: 0, to: dataSource.shape[0] - 1, by: bptt) {
            let (data, targets) = getBatch(dataSource, i)
            let output: Tensor
            if let lstm {
                let (o, h) = lstm(data, hidden!)
                (output, hidden) = (o, repackageHidden(h))
            } else {
                output = model(data).view([-1, ntokens])
            }
            totalLoss += Double(data.shape[0]) * criterion(output, targets).item()
        }
    }
    return totalLoss / Double(dataSource.shape[0] - 1)
}

func train(epoch: Int) {
    model.train()  // Turn on training mode which enables dropout.
    var totalLoss = 0.0
    var start = Date()
    var hidden = lstm?.initHidden(batchSize)
    for (batch, i) in stride(from: 0, to: trainData.shape[0] - 1, by: bptt).enumerated() {
        let (data, targets) = getBatch(trainData, i)
        // Starting each batch, we detach the hidden state from how it was previously produced.
        // If we didn't, the model would try backpropagating all the way to start of the dataset.
        model.zeroGrad()
        let output: Tensor
        if let lstm {
            let (o, h) = lstm(data, repackageHidden(hidden!))
            (output, hidden) = (o, h)
        } else {
            output = model(data).view([-1, ntokens])
        }
        let loss = criterion(output, targets)
        loss.backward()
        // `clip_grad_norm` helps prevent the exploding gradient problem in RNNs / LSTMs.
        _ = clipGradNorm(model.parameters(), maxNorm: clip)
        Torch.noGrad {
            for p in model.parameters() { p.data.add_(p.grad!, alpha: -lr) }
        }
        totalLoss += loss.item()
        if batch % logInterval == 0 && batch > 0 {
            let curLoss = totalLoss / Double(logInterval)
            let ms = Date().timeIntervalSince(start) * 1000 / Double(logInterval)
            print(
                String(
                    format: "| epoch %3d | %5d/%5d batches | lr %02.2f | ms/batch %5.2f | loss %5.2f | ppl %8.2f",
                    epoch, batch, trainData.shape[0] / bptt, lr, ms, curLoss, Foundation.exp(curLoss)))
            totalLoss = 0
            start = Date()
        }
    }
}

// Loop over epochs.
var bestValLoss: Double? = nil
for epoch in 1...epochs {
    let epochStart = Date()
    train(epoch: epoch)
    let valLoss = evaluate(valData)
    print(String(repeating: "-", count: 89))
    print(
        String(
            format: "| end of epoch %3d | time: %5.2fs | valid loss %5.2f | valid ppl %8.2f", epoch,
            Date().timeIntervalSince(epochStart), valLoss, Foundation.exp(valLoss)))
    print(String(repeating: "-", count: 89))
    if bestValLoss == nil || valLoss < bestValLoss! {
        bestValLoss = valLoss
    } else {
        // Anneal the learning rate if no improvement has been seen in the validation dataset.
        lr /= 4.0
    }
}

// Run on test data.
let testLoss = evaluate(testData)
print(String(repeating: "=", count: 89))
print(String(format: "| End of training | test loss %5.2f | test ppl %8.2f", testLoss, Foundation.exp(testLoss)))
print(String(repeating: "=", count: 89))
