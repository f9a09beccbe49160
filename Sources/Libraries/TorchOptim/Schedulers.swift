import Torch
import TorchBase
import RealModule

// Learning-rate schedulers (`torch.optim.lr_scheduler`).

/// State that a scheduler saves into a checkpoint (string metadata, like the optimizers').
public protocol SchedulerState: AnyObject {
    func stateDict() -> [String: String]
    func loadStateDict(_ state: [String: String]) throws
}

/// Learning-rate schedulers (`torch.optim.lr_scheduler`): call `step()` once per epoch (or step)
/// after the optimizer's step; the optimizer's `lr` follows the closed-form schedule of the
/// epoch count, from each group's initial learning rate.
public final class LRScheduler: SchedulerState {
    /// The optimizer whose groups' learning rates this sets.
    public let optimizer: Optimizer
    /// Each group's initial learning rate (PyTorch's `base_lrs`).
    public let baseLRs: [Double]
    public private(set) var lastEpoch = 0
    let schedule: (_ epoch: Int, _ base: Double) -> Double

    /// PyTorch's chainable form (`get_lr()` from the group's current rate) for the step to
    /// `epoch`, as `ChainedScheduler` applies it; nil for the closed-form schedules, which set
    /// `schedule(epoch, base)` whatever the rate was.
    var recursive: ((_ epoch: Int, _ lr: Double, _ base: Double) -> Double)?

    /// The rate this scheduler sets at `epoch` when the group's rate is `lr` (in a chain).
    func chainStep(_ epoch: Int, _ lr: Double, _ base: Double) -> Double {
        recursive?(epoch, lr, base) ?? schedule(epoch, base)
    }

    /// `self` with its chainable form set.
    func chaining(_ f: @escaping (_ epoch: Int, _ lr: Double, _ base: Double) -> Double) -> LRScheduler {
        recursive = f
        return self
    }

    /// Momentum (or Adam's beta1) by epoch, for schedules that cycle it (`oneCycleLR`).
    let momentumSchedule: ((_ epoch: Int) -> Double)?
    let momentumKey: String

    /// A scheduler setting each group's rate to `schedule(epoch, base)`.
    ///
    /// ```swift
    /// let s = LRScheduler(opt) { epoch, base in base * 0.95 }
    /// ```
    public init(_ optimizer: Optimizer, schedule: @escaping (_ epoch: Int, _ base: Double) -> Double) {
        self.optimizer = optimizer
        for g in optimizer.paramGroups where g.initialLR == nil { g.initialLR = g.lr ?? 0 }
        baseLRs = optimizer.paramGroups.map { $0.initialLR! }
        self.schedule = schedule
        momentumSchedule = nil
        momentumKey = ""
        apply()
    }

    /// A schedule that also sets each group's momentum ("momentum", or "beta1" for Adam-style
    /// optimizers) every step.
    init(
        _ optimizer: Optimizer, schedule: @escaping (_ epoch: Int, _ base: Double) -> Double,
        momentum: @escaping (_ epoch: Int) -> Double, file: StaticString = #fileID, line: UInt = #line
    ) {
        self.optimizer = optimizer
        for g in optimizer.paramGroups where g.initialLR == nil { g.initialLR = g.lr ?? 0 }
        baseLRs = optimizer.paramGroups.map { $0.initialLR! }
        self.schedule = schedule
        let defaults = (optimizer as? BaseOptimizer)?.defaults ?? [:]
        if defaults["momentum"] != nil {
            momentumKey = "momentum"
        } else if defaults["beta1"] != nil {
            momentumKey = "beta1"
        } else {
            torchFail(
                "OneCycleLR", "optimizer must support momentum or beta1 with `cycle_momentum` option enabled",
                file: file, line: line)
        }
        momentumSchedule = momentum
        apply()
    }

    func apply() {
        for (g, b) in zip(optimizer.paramGroups, baseLRs) { g.lr = schedule(lastEpoch, b) }
        if let momentumSchedule {
            let m = momentumSchedule(lastEpoch)
            for g in optimizer.paramGroups { g.options[momentumKey] = m }
        }
    }

