import DataIO
import Foundation

/// How a learning policy is trained. Defaults are the ones `peergrid rl train` and `benchmark rl` use.
public struct TrainingSettings: Codable, Sendable, Equatable {
    /// Episodes (one episode is one training day, drawn at random with replacement).
    public var episodes: Int
    /// Q-learning's step size alpha, or the DQN's Adam learning rate.
    public var learningRate: Double
    /// Discount per period. 1 by default: an episode is one day and the objective is the day's whole bill.
    public var discount: Double
    /// Epsilon-greedy exploration: epsilon falls linearly from `epsilonStart` to `epsilonEnd` over the first
    /// `epsilonDecayShare` of the episodes, then stays.
    public var epsilonStart: Double
    public var epsilonEnd: Double
    public var epsilonDecayShare: Double
    /// The greedy policy is scored on every training day after every `evaluateEvery` episodes (the learning
    /// curve); the best-scoring parameters are kept. Test days are never looked at.
    public var evaluateEvery: Int
    public var seed: UInt64

    public init(
        episodes: Int, learningRate: Double, discount: Double = 1, epsilonStart: Double = 1, epsilonEnd: Double = 0.05,
        epsilonDecayShare: Double = 0.7, evaluateEvery: Int, seed: UInt64 = 1
    ) {
        self.episodes = episodes
        self.learningRate = learningRate
        self.discount = discount
        self.epsilonStart = epsilonStart
        self.epsilonEnd = epsilonEnd
        self.epsilonDecayShare = epsilonDecayShare
        self.evaluateEvery = evaluateEvery
        self.seed = seed
    }

    /// Q-learning's defaults: 150,000 episodes (about 3 s in a release build for hourly days), alpha 0.1 (after a
    /// running mean over a pair's first 10 visits), gamma 1, epsilon 1 -> 0.05 over 70 % of them.
    public static let qLearning = TrainingSettings(episodes: 150_000, learningRate: 0.1, evaluateEvery: 3_750)

    /// The most episodes a run may ask for: 10,000,000 (Q-learning plays 150,000 in about 3 s, the DQN 1,500 in
    /// about 8 s, so this is minutes for the one and half a day for the other); more is taken for a typo.
    public static let maximumEpisodes = 10_000_000

    /// Refuses settings that cannot train.
    public func validate() throws {
        func bad(_ name: String, _ detail: String) -> ControlError { .invalidOption(name: name, detail: detail) }
        guard episodes >= 1, episodes <= Self.maximumEpisodes else {
            throw bad("--episodes", "must be in 1...\(Self.maximumEpisodes), got \(episodes)")
        }
        guard learningRate.isFinite, learningRate > 0, learningRate <= 1 else { throw bad("--learning-rate", "must be in (0, 1], got \(learningRate)") }
        guard discount.isFinite, discount > 0, discount <= 1 else { throw bad("--discount", "must be in (0, 1], got \(discount)") }
        guard (0...1).contains(epsilonStart), (0...1).contains(epsilonEnd) else { throw bad("--epsilon", "must be in [0, 1]") }
        guard epsilonDecayShare > 0, epsilonDecayShare <= 1 else { throw bad("epsilon decay share", "must be in (0, 1]") }
        guard evaluateEvery >= 1 else { throw bad("--evaluate-every", "must be at least 1, got \(evaluateEvery)") }
    }

    func epsilon(episode: Int) -> Double {
        let share = Double(episode) / (epsilonDecayShare * Double(episodes))
        return share >= 1 ? epsilonEnd : epsilonStart + (epsilonEnd - epsilonStart) * share
    }
}

/// The learning curve: after every `evaluateEvery` episodes, the greedy policy's mean daily bill on the training days.
public struct LearningCurve: Codable, Sendable, Equatable {
    public var episodes: [Int] = []
    public var meanDailyCost: [Double] = []
    /// The kept policy's mean daily bill on the training days: the best evaluation, or for a DQN ensemble the
    /// ensemble's own (absent in files written before ensembles).
    public var kept: Double?
}

/// Tabular Q-learning (Watkins) over a discretized state: the period of the day, the battery's share of its usable
/// range (`socBins` bins), the metered net load against the battery's power (3 bins: a surplus above 10 % of it,
/// about zero, a deficit above 10 %) and the forecast PV surplus energy left in the day against the room in
/// the battery (3 bins). Actions are the eight ``DiscreteAction``s.
public struct QLearningPolicy: BatteryPolicy, Sendable {
    public let name = "qlearning"
    public var periodsPerDay: Int
    public var socBins: Int
    /// Q(s, a), row-major by state then action.
    public var table: [Double]
    /// The battery power the levels refer to (kW).
    public var batteryKW: Double
    static let netBins = 3, surplusBins = 3
    static var actions: Int { DiscreteAction.allCases.count }

