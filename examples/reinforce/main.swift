// REINFORCE on CartPole, written as PyTorch's examples/reinforcement_learning/reinforce.py:
// a policy network, `Categorical(probs:)` to sample actions and score them with `logProb`.
// CartPole is simulated here with the same physics as Gym's CartPole-v0 (200 steps, solved at a
// running reward of 195).
//
//   swift run -c release reinforce-example [--seed 543] [--episodes 3000]
import Foundation
import SwiftTorch

/// Gym's CartPole dynamics (Euler integration, 0.02 s steps).
struct CartPole {
    var state = [Double](repeating: 0, count: 4)
    var steps = 0
    let g = 9.8, massCart = 1.0, massPole = 0.1, length = 0.5, forceMag = 10.0, tau = 0.02
    let generator: Generator

    mutating func reset() -> [Double] {
        state = Tensor.rand([4], dtype: .float64, generator: generator).toArray(Double.self).map { $0 * 0.1 - 0.05 }
        steps = 0
        return state
    }

    /// Applies the action (0: push left, 1: push right); returns the state, reward and whether it ended.
    mutating func step(_ action: Int) -> ([Double], Double, Bool) {
        var (x, xDot, theta, thetaDot) = (state[0], state[1], state[2], state[3])
        let force = action == 1 ? forceMag : -forceMag
        let total = massCart + massPole, poleMassLength = massPole * length
        let cosT = cos(theta), sinT = sin(theta)
        let temp = (force + poleMassLength * thetaDot * thetaDot * sinT) / total
        let thetaAcc = (g * sinT - cosT * temp) / (length * (4.0 / 3.0 - massPole * cosT * cosT / total))
        let xAcc = temp - poleMassLength * thetaAcc * cosT / total
        x += tau * xDot
        xDot += tau * xAcc
        theta += tau * thetaDot
        thetaDot += tau * thetaAcc
        state = [x, xDot, theta, thetaDot]
        steps += 1
        let done = abs(x) > 2.4 || abs(theta) > 12 * 2 * Double.pi / 360 || steps >= 200
        return (state, 1, done)
    }
}

var seed: UInt64 = 543
var maxEpisodes = 3000
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    if a == "--seed", let v = args.next() { seed = UInt64(v) ?? seed }
    if a == "--episodes", let v = args.next() { maxEpisodes = Int(v) ?? maxEpisodes }
}
Torch.manualSeed(seed)
var env = CartPole(generator: Generator(seed: seed))

let policy = Sequential(Linear(4, 128), Dropout(0.6), ReLU(), Linear(128, 2))
let optimizer = Adam(policy.parameters(), lr: 1e-2)
let gamma = 0.99
let eps = Double.ulpOfOne

var runningReward = 10.0
for episode in 1...maxEpisodes {
    var state = env.reset()
    var logProbs: [Tensor] = []
    var rewards: [Double] = []
    var done = false
    while !done {
        let probs = policy(Tensor([state.map { Float($0) }])).softmax(dim: 1)
        let m = Categorical(probs: probs)
        let action = m.sample()
        logProbs.append(m.logProb(action))
        let (next, reward, finished) = env.step(Int(action.item()))
        state = next
        rewards.append(reward)
        done = finished
    }
    let episodeReward = rewards.reduce(0, +)
    runningReward = 0.05 * episodeReward + 0.95 * runningReward

    // finish_episode: discounted returns, normalised, times -log π(a|s).
    var returns: [Float] = []
    var r = 0.0
    for reward in rewards.reversed() {
        r = reward + gamma * r
        returns.insert(Float(r), at: 0)
    }
    var ret = Tensor(returns)
    ret = (ret - ret.mean()) / (ret.std() + eps)
    let loss = (-Tensor.cat(logProbs) * ret).sum()
    optimizer.zeroGrad()
    loss.backward()
    optimizer.step()

    if episode % 10 == 0 {
        print(
            String(format: "Episode %d\tLast reward: %.2f\tAverage reward: %.2f", episode, episodeReward, runningReward)
        )
    }
    if runningReward > 195 {
        print(
            String(
                format: "Solved! Running reward is now %.2f and the last episode runs to %.0f time steps!",
                runningReward, episodeReward))
        break
    }
}