    /// Advances one epoch and sets the new learning rates. `opt.step(); sched.step()`
    public func step() {
        lastEpoch += 1
        apply()
    }

    /// Continues a schedule from `epoch` (for resuming).
    public func setEpoch(_ epoch: Int) {
        lastEpoch = epoch
        apply()
    }

    /// The first group's current learning rate.
    public var lastLR: Double { optimizer.lr }

    /// The epoch count, for checkpoints (PyTorch's `last_epoch`).
    public func stateDict() -> [String: String] {
        ["last_epoch": String(lastEpoch), "base_lrs": baseLRs.map { String($0) }.joined(separator: ",")]
    }

    /// Restores the epoch count and the learning rates it implies.
    public func loadStateDict(_ state: [String: String]) throws {
        guard let e = state["last_epoch"].flatMap({ Int($0) }) else {
            throw TorchError("scheduler state dict has no integer last_epoch: \(state)")
        }
        setEpoch(e)
    }

    /// `base · gamma^(epoch / stepSize)`.
    public static func stepLR(_ o: Optimizer, stepSize: Int, gamma: Double = 0.1) -> LRScheduler {
        LRScheduler(o) { e, b in b * Double.pow(gamma, Double(e / stepSize)) }
            .chaining { e, lr, _ in e == 0 || e % stepSize != 0 ? lr : lr * gamma }
    }
    /// `base · gamma^(number of milestones ≤ epoch)`.
    public static func multiStepLR(_ o: Optimizer, milestones: [Int], gamma: Double = 0.1) -> LRScheduler {
        LRScheduler(o) { e, b in b * Double.pow(gamma, Double(milestones.filter { $0 <= e }.count)) }
            .chaining { e, lr, _ in lr * Double.pow(gamma, Double(milestones.filter { $0 == e }.count)) }
    }
    /// `base · gamma^epoch`. `LRScheduler.exponentialLR(opt, gamma: 0.9)`
    public static func exponentialLR(_ o: Optimizer, gamma: Double) -> LRScheduler {
        LRScheduler(o) { e, b in b * Double.pow(gamma, Double(e)) }.chaining { e, lr, _ in e == 0 ? lr : lr * gamma }
    }
    /// `etaMin + (base - etaMin)(1 + cos(π · epoch / tMax)) / 2`.
    public static func cosineAnnealingLR(_ o: Optimizer, tMax: Int, etaMin: Double = 0) -> LRScheduler {
        LRScheduler(o) { e, b in etaMin + (b - etaMin) * (1 + Double.cos(Double.pi * Double(e) / Double(tMax))) / 2 }
            .chaining { e, lr, b in
                if e == 0 { return lr }
                let t = Double(tMax)
                if (e - 1 - tMax) % (2 * tMax) == 0 { return lr + (b - etaMin) * (1 - Double.cos(Double.pi / t)) / 2 }
                let ratio =
                    (1 + Double.cos(Double.pi * Double(e) / t)) / (1 + Double.cos(Double.pi * Double(e - 1) / t))
                return ratio * (lr - etaMin) + etaMin
            }
    }
    /// Linear factor from `startFactor` to `endFactor` over `totalIters` epochs.
    public static func linearLR(
        _ o: Optimizer, startFactor: Double = 1.0 / 3, endFactor: Double = 1, totalIters: Int = 5
    ) -> LRScheduler {
        LRScheduler(o) { e, b in
            b * (startFactor + (endFactor - startFactor) * Double(Swift.min(e, totalIters)) / Double(totalIters))
        }.chaining { e, lr, _ in
            if e == 0 { return lr * startFactor }
            if e > totalIters { return lr }
            let span = endFactor - startFactor
            return lr * (1 + span / (Double(totalIters) * startFactor + Double(e - 1) * span))
        }
    }
    /// `base · (1 − min(epoch, totalIters)/totalIters)^power` (`PolynomialLR`).
    /// `LRScheduler.polynomialLR(opt, totalIters: 100, power: 2)`
    public static func polynomialLR(_ o: Optimizer, totalIters: Int = 5, power: Double = 1) -> LRScheduler {
        LRScheduler(o) { e, b in
            b * Double.pow(1 - Double(Swift.min(e, totalIters)) / Double(totalIters), power)
        }.chaining { e, lr, _ in
            if e == 0 || e > totalIters { return lr }
            let n = Double(totalIters)
            return lr * Double.pow((1 - Double(e) / n) / (1 - Double(e - 1) / n), power)
        }
    }
    /// `base · factor` for the first `totalIters` epochs, then `base` (`ConstantLR`).
    /// `LRScheduler.constantLR(opt, factor: 0.5, totalIters: 4)`
    public static func constantLR(_ o: Optimizer, factor: Double = 1.0 / 3, totalIters: Int = 5) -> LRScheduler {
        LRScheduler(o) { e, b in e < totalIters ? b * factor : b }
            .chaining { e, lr, _ in e == 0 ? lr * factor : (e != totalIters ? lr : lr * (1 / factor)) }
    }
    /// `base · f(1) · f(2) ⋯ f(epoch)` (`MultiplicativeLR`: each step multiplies by f(epoch)).
    /// `LRScheduler.multiplicativeLR(opt) { _ in 0.95 }`
    public static func multiplicativeLR(_ o: Optimizer, _ f: @escaping (Int) -> Double) -> LRScheduler {
        LRScheduler(o) { e, b in (0..<Swift.max(e, 0)).reduce(b) { lr, i in lr * f(i + 1) } }
            .chaining { e, lr, _ in e > 0 ? lr * f(e) : lr }
    }
    /// `base · f(epoch)`. `LRScheduler.lambdaLR(opt) { 1 / Double($0 + 1) }`
    public static func lambdaLR(_ o: Optimizer, _ f: @escaping (Int) -> Double) -> LRScheduler {
        LRScheduler(o) { e, b in b * f(e) }
    }
}