    public init(periodsPerDay: Int, socBins: Int = 10, batteryKW: Double) {
        self.periodsPerDay = periodsPerDay
        self.socBins = socBins
        self.batteryKW = batteryKW
        table = [Double](repeating: 0, count: periodsPerDay * socBins * Self.netBins * Self.surplusBins * Self.actions)
    }

    public var states: Int { periodsPerDay * socBins * Self.netBins * Self.surplusBins }

    /// The discrete state of an observation.
    public func state(_ o: Observation, _ env: BatteryEnvironment) -> Int {
        let soc = min(socBins - 1, Int(o.usableShare * Double(socBins)))
        let x = o.netLoad / max(1e-9, batteryKW)
        let net = x < -0.1 ? 0 : x <= 0.1 ? 1 : 2
        let b = env.data.battery
        let surplus = zip(o.forecastPV, o.forecastLoad).reduce(0) { $0 + max(0, $1.0 - $1.1) } * env.data.dt * b.chargeEfficiency
        let room = max(1e-9, b.maxSoC * b.capacityKWh - o.energy)
        let s = surplus / room
        let sb = s < 0.25 ? 0 : s < 1 ? 1 : 2
        return ((o.period * socBins + soc) * Self.netBins + net) * Self.surplusBins + sb
    }

    /// The best action in state `s`; among ties, idle first (an action never tried saves nothing), then the lowest index.
    func greedy(_ s: Int) -> Int {
        let base = s * Self.actions
        var best = DiscreteAction.idle.rawValue
        for a in 0..<Self.actions where table[base + a] > table[base + best] { best = a }
        return best
    }

    public func act(_ o: Observation, _ env: BatteryEnvironment) throws -> Double {
        DiscreteAction.allCases[greedy(state(o, env))].power(o, batteryKW: batteryKW)
    }

    /// Trains on `days`. The reward is the period's saving against the idle battery (``BatteryEnvironment/idleBill(day:period:)``):
    /// minus the bill plus a term no action changes. Deterministic for `settings.seed`.
    public static func train(
        data: HouseholdDays, days: [Int], settings: TrainingSettings, socBins: Int = 10, progress: ((Int, Int, Double?) -> Void)? = nil
    ) throws -> (policy: QLearningPolicy, curve: LearningCurve) {
        try settings.validate()
        guard !days.isEmpty else { throw ControlError.tooLittleHistory(needed: 1, got: 0, detail: "training") }
        guard socBins >= 1, socBins <= 100 else { throw ControlError.invalidOption(name: "--soc-bins", detail: "must be in 1...100, got \(socBins)") }
        var q = QLearningPolicy(periodsPerDay: data.periodsPerDay, socBins: socBins, batteryKW: data.battery.powerKW)
        var rng = SeededGenerator(seed: settings.seed)
        var env = BatteryEnvironment(data: data)
        var curve = LearningCurve()
        var best: (cost: Double, table: [Double])?
        let gamma = settings.discount
        // The step size of a state-action's n-th update: max(alpha, 1 / n) (a running mean at first, then alpha).
        var visits = [Int32](repeating: 0, count: q.table.count)
        func update(_ k: Int, _ target: Double) {
            visits[k] += 1
            q.table[k] += max(settings.learningRate, 1 / Double(visits[k])) * (target - q.table[k])
        }
        for episode in 0..<settings.episodes {
            env.reset(day: days[Int(rng.next() % UInt64(days.count))])
            let eps = settings.epsilon(episode: episode)
            // The episode's transitions (state, action, reward, next state or -1), updated backwards when the day
            // ends, so that a day's outcome reaches its first periods in one pass.
            var steps: [(s: Int, a: Int, r: Double, next: Int)] = []
            var o = env.observation
            var s = q.state(o, env)
            while !env.isDone {
                let a = rng.uniform(0, 1) < eps ? Int(rng.next() % UInt64(actions)) : q.greedy(s)
                let idle = env.idleBill(day: env.day, period: env.period)
                let out = env.step(DiscreteAction.allCases[a].power(o, batteryKW: q.batteryKW))
                var next = -1
                if !env.isDone {
                    o = env.observation
                    next = q.state(o, env)
                }
                steps.append((s, a, idle - out.bill, next))
                s = next
            }
            for step in steps.reversed() {
                let future = step.next < 0 ? 0 : gamma * q.table[step.next * actions + q.greedy(step.next)]
                update(step.s * actions + step.a, step.r + future)
            }
            if (episode + 1) % settings.evaluateEvery == 0 || episode + 1 == settings.episodes {
                let cost = try PolicyEvaluation.cost(ofStateless: &q, data: data, days: days) / Double(days.count)
                curve.episodes.append(episode + 1)
                curve.meanDailyCost.append(cost)
                if best == nil || cost < best!.cost { best = (cost, q.table) }
                progress?(episode + 1, settings.episodes, cost)
            }
        }
        if let best { q.table = best.table }
        return (q, curve)
    }
}
