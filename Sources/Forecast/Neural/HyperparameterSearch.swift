import DataIO
import Foundation

/// One setting of a neural forecaster's hyperparameters.
public struct NeuralConfiguration: Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Input steps per sample.
    public var window: Int
    /// LSTM hidden units or TCN filters.
    public var width: Int
    public var learningRate: Double
    public var epochs: Int

    public var description: String { String(format: "window %d, width %d, learning rate %.2e, epochs %d", window, width, learningRate, epochs) }
}

/// Where the search looks: ranges of the four hyperparameters (the learning rate on a log scale).
public struct NeuralSearchSpace: Sendable {
    public var window: ClosedRange<Int>
    public var width: ClosedRange<Int>
    public var learningRate: ClosedRange<Double>
    public var epochs: ClosedRange<Int>

    /// Half a day to two days of input, 8 to 64 units, 3e-4 to 1e-2, 5 to `maxEpochs` epochs (1 to `maxEpochs` when
    /// that is below 5).
    public static func standard(periodsPerDay day: Int, maxEpochs: Int = 40) -> NeuralSearchSpace {
        let top = max(1, maxEpochs)
        return NeuralSearchSpace(
            window: max(2, day / 2)...max(3, 2 * day), width: 8...64, learningRate: 3e-4...1e-2, epochs: (top < 5 ? 1 : 5)...top)
    }

    /// The configuration at a point of the unit cube (each coordinate clamped to [0, 1]).
    public func configuration(at u: [Double]) -> NeuralConfiguration {
        func clamp(_ x: Double) -> Double { min(1, max(0, x)) }
        func integer(_ r: ClosedRange<Int>, _ x: Double) -> Int { r.lowerBound + Int((clamp(x) * Double(r.upperBound - r.lowerBound)).rounded()) }
        let logRate = log(learningRate.lowerBound) + clamp(u[2]) * (log(learningRate.upperBound) - log(learningRate.lowerBound))
        return NeuralConfiguration(window: integer(window, u[0]), width: integer(width, u[1]), learningRate: exp(logRate), epochs: integer(epochs, u[3]))
    }
}

/// One evaluated configuration: its validation MAE and training time.
public struct SearchTrial: Sendable {
    public var configuration: NeuralConfiguration
    public var validationMAE: Double
    public var seconds: Double
}

/// Hyperparameter search for `lstm` or `cnn` with a fixed budget of training runs: particle swarm optimization
/// (Kennedy and Eberhart; inertia 0.7, cognitive and social weights 1.5, velocities capped at 0.3 of the range,
/// a swarm of ``particles``) or random search, both over ``NeuralSearchSpace`` mapped to the unit cube and both
/// seeded. A configuration is scored by training on the series without its last ``validationDays`` days and
/// forecasting those days (MAE); a configuration met again is not retrained and does not count against the
/// budget. A diverged training scores infinity.
public struct HyperparameterSearch: Sendable {
    /// `pso`: particle swarm optimization; `random`: uniform random search over the same space.
    public enum Method: String, CaseIterable, Sendable { case pso, random }

    public var model: String
    public var space: NeuralSearchSpace
    public var budget: Int
    public var validationDays: Int
    public var seed: UInt64
    public var particles = 4

    public init(model: String, space: NeuralSearchSpace, budget: Int, validationDays: Int = 2, seed: UInt64 = 1) {
        self.model = model
        self.space = space
        self.budget = budget
        self.validationDays = validationDays
        self.seed = seed
    }

    /// Why the search cannot run on `series`, or nil.
    public func problem(_ series: TimeSeries) -> String? {
        guard ["lstm", "cnn"].contains(model) else { return "tune searches lstm or cnn, not \(model)" }
        guard budget >= 2, budget <= 500 else { return "the budget must be 2 to 500 training runs, not \(budget)" }
        guard validationDays >= 1 else { return "validation days must be at least 1" }
        let needed = (validationDays + 14) * series.periodsPerDay
        guard series.count >= needed else {
            return "needs at least \(needed) observations (\(validationDays) validation days and two weeks to train on), the series has \(series.count)"
        }
        return nil
    }

    /// The validation MAE of one configuration.
    public func score(_ c: NeuralConfiguration, on series: TimeSeries) throws -> Double {
        let day = series.periodsPerDay
        guard var f = try ForecasterCatalog.make(model, periodsPerDay: day) as? NeuralForecaster else {
            throw ForecastError.invalidOptions(model: model, detail: "tune searches lstm or cnn, not \(model)")
        }
        f.architecture = model == "lstm" ? .lstm(layers: 1, hidden: c.width) : .cnn(filters: c.width, kernel: 3, dilations: [1, 2, 4, 8, 16])
        f.options.window = c.window
        f.options.learningRate = c.learningRate
        f.options.epochs = c.epochs
        f.options.seed = seed
        let origin = series.count - validationDays * day
        do { try f.fit(series.prefix(origin)) } catch ForecastError.trainingDiverged { return .infinity }
        let point = try f.forecast(horizon: validationDays * day, level: 0.95).point
        return Metrics.mae(Array(series.values[origin...]), point)
    }

    /// Runs `method` until `budget` configurations were trained; `progress` after each training run.
    public func run(_ method: Method, on series: TimeSeries, progress: ((Int, SearchTrial) -> Void)? = nil) throws -> [SearchTrial] {
        if let p = problem(series) { throw ForecastError.invalidOptions(model: model, detail: p) }
        // Each method draws from its own stream, so the two start from different points but repeat for a seed.
        var rng = SeededGenerator(seed: seed &+ (method == .pso ? 0x50 : 0x52))
        var trials: [SearchTrial] = []
        var cache: [NeuralConfiguration: Double] = [:]
        func evaluate(_ u: [Double]) throws -> Double {
            let c = space.configuration(at: u)
            if let s = cache[c] { return s }
            let clock = Stopwatch()
            let s = try score(c, on: series)
            cache[c] = s
            trials.append(SearchTrial(configuration: c, validationMAE: s, seconds: clock.seconds))
            progress?(trials.count, trials[trials.count - 1])
            return s
        }
        let dimensions = 4
        switch method {
        case .random:
            var draws = 0
            while trials.count < budget, draws < 100 * budget {
                draws += 1
                _ = try evaluate((0..<dimensions).map { _ in rng.uniform(0, 1) })
            }
        case .pso:
            var x = (0..<particles).map { _ in (0..<dimensions).map { _ in rng.uniform(0, 1) } }
            var v = (0..<particles).map { _ in (0..<dimensions).map { _ in rng.uniform(-0.2, 0.2) } }
            var best = x, bestScore = [Double](repeating: .infinity, count: particles)
            var global = x[0], globalScore = Double.infinity
            var rounds = 0
            while trials.count < budget, rounds < 100 * budget {
                rounds += 1
                for i in 0..<particles where trials.count < budget {
                    let s = try evaluate(x[i])
                    if s < bestScore[i] { (best[i], bestScore[i]) = (x[i], s) }
                    if s < globalScore { (global, globalScore) = (x[i], s) }
                }
                for i in 0..<particles {
                    for d in 0..<dimensions {
                        let r1 = rng.uniform(0, 1), r2 = rng.uniform(0, 1)
                        let velocity = 0.7 * v[i][d] + 1.5 * r1 * (best[i][d] - x[i][d]) + 1.5 * r2 * (global[d] - x[i][d])
                        v[i][d] = min(0.3, max(-0.3, velocity))
                        x[i][d] = min(1, max(0, x[i][d] + v[i][d]))
                    }
                }
            }
        }
        return trials
    }
}