/// Runs `schedulers` one after another, switching at `milestones` (each restarts its epoch
/// count at its milestone), as PyTorch's SequentialLR.
///
/// ```swift
/// let warmup = LRScheduler.linearLR(opt, startFactor: 0.1, totalIters: 5)
/// let decay = LRScheduler.exponentialLR(opt, gamma: 0.9)
/// let sched = SequentialLR(opt, schedulers: [warmup, decay], milestones: [5])
/// ```
public final class SequentialLR: SchedulerState {
    /// The optimizer whose groups' learning rates this sets.
    public let optimizer: Optimizer
    /// The schedulers, used one after the other.
    public let schedulers: [LRScheduler]
    /// The epochs at which the next scheduler takes over.
    public let milestones: [Int]
    public private(set) var lastEpoch = 0

    /// Runs `schedulers` in turn, switching at `milestones`.
    ///
    /// ```swift
    /// let s = SequentialLR(opt, schedulers: [warmup, cosine], milestones: [5])
    /// ```
    public init(_ optimizer: Optimizer, schedulers: [LRScheduler], milestones: [Int]) {
        precondition(
            schedulers.count == milestones.count + 1,
            "SequentialLR: expected \(milestones.count + 1) schedulers for \(milestones.count) milestones, got "
                + "\(schedulers.count)"
        )
        precondition(
            schedulers.allSatisfy { $0.optimizer === optimizer },
            "SequentialLR: every scheduler must drive the same optimizer")
        self.optimizer = optimizer
        self.schedulers = schedulers
        self.milestones = milestones
        apply()
    }

    func apply() {
        let idx = milestones.filter { $0 <= lastEpoch }.count
        let start = idx == 0 ? 0 : milestones[idx - 1]
        schedulers[idx].setEpoch(lastEpoch - start)
    }

    /// Advances one epoch in the scheduler whose turn it is.
    public func step() {
        lastEpoch += 1
        apply()
    }

    /// The first group's current learning rate.
    public var lastLR: Double { optimizer.lr }

    /// The epoch count, for checkpoints.
    public func stateDict() -> [String: String] { ["last_epoch": String(lastEpoch)] }

    /// Restores the epoch count.
    public func loadStateDict(_ state: [String: String]) throws {
        guard let e = state["last_epoch"].flatMap({ Int($0) }) else {
            throw TorchError("SequentialLR state dict has no integer last_epoch: \(state)")
        }
        lastEpoch = e
        apply()
    }
}

