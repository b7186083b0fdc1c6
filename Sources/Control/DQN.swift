import DataIO
import Forecast
import Foundation
import LinearAlgebra

/// The DQN's action-value network: dense layers with ReLU between them, on the project's own layers (gemm over
/// OpenBLAS, Float).
public struct QNetwork {
    var layers: [Dense<Float>]
    var activations: [Activation<Float>]

    /// `features -> hidden[0] -> ... -> actions`, Glorot-initialized from `seed`.
    public init(features: Int, hidden: [Int], actions: Int, seed: UInt64) {
        let sizes = [features] + hidden + [actions]
        layers = (0..<(sizes.count - 1)).map { Dense(inputs: sizes[$0], outputs: sizes[$0 + 1], seed: seed &+ UInt64($0) &* 7919) }
        activations = hidden.map { _ in Activation(.relu) }
    }

    public var features: Int { layers[0].inputs }
    public var hidden: [Int] { layers.dropLast().map(\.outputs) }
    public var actions: Int { layers[layers.count - 1].outputs }

    /// Every layer's weights and biases, in order.
    public var parameters: [[Float]] {
        get { layers.flatMap(\.parameters) }
        set {
            for k in layers.indices { layers[k].parameters = [newValue[2 * k], newValue[2 * k + 1]] }
        }
    }
    var gradients: [[Float]] { layers.flatMap(\.gradients) }

    mutating func forward(_ x: Matrix<Float>) throws -> Matrix<Float> {
        var h = x
        for k in layers.indices {
            h = try layers[k].forward(h)
            if k < activations.count { h = activations[k].forward(h) }
        }
        return h
    }

    mutating func backward(_ dy: Matrix<Float>) throws {
        var d = dy
        for k in layers.indices.reversed() {
            if k < activations.count { d = activations[k].backward(d) }
            d = try layers[k].backward(d)
        }
    }

    mutating func zeroGradients() { for k in layers.indices { layers[k].zeroGradients() } }
}

/// Deep Q-learning (Mnih et al. 2015) with the double-DQN target (van Hasselt et al. 2016): experience replay,
/// a target network synchronized every `targetSync` steps, Huber loss, Adam. The state is a vector of 15
/// features (``DQNPolicy/features(_:_:)``); the actions are the eight ``DiscreteAction``s. A policy may be an
/// ensemble of independently trained networks (`Network.members`, one by default): it takes the action whose
/// Q-value, summed over the members, is highest.
public struct DQNPolicy: BatteryPolicy {
    public let name = "dqn"
    /// The ensemble's members (one network or more, all of the same shape).
    public var networks: [QNetwork]
    public var batteryKW: Double

    public static let featureCount = 15

    /// A policy of one network or more; throws ``ControlError/invalidOption(name:detail:)`` when `networks` is empty.
    public init(networks: [QNetwork], batteryKW: Double) throws {
        guard !networks.isEmpty else { throw ControlError.invalidOption(name: "networks", detail: "a DQN policy needs at least one network") }
        self.networks = networks
        self.batteryKW = batteryKW
    }

    /// A policy of one network.
    public init(network: QNetwork, batteryKW: Double) {
        networks = [network]
        self.batteryKW = batteryKW
    }

    /// The state vector: time of day (sine, cosine), the battery's share of its usable range, the metered net load
    /// and the next four periods' forecast net load (per kW of battery power, 0 after the day's end), this
    /// period's import price and the mean of the rest of the day's (per the day's highest), the forecast PV surplus
    /// and deficit energy left in the day (per kWh of capacity), the allowed battery powers (per kW of battery
    /// power) and the share of the day left.
    public static func features(_ o: Observation, _ env: BatteryEnvironment) -> [Float] {
        let b = env.data.battery, p = max(1e-9, b.powerKW), T = Double(o.periodsPerDay)
        let angle = 2 * Double.pi * Double(o.period) / T
        var x: [Double] = [sin(angle), cos(angle), o.usableShare, o.netLoad / p]
        let ahead = Array(zip(o.forecastLoad, o.forecastPV).map { ($0 - $1) / p })
        for k in 0..<4 { x.append(k < ahead.count ? ahead[k] : 0) }
        let top = max(1e-9, env.data.grid.importPrice.max() ?? 1)
        x.append(o.importPrice.first! / top)
        x.append(o.importPrice.reduce(0, +) / Double(o.importPrice.count) / top)
        var surplus = 0.0, deficit = 0.0
        for (l, v) in zip(o.forecastLoad, o.forecastPV) {
            surplus += max(0, v - l) * env.data.dt
            deficit += max(0, l - v) * env.data.dt
        }
        let cap = max(1e-9, b.capacityKWh)
        x += [surplus / cap, deficit / cap, o.allowed.lowerBound / p, o.allowed.upperBound / p, (T - Double(o.period)) / T]
        return x.map { Float($0) }
    }

