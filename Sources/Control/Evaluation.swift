import Foundation

/// One policy's days: each day's bill and its net electricity consumption per period.
public struct PolicyRun: Sendable {
    public var name: String
    public var days: [Int]
    /// Bill of each day (currency), in the order of `days`.
    public var dailyCost: [Double]
    /// Grid import minus export (kW) per period, day after day.
    public var netConsumption: [[Double]]
    /// Requested battery powers the physics changed by more than 1e-6 kW.
    public var clamped = 0

    public var cost: Double { dailyCost.reduce(0, +) }
}

/// Runs policies over days of a prosumer's environment.
public enum PolicyEvaluation {
    /// Runs `policy` on every day of `days`, each from the battery's initial state.
    public static func run(
        _ policy: inout some BatteryPolicy, data: HouseholdDays, days: [Int], batteryless: Bool = false, name: String? = nil
    ) throws -> PolicyRun {
        var env = BatteryEnvironment(data: data, batteryless: batteryless)
        var run = PolicyRun(name: name ?? policy.name, days: days, dailyCost: [], netConsumption: [])
        for d in days {
            env.reset(day: d)
            try policy.beginDay(env)
            var bill = 0.0
            var net: [Double] = []
            while !env.isDone {
                let requested = try policy.act(env.observation, env)
                let out = env.step(requested)
                if abs(out.batteryKW - requested) > 1e-6 { run.clamped += 1 }
                bill += out.bill
                net.append(out.netConsumption)
            }
            run.dailyCost.append(bill)
            run.netConsumption.append(net)
        }
        return run
    }

    /// The total bill of `policy` over `days` (``run(_:data:days:batteryless:name:)``'s `cost`) for a policy that
    /// acts on what it observes alone, as the learners' greedy policies do: each distinct day is played once and its
    /// bill summed as often and in the order `days` name it, so the total is the same bit for bit. The learners score
    /// themselves this way during training, where the prosumer's own days repeat (nine times on the demo's h09 with
    /// the other homes' days).
    static func cost(ofStateless policy: inout some BatteryPolicy, data: HouseholdDays, days: [Int]) throws -> Double {
        let distinct = Array(Set(days)).sorted()
        let bills = try run(&policy, data: data, days: distinct).dailyCost
        let bill = Dictionary(uniqueKeysWithValues: zip(distinct, bills))
        return days.map { bill[$0]! }.reduce(0, +)
    }

    /// The no-battery case (the battery held idle): CityLearn's baseline.
    public static func baseline(data: HouseholdDays, days: [Int]) throws -> PolicyRun {
        var idle = RuleBasedPolicy()
        return try run(&idle, data: data, days: days, batteryless: true, name: "no-battery")
    }
}

/// CityLearn's district KPIs for one prosumer, each a ratio to the no-battery case (below 1 is better), and the
/// share of the perfect-foresight savings.
public struct ControlKPIs: Sendable, Equatable {
    /// Total bill / the no-battery bill.
    public var cost: Double
    /// Mean of the daily peaks of net consumption.
    public var dailyPeak: Double
    /// The largest net consumption over all days.
    public var allTimePeak: Double
    /// Sum of |net(t) - net(t-1)| within each day.
    public var ramping: Double
    /// Mean over days of 1 - mean / peak of net consumption.
    public var oneMinusLoadFactor: Double
    /// (no-battery cost - cost) / (no-battery cost - perfect-foresight cost).
    public var shareOfOptimalSavings: Double

    public init(_ run: PolicyRun, baseline: PolicyRun, optimalCost: Double) {
        func ratio(_ f: (PolicyRun) -> Double) -> Double {
            let b = f(baseline)
            return b != 0 ? f(run) / b : .nan
        }
        cost = ratio(\.cost)
        dailyPeak = ratio { r in r.netConsumption.map { $0.max() ?? 0 }.reduce(0, +) / Double(max(1, r.netConsumption.count)) }
        allTimePeak = ratio { r in r.netConsumption.compactMap { $0.max() }.max() ?? 0 }
        ramping = ratio { r in r.netConsumption.map { day in zip(day.dropFirst(), day).map { abs($0 - $1) }.reduce(0, +) }.reduce(0, +) }
        oneMinusLoadFactor = ratio { r in
            let f = r.netConsumption.map { day -> Double in
                let peak = day.max() ?? 0
                return peak > 0 ? 1 - day.reduce(0, +) / Double(day.count) / peak : 0
            }
            return f.reduce(0, +) / Double(max(1, f.count))
        }
        let possible = baseline.cost - optimalCost
        shareOfOptimalSavings = possible > 0 ? (baseline.cost - run.cost) / possible : .nan
    }
}

/// A policy's result on the test days.
public struct PolicyScore: Sendable {
    public var run: PolicyRun
    public var kpis: ControlKPIs
    public var name: String { run.name }
}

/// Every policy on the same held-out days, with the no-battery case and the perfect-foresight optimum.
public struct ControlComparison: Sendable {
    public var prosumer: String
    public var days: [Int]
    public var dayLabels: [String]
    public var baseline: PolicyRun
    /// The optimizer's cost of each day (perfect foresight), in the order of `days`.
    public var optimumDaily: [Double]
    public var optimalCost: Double { optimumDaily.reduce(0, +) }
    /// Perfect foresight (replayed through the environment), then the rule, MPC and the given policies.
    public var scores: [PolicyScore]

    /// Days where a policy paid less than the optimum by more than 1e-6 relative: none, unless the environment or
    /// the optimizer is wrong.
    public var belowOptimum: [(policy: String, day: String, cost: Double, optimum: Double)] {
        var found: [(String, String, Double, Double)] = []
        for s in scores {
            for (k, c) in s.run.dailyCost.enumerated() where c < optimumDaily[k] - 1e-6 * max(1, abs(optimumDaily[k])) {
                found.append((s.name, dayLabels[k], c, optimumDaily[k]))
            }
        }
        return found
    }

    /// Runs the references (no battery, perfect foresight, rule-based, `mpc` unless nil) and `policies`
    /// on `days`. `names` names the given policies in the results (their own names when nil). `progress` gets the
    /// policy being run.
    public static func evaluate(
        data: HouseholdDays, days: [Int], policies: [any BatteryPolicy], names: [String]? = nil, mpc: MPCPolicy? = MPCPolicy(),
        progress: ((String) -> Void)? = nil
    ) throws -> ControlComparison {
        progress?("no-battery")
        let baseline = try PolicyEvaluation.baseline(data: data, days: days)
        progress?("perfect-foresight")
        var pf = PerfectForesightPolicy()
        let pfRun = try PolicyEvaluation.run(&pf, data: data, days: days)
        let optimum = days.map { pf.optimum[$0] ?? .nan }
        var all: [(any BatteryPolicy, String?)] = [(RuleBasedPolicy(), nil)]
        if let mpc { all.append((mpc, nil)) }
        for (k, p) in policies.enumerated() { all.append((p, names.flatMap { k < $0.count ? $0[k] : nil })) }
        var runs = [pfRun]
        for (policy, name) in all {
            var p = policy
            progress?(name ?? p.name)
            runs.append(try PolicyEvaluation.run(&p, data: data, days: days, name: name))
        }
        let total = optimum.reduce(0, +)
        return ControlComparison(
            prosumer: data.prosumer, days: days, dayLabels: days.map(data.label), baseline: baseline, optimumDaily: optimum,
            scores: runs.map { PolicyScore(run: $0, kpis: ControlKPIs($0, baseline: baseline, optimalCost: total)) })
    }
}