/// Applies several schedulers at every step (PyTorch's `ChainedScheduler`): each applies its
/// chainable form to the rate the one before it set, in order (a factor for the multiplicative
/// schedules, cosine annealing's recursion), and a closed-form schedule (lambda, one-cycle,
/// cyclic, warm restarts) sets its own value, as in PyTorch.
///
/// ```swift
/// let s = ChainedScheduler([LRScheduler.constantLR(opt, factor: 0.1, totalIters: 2),
///                           LRScheduler.exponentialLR(opt, gamma: 0.9)])
/// ```
public final class ChainedScheduler: SchedulerState {
    /// The optimizer the schedulers drive.
    public let optimizer: Optimizer
    /// The schedulers applied in order.
    public let schedulers: [LRScheduler]

    /// Chains `schedulers`, which must drive the same optimizer.
    public init(_ schedulers: [LRScheduler], file: StaticString = #fileID, line: UInt = #line) {
        guard let first = schedulers.first else {
            torchFail("ChainedScheduler", "expects at least one scheduler", file: file, line: line)
        }
        if !schedulers.allSatisfy({ $0.optimizer === first.optimizer }) {
            torchFail(
                "ChainedScheduler",
                "ChainedScheduler expects all schedulers to belong to the same optimizer, but got schedulers with "
                    + "different optimizers",
                file: file, line: line)
        }
        optimizer = first.optimizer
        self.schedulers = schedulers
        replay()
    }

    /// The rates from the initial ones through every step so far: the schedulers' construction
    /// steps (epoch 0) in order, then each epoch's steps (for a new chain and a restored one).
    func replay() {
        let last = schedulers.map(\.lastEpoch).max() ?? 0
        for (i, g) in optimizer.paramGroups.enumerated() {
            let base = schedulers[0].baseLRs[i]
            var lr = base
            for t in 0...last {
                for s in schedulers {
                    let e = s.lastEpoch - (last - t)
                    if e >= 0 { lr = s.chainStep(e, lr, s.baseLRs[i]) }
                }
            }
            g.lr = lr
        }
    }

    /// Steps every scheduler and sets the chained rate.
    public func step() {
        let current = optimizer.paramGroups.map { $0.lr ?? 0 }
        for s in schedulers { s.step() }
        for (i, g) in optimizer.paramGroups.enumerated() {
            g.lr = schedulers.reduce(current[i]) { lr, s in s.chainStep(s.lastEpoch, lr, s.baseLRs[i]) }
        }
    }

    /// The first group's current learning rate.
    public var lastLR: Double { optimizer.lr }

    /// Every scheduler's epoch count.
    public func stateDict() -> [String: String] {
        ["last_epochs": schedulers.map { String($0.lastEpoch) }.joined(separator: ",")]
    }

    /// Restores every scheduler's epoch count.
    public func loadStateDict(_ state: [String: String]) throws {
        let epochs = (state["last_epochs"] ?? "").split(separator: ",").compactMap { Int($0) }
        guard epochs.count == schedulers.count else {
            throw TorchError(
                "ChainedScheduler state dict has \(epochs.count) epochs for \(schedulers.count) schedulers")
        }
        for (s, e) in zip(schedulers, epochs) { s.setEpoch(e) }
        replay()
    }
}

extension LRScheduler {
    /// Cosine annealing restarted every `t0` epochs, periods growing by `tMult`.
    public static func cosineAnnealingWarmRestarts(_ o: Optimizer, t0: Int, tMult: Int = 1, etaMin: Double = 0)
        -> LRScheduler
    {
        LRScheduler(o) { e, b in
            // Walk the periods in integers: no rounding at the restarts.
            var tCur = e, tI = t0
            while tCur >= tI {
                tCur -= tI
                tI *= tMult
            }
            return etaMin + (b - etaMin) * (1 + Double.cos(Double.pi * Double(tCur) / Double(tI))) / 2
        }
    }