    /// The action values summed over the members.
    func values(_ x: [Float]) throws -> [Float] {
        let input = try Matrix(rows: 1, columns: x.count, elements: x)
        var sum: [Float] = []
        for member in networks {
            var net = member
            let q = try net.forward(input).elements
            sum = sum.isEmpty ? q : zip(sum, q).map { $0 + $1 }
        }
        return sum
    }

    static func argmax(_ v: ArraySlice<Float>) -> Int {
        var best = v.startIndex
        for k in v.indices where v[k] > v[best] { best = k }
        return best - v.startIndex
    }

    public func act(_ o: Observation, _ env: BatteryEnvironment) throws -> Double {
        let q = try values(Self.features(o, env))
        return DiscreteAction.allCases[Self.argmax(q[...])].power(o, batteryKW: batteryKW)
    }

    /// The DQN's own settings beside the common ones.
    public struct Network: Codable, Sendable, Equatable {
        public var hidden = [64, 64]
        public var batchSize = 64
        public var replayCapacity = 50_000
        /// Steps of random play before the first update.
        public var warmUpSteps = 1_000
        public var targetSync = 500
        public var huberDelta: Float = 1
        /// Steps of the returns the targets are built on: 1 is one-step Q-learning; n sums the next n rewards
        /// (discounted) and bootstraps from the state n steps later (Sutton 1988; Hessel et al. 2018's Rainbow).
        public var nStep = 1
        /// Networks in the ensemble, each trained on its own seed (the first on the settings' seed). 1 by default:
        /// five gained 0.015 and 0.007 of the perfect-foresight savings on two prosumers and lost 0.003 on a
        /// third (means over five seeds), for five times the training (README, *How much does the seed matter?*).
        public var members = 1
        public init() {}
    }

    /// The most members `rl train --members` takes.
    public static let maximumMembers = 100

    /// The DQN's defaults: 1,500 episodes, Adam at 1e-3, gamma 0.99, epsilon 1 -> 0.05 over 70 % of them.
    public static let defaultSettings = TrainingSettings(episodes: 1500, learningRate: 1e-3, discount: 0.99, evaluateEvery: 50)

    /// Trains `shape.members` networks on `days`, each on its own seed (the first on `settings.seed`, so one member
    /// is the single network of earlier versions). The members are independent, so they train at the same time (on
    /// as many cores as there are), each as it would alone. Rewards are the period's saving against the idle
    /// battery, per the most a period can cost at full battery power (so they are of order 1). The curve is the
    /// members' mean at each evaluation, and `kept` the ensemble's mean daily bill on the training days.
    /// `progress` gets the episodes played by all members so far, of all, one call at a time. Deterministic for
    /// `settings.seed`.
    public static func train(
        data: HouseholdDays, days: [Int], settings: TrainingSettings, network shape: Network = Network(),
        progress: (@Sendable (Int, Int, Double?) -> Void)? = nil
    ) throws -> (policy: DQNPolicy, curve: LearningCurve) {
        try settings.validate()
        guard !days.isEmpty else { throw ControlError.tooLittleHistory(needed: 1, got: 0, detail: "training") }
        guard shape.batchSize >= 1, shape.replayCapacity >= shape.batchSize, shape.targetSync >= 1, !shape.hidden.isEmpty,
            shape.hidden.allSatisfy({ $0 >= 1 && $0 <= 4096 })
        else { throw ControlError.invalidOption(name: "network", detail: "batch, replay, target sync and hidden sizes must be positive") }
        guard (1...1440).contains(shape.nStep) else {
            throw ControlError.invalidOption(name: "--n-step", detail: "must be in 1...1440, got \(shape.nStep)")
        }
        guard (1...maximumMembers).contains(shape.members) else {
            throw ControlError.invalidOption(name: "--members", detail: "must be in 1...\(maximumMembers), got \(shape.members)")
        }
        let tally = EpisodeTally(members: shape.members, episodes: settings.episodes, progress: progress)
        // Summed in member order once all have trained: the curve of a plain loop, whatever the timing.
        let members = try concurrentOutcomes(shape.members) { m in
            var own = settings
            own.seed = settings.seed &+ UInt64(m) &* 0x9E37_79B9_7F4A_7C15
            let (member, curve) = try trainOne(data: data, days: days, settings: own, shape: shape) { e, _, cost in
                tally.report(member: m, episodes: e, cost: cost)
            }
            // A network is not Sendable (its layers cache their last pass); its parameters are all it hands on.
            return (member.networks[0].parameters, curve)
        }.map { try $0.get() }
        var networks: [QNetwork] = []
        var curve = LearningCurve()
        for (parameters, memberCurve) in members {
            var network = QNetwork(features: featureCount, hidden: shape.hidden, actions: DiscreteAction.allCases.count, seed: 0)
            network.parameters = parameters
            networks.append(network)
            if curve.episodes.isEmpty {
                curve = memberCurve
            } else {
                for k in curve.meanDailyCost.indices { curve.meanDailyCost[k] += memberCurve.meanDailyCost[k] }
            }
        }
        var policy = try DQNPolicy(networks: networks, batteryKW: data.battery.powerKW)
        if shape.members > 1 {
            curve.meanDailyCost = curve.meanDailyCost.map { $0 / Double(shape.members) }
            curve.kept = try PolicyEvaluation.cost(ofStateless: &policy, data: data, days: days) / Double(days.count)
        }
        return (policy, curve)
    }