    /// The 1cycle policy (cosine annealing, two phases): up from maxLR/divFactor to maxLR over
    /// `pctStart` of the steps, then down to the initial rate / finalDivFactor. With
    /// `cycleMomentum` (the default, as PyTorch) the momentum (or Adam's beta1) moves the other way,
    /// from `maxMomentum` down to `baseMomentum` and back.
    ///
    /// ```swift
    /// let sched = LRScheduler.oneCycleLR(opt, maxLR: 0.1, totalSteps: 1000)
    /// ```
    public static func oneCycleLR(
        _ o: Optimizer, maxLR: Double, totalSteps: Int, pctStart: Double = 0.3,
        divFactor: Double = 25, finalDivFactor: Double = 1e4, cycleMomentum: Bool = true,
        baseMomentum: Double = 0.85, maxMomentum: Double = 0.95,
        file: StaticString = #fileID, line: UInt = #line
    ) -> LRScheduler {
        let initial = maxLR / divFactor, minLR = initial / finalDivFactor
        let phaseEnds = [pctStart * Double(totalSteps) - 1, Double(totalSteps - 1)]
        // One two-phase cosine curve through (start, peak, end).
        func curve(_ e: Int, _ values: (Double, Double, Double)) -> Double {
            let phases = [(phaseEnds[0], values.0, values.1), (phaseEnds[1], values.1, values.2)]
            var startStep = 0.0
            for (i, p) in phases.enumerated() {
                if Double(e) <= p.0 || i == phases.count - 1 {
                    let pct = (Double(e) - startStep) / (p.0 - startStep)
                    return p.2 + (p.1 - p.2) / 2 * (Double.cos(Double.pi * pct) + 1)
                }
                startStep = p.0
            }
            return values.2
        }
        let lr: (Int, Double) -> Double = { e, _ in curve(e, (initial, maxLR, minLR)) }
        if !cycleMomentum { return LRScheduler(o, schedule: lr) }
        return LRScheduler(
            o, schedule: lr, momentum: { e in curve(e, (maxMomentum, baseMomentum, maxMomentum)) },
            file: file, line: line)
    }
}

/// Lowers the learning rate by `factor` when a metric stops improving for `patience` epochs
/// (mode "min" or "max", relative threshold, cooldown, minimum rate), as PyTorch's ReduceLROnPlateau.
public final class ReduceLROnPlateau: SchedulerState {
    /// The optimizer whose groups' learning rates this lowers.
    public let optimizer: Optimizer
    /// The reduction factor, the epochs of patience, the relative improvement threshold, the cooldown, the lower bound
    /// and the direction.
    public let factor: Double, patience: Int, threshold: Double, cooldown: Int, minLR: Double, maximize: Bool
    /// Changes smaller than this are not applied (PyTorch's `eps`).
    public let eps: Double
    public private(set) var best: Double
    public private(set) var badEpochs = 0, cooldownLeft = 0, lastEpoch = 0

    /// Whether the watched metric should fall (a loss) or rise (an accuracy).
    public enum Mode: String, Sendable { case min, max }

    /// Watches a metric that should fall (`.min`) or rise (`.max`).
    ///
    /// ```swift
    /// let s = ReduceLROnPlateau(opt, mode: .max, patience: 3)
    /// ```
    public init(
        _ optimizer: Optimizer, mode: Mode = .min, factor: Double = 0.1, patience: Int = 10,
        threshold: Double = 1e-4, cooldown: Int = 0, minLR: Double = 0, eps: Double = 1e-8
    ) {
        precondition(factor < 1, "ReduceLROnPlateau: factor should be < 1.0, got \(factor)")
        self.optimizer = optimizer
        self.factor = factor; self.patience = patience; self.threshold = threshold
        self.cooldown = cooldown; self.minLR = minLR; self.eps = eps
        maximize = mode == .max
        best = maximize ? -.infinity : .infinity
    }

    /// Records this epoch's `metric`, lowering the rates after `patience` epochs without improvement.
    /// `s.step(valLoss)`
    public func step(_ metric: Double) {
        lastEpoch += 1
        let better = maximize ? metric > best * (1 + threshold) : metric < best * (1 - threshold)
        if better { best = metric; badEpochs = 0 } else { badEpochs += 1 }
        if cooldownLeft > 0 { cooldownLeft -= 1; badEpochs = 0 }
        if badEpochs > patience {
            for g in optimizer.paramGroups {
                let old = g.lr ?? 0
                let new = Swift.max(old * factor, minLR)
                if old - new > eps { g.lr = new }
            }
            cooldownLeft = cooldown
            badEpochs = 0
        }
    }