    /// Trains one network on `days` and keeps its parameters from the evaluation that scored best.
    static func trainOne(
        data: HouseholdDays, days: [Int], settings: TrainingSettings, shape: Network, progress: ((Int, Int, Double?) -> Void)?
    ) throws -> (policy: DQNPolicy, curve: LearningCurve) {
        let A = DiscreteAction.allCases.count, F = featureCount
        var policy = DQNPolicy(
            network: QNetwork(features: F, hidden: shape.hidden, actions: A, seed: settings.seed &+ 1), batteryKW: data.battery.powerKW)
        var target = policy.networks[0]
        var adam = Adam<Float>(learningRate: Float(settings.learningRate), clipNorm: 10)
        var rng = SeededGenerator(seed: settings.seed)
        var env = BatteryEnvironment(data: data)
        let scale = max(1e-9, data.battery.powerKW * data.dt * (data.grid.importPrice.max() ?? 1))
        var replay = ReplayBuffer(capacity: shape.replayCapacity)
        var steps = 0
        var curve = LearningCurve()
        var best: (cost: Double, parameters: [[Float]])?
        let gamma = Float(settings.discount)
        for episode in 0..<settings.episodes {
            env.reset(day: days[Int(rng.next() % UInt64(days.count))])
            let eps = settings.epsilon(episode: episode)
            var o = env.observation
            var x = features(o, env)
            var returns = NStepReturns(steps: shape.nStep, gamma: gamma)
            while !env.isDone {
                let a = rng.uniform(0, 1) < eps || steps < shape.warmUpSteps ? Int(rng.next() % UInt64(A)) : argmax(try policy.values(x)[...])
                let idle = env.idleBill(day: env.day, period: env.period)
                let out = env.step(DiscreteAction.allCases[a].power(o, batteryKW: policy.batteryKW))
                let done = env.isDone
                var next = x
                if !done {
                    o = env.observation
                    next = features(o, env)
                }
                for t in returns.add(state: x, action: a, reward: Float((idle - out.bill) / scale), next: next, done: done) { replay.add(t) }
                x = next
                steps += 1
                if steps >= shape.warmUpSteps, replay.count >= shape.batchSize {
                    let batch = replay.sample(shape.batchSize, &rng)
                    try learn(&policy.networks[0], target: &target, adam: &adam, batch: batch, huberDelta: shape.huberDelta)
                    if steps % shape.targetSync == 0 { target = policy.networks[0] }
                }
            }
            if (episode + 1) % settings.evaluateEvery == 0 || episode + 1 == settings.episodes {
                let cost = try PolicyEvaluation.cost(ofStateless: &policy, data: data, days: days) / Double(days.count)
                guard cost.isFinite else { throw ForecastError.trainingDiverged(model: "dqn", epoch: episode + 1) }
                curve.episodes.append(episode + 1)
                curve.meanDailyCost.append(cost)
                if best == nil || cost < best!.cost { best = (cost, policy.networks[0].parameters) }
                progress?(episode + 1, settings.episodes, cost)
            }
        }
        if let best { policy.networks[0].parameters = best.parameters }
        curve.kept = curve.meanDailyCost.min()
        return (policy, curve)
    }

    /// One gradient step on a replayed batch (double DQN: the online network picks the next action, the target
    /// network values it; Huber loss on the taken actions' values; Adam).
    static func learn(
        _ network: inout QNetwork, target: inout QNetwork, adam: inout Adam<Float>, batch: [Transition], huberDelta: Float
    ) throws {
        let A = DiscreteAction.allCases.count, F = batch.first?.state.count ?? 0
        let s = try Matrix(rows: batch.count, columns: F, elements: batch.flatMap(\.state))
        let n = try Matrix(rows: batch.count, columns: F, elements: batch.flatMap(\.next))
        var online = network
        let nextOnline = try online.forward(n)
        let nextTarget = try target.forward(n)
        let q = try network.forward(s)
        var y = q
        for (row, t) in batch.enumerated() {
            var v = t.reward
            if !t.done {
                let choice = argmax(nextOnline.elements[(row * A)..<((row + 1) * A)])
                v += t.discount * nextTarget.elements[row * A + choice]
            }
            y.elements[row * A + t.action] = v
        }
        // Only the taken actions' values differ from the target, so only they have a gradient.
        var (_, grad) = Loss.huber(q, y, delta: huberDelta)
        grad.elements = grad.elements.map { $0 * Float(A) }
        network.zeroGradients()
        try network.backward(grad)
        var p = network.parameters
        adam.update(&p, network.gradients)
        network.parameters = p
    }
}

/// One replayed experience: a state, the action taken, the (n-step) discounted reward that followed, the state it
/// led to and the discount of that state's value (gamma^n), or `done` when the day ended before it.
struct Transition {
    var state: [Float]
    var action: Int
    var reward: Float
    var next: [Float]
    var done: Bool
    var discount: Float
}

/// Experience replay: a ring of the last `capacity` transitions, sampled uniformly with replacement.
struct ReplayBuffer {
    let capacity: Int
    private(set) var items: [Transition] = []
    private var cursor = 0
    init(capacity: Int) { self.capacity = capacity }
    var count: Int { items.count }

    mutating func add(_ t: Transition) {
        if items.count < capacity {
            items.append(t)
        } else {
            items[cursor] = t
            cursor = (cursor + 1) % capacity
        }
    }

    func sample(_ n: Int, _ rng: inout SeededGenerator) -> [Transition] {
        (0..<n).map { _ in items[Int(rng.next() % UInt64(items.count))] }
    }
}

/// Turns one episode's steps into n-step transitions: each step's transition is complete once the n steps after it
/// are known, or the day ends (then the rest complete at once, with nothing to bootstrap from).
struct NStepReturns {
    let steps: Int
    let gamma: Float
    private var pending: [(state: [Float], action: Int, reward: Float)] = []
    init(steps: Int, gamma: Float) { self.steps = max(1, steps); self.gamma = gamma }

    /// Adds a step; returns the transitions it completes, oldest first.
    mutating func add(state: [Float], action: Int, reward: Float, next: [Float], done: Bool) -> [Transition] {
        pending.append((state, action, reward))
        var out: [Transition] = []
        while !pending.isEmpty && (pending.count == steps || done) {
            var r: Float = 0, factor: Float = 1
            for p in pending {
                r += factor * p.reward
                factor *= gamma
            }
            out.append(Transition(state: pending[0].state, action: pending[0].action, reward: r, next: next, done: done, discount: factor))
            pending.removeFirst()
        }
        return out
    }
}

/// The episodes the members of a DQN ensemble, training at once, have played in all, passed to one progress
/// callback a report at a time.
final class EpisodeTally: @unchecked Sendable {
    private let lock = NSLock()
    private var done: [Int]
    private let all: Int
    private let progress: (@Sendable (Int, Int, Double?) -> Void)?

    init(members: Int, episodes: Int, progress: (@Sendable (Int, Int, Double?) -> Void)?) {
        done = Array(repeating: 0, count: members)
        all = members * episodes
        self.progress = progress
    }

    /// Member `member` has played `episodes`; `cost` is its latest evaluation, if this report has one.
    func report(member: Int, episodes: Int, cost: Double?) {
        guard let progress else { return }
        lock.withLock {
            done[member] = episodes
            progress(done.reduce(0, +), all, cost)
        }
    }
}