    /// The best value and counters, for checkpoints.
    public func stateDict() -> [String: String] {
        [
            "best": String(best), "num_bad_epochs": String(badEpochs), "cooldown_counter": String(cooldownLeft),
            "last_epoch": String(lastEpoch),
            "lrs": optimizer.paramGroups.map { String($0.lr ?? 0) }.joined(separator: ","),
        ]
    }

    /// Restores the best value and counters.
    public func loadStateDict(_ state: [String: String]) throws {
        guard let b = state["best"].flatMap(Double.init), let n = state["num_bad_epochs"].flatMap({ Int($0) }),
            let c = state["cooldown_counter"].flatMap({ Int($0) }), let e = state["last_epoch"].flatMap({ Int($0) })
        else {
            throw TorchError("ReduceLROnPlateau state dict is incomplete: \(state)")
        }
        best = b; badEpochs = n; cooldownLeft = c; lastEpoch = e
        if let lrs = state["lrs"]?.split(separator: ",").compactMap({ Double($0) }),
            lrs.count == optimizer.paramGroups.count
        {
            for (g, lr) in zip(optimizer.paramGroups, lrs) { g.lr = lr }
        }
    }
}

/// The policies of `LRScheduler.cyclicLR` (`mode`).
public enum CyclicMode: String, Sendable {
    /// A constant amplitude.
    case triangular
    /// The amplitude halved every cycle.
    case triangular2
    /// The amplitude scaled by gamma^iteration.
    case expRange = "exp_range"
}

extension LRScheduler {
    /// A learning rate cycling between `baseLR` and `maxLR` (`CyclicLR`, Smith's triangular
    /// policies): up over `stepSizeUp` steps, down over `stepSizeDown` (default the same). With
    /// `cycleMomentum` (the default) the momentum cycles the other way between `maxMomentum` and
    /// `baseMomentum`. The optimizer's own rate is replaced by `baseLR`, as PyTorch does.
    ///
    /// ```swift
    /// let sched = LRScheduler.cyclicLR(opt, baseLR: 0.001, maxLR: 0.1, stepSizeUp: 500)
    /// ```
    public static func cyclicLR(
        _ o: Optimizer, baseLR: Double, maxLR: Double, stepSizeUp: Int = 2000, stepSizeDown: Int? = nil,
        mode: CyclicMode = .triangular, gamma: Double = 1, cycleMomentum: Bool = true, baseMomentum: Double = 0.8,
        maxMomentum: Double = 0.9, file: StaticString = #fileID, line: UInt = #line
    ) -> LRScheduler {
        let total = Double(stepSizeUp + (stepSizeDown ?? stepSizeUp))
        let ratio = Double(stepSizeUp) / total
        // (scale factor within the cycle, the amplitude's scale) at an epoch.
        func position(_ e: Int) -> (Double, Double) {
            let cycle = (1 + Double(e) / total).rounded(.down)
            let x = 1 + Double(e) / total - cycle
            let factor = x <= ratio ? x / ratio : (x - 1) / (ratio - 1)
            switch mode {
            case .triangular: return (factor, 1)
            case .triangular2: return (factor, 1 / Double.pow(2, cycle - 1))
            case .expRange: return (factor, Double.pow(gamma, Double(e)))
            }
        }
        for g in o.paramGroups { g.initialLR = baseLR; g.lr = baseLR }
        let lr: (Int, Double) -> Double = { e, _ in
            let (f, s) = position(e)
            return baseLR + (maxLR - baseLR) * f * s
        }
        if !cycleMomentum { return LRScheduler(o, schedule: lr) }
        return LRScheduler(
            o, schedule: lr,
            momentum: { e in
                let (f, s) = position(e)
                return maxMomentum - (maxMomentum - baseMomentum) * f * s
            }, file: file, line: line)
    }
}
