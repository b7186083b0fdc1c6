import DataIO
import Foundation
import Optimize
import Testing

@testable import Control

@Suite struct ScenarioMPCTests {
    /// Planning over one scenario that is the day's actual rest, re-planned every period, pays what the
    /// perfect-foresight MILP pays: the stochastic LP has the schedule model's physics and cost.
    @Test(arguments: 1...6) func oneExactScenarioReachesThePerfectForesightCost(_ seed: UInt64) throws {
        let data = try Households.make(seed: seed, days: 4)
        var pf = PerfectForesightPolicy()
        var env = BatteryEnvironment(data: data)
        for d in data.warmUpDays..<data.days {
            env.reset(day: d)
            try pf.beginDay(env)
            let optimum = try #require(pf.optimum[d])
            var bill = 0.0
            while !env.isDone {
                let o = env.observation, t = o.period
                let exact = Scenario(load: Array(data.load[d][(t + 1)...]), pv: Array(data.pv[d][(t + 1)...]), weight: 1)
                let power = try ScenarioPlanner.firstPower(data, day: d, from: t, energy: o.energy, load: o.load, pv: o.pv, scenarios: [exact])
                bill += env.step(power).bill
            }
            #expect(abs(bill - optimum) <= 1e-6 * max(1, abs(optimum)), "seed \(seed) day \(d): \(bill) vs \(optimum)")
        }
    }

    /// The scenarios are the days before this one (never this day or a later one), and analog weights favour the
    /// day most like this one so far; all weights are positive and sum to 1.
    @Test func scenariosComeFromEarlierDaysWithAnalogWeights() throws {
        var data = try Households.make(seed: 5, days: 6)
        // Day 4 is an exact copy of day 1 up to its last period.
        data.load[4] = data.load[1]
        data.pv[4] = data.pv[1]
        var env = BatteryEnvironment(data: data)
        env.reset(day: 4)
        for _ in 0..<10 { env.step(0) }
        let o = env.observation
        let analog = MPCPolicy(scenarioDays: 3, analog: true).scenarios(o, env)
        #expect(analog.count == 3)
        #expect(abs(analog.map(\.weight).reduce(0, +) - 1) < 1e-12 && analog.allSatisfy { $0.weight > 0 })
        // Scenario k is day 4 - (k + 1): day 1 is the last one, and the closest.
        #expect(analog[2].weight > analog[0].weight && analog[2].weight > analog[1].weight)
        let equal = MPCPolicy(loadPersistence: 0, pvPersistence: 0, scenarioDays: 3, analog: false).scenarios(o, env)
        #expect(equal.allSatisfy { abs($0.weight - 1.0 / 3) < 1e-12 })
        #expect(equal[1].load == Array(data.load[2][11...]) && equal[1].pv == Array(data.pv[2][11...]))
        // Near the start of the series only the days that exist are used.
        env.reset(day: 1)
        #expect(MPCPolicy(scenarioDays: 28).scenarios(env.observation, env).count == 1)
    }

    /// With enough days of this day's type among the scenario days, every past day's PV is kept and paired with
    /// the load of the nearest day of today's type (a weekday's loads are weekdays', a weekend day's are weekend
    /// days'); with fewer, or with `sameDayType` off, each day keeps its own load.
    @Test func scenarioLoadsComeFromDaysOfTheSameType() throws {
        var data = try Households.make(seed: 3, days: 30)
        // Each day's load and PV mark its own index, so a scenario tells which days it came from.
        for d in 0..<data.days {
            data.load[d] = [Double](repeating: Double(d), count: data.periodsPerDay)
            data.pv[d] = [Double](repeating: Double(d), count: data.periodsPerDay)
        }
        var env = BatteryEnvironment(data: data)
        for today in [27, 28, 29] {
            env.reset(day: today)
            let s = MPCPolicy(loadPersistence: 0, pvPersistence: 0, scenarioDays: 28, analog: false).scenarios(env.observation, env)
            let past = (1...28).map { today - $0 }.filter { $0 >= 0 }
            #expect(s.map { Int($0.pv[0]) } == past, "day \(today): PV from every past day")
            let same = past.filter { data.isWeekend(day: $0) == data.isWeekend(day: today) }
            #expect(same.count >= MPCPolicy.minimumSameTypeDays && same.count < past.count)
            for (pvDay, scenario) in zip(past, s) {
                let loadDay = Int(scenario.load[0])
                #expect(data.isWeekend(day: loadDay) == data.isWeekend(day: today), "day \(today): load of day \(loadDay)")
                // The nearest such day: none of today's type is closer to the PV's day.
                #expect(same.allSatisfy { abs($0 - pvDay) >= abs(loadDay - pvDay) })
            }
            let own = MPCPolicy(loadPersistence: 0, pvPersistence: 0, scenarioDays: 28, analog: false, sameDayType: false).scenarios(env.observation, env)
            #expect(own.allSatisfy { $0.load[0] == $0.pv[0] })
        }
        // Seven days back hold one or two weekend days, too few: a weekend day keeps each day's own load.
        let weekend = try #require((7..<data.days).first { data.isWeekend(day: $0) })
        env.reset(day: weekend)
        #expect(MPCPolicy(loadPersistence: 0, pvPersistence: 0, scenarioDays: 7).scenarios(env.observation, env).allSatisfy { $0.load[0] == $0.pv[0] })
    }

    /// Told both series in advance, MPC (with scenarios or on the forecasts) pays the perfect-foresight cost: the
    /// analysis option replaces exactly what it says.
    @Test(arguments: 1...3) func anMPCToldBothSeriesPaysTheOptimum(_ seed: UInt64) throws {
        let data = try Households.make(seed: seed, days: 4)
        let days = Array(data.warmUpDays..<data.days)
        for scenarios in [0, 2] {
            let mpc = MPCPolicy(scenarioDays: scenarios, knows: [.load, .pv])
            let c = try ControlComparison.evaluate(data: data, days: days, policies: [], mpc: mpc)
            let run = try #require(c.scores.first { $0.name == "mpc" }).run
            for (k, cost) in run.dailyCost.enumerated() {
                #expect(abs(cost - c.optimumDaily[k]) <= 1e-6 * max(1, abs(cost)), "scenarios \(scenarios) day \(k)")
            }
        }
        // Told one series, the scenarios hold it and keep the other.
        var env = BatteryEnvironment(data: data)
        env.reset(day: 3)
        env.step(0)
        let s = MPCPolicy(loadPersistence: 0, pvPersistence: 0, scenarioDays: 2, analog: false, knows: [.pv]).scenarios(env.observation, env)
        #expect(s.allSatisfy { $0.pv == Array(data.pv[3][2...]) })
        #expect(s[0].load == Array(data.load[2][2...]) && s[1].load == Array(data.load[1][2...]))
    }

    /// A scenario of the wrong length is refused with an error, not a trap.
    @Test func aMalformedScenarioIsRefused() throws {
        let data = try Households.make(seed: 2, days: 3)
        let short = Scenario(load: [1], pv: [0], weight: 1)
        #expect(throws: ControlError.self) {
            try ScenarioPlanner.firstPower(data, day: 0, from: 0, energy: 1, load: 1, pv: 0, scenarios: [short])
        }
    }

    /// Scenario MPC never beats the optimum, and with equal weights or on the forecasts alone it still runs.
    @Test(arguments: 1...4) func everyMPCVariantStaysAboveTheOptimum(_ seed: UInt64) throws {
        let data = try Households.make(seed: seed, days: 5)
        let days = Array(data.warmUpDays..<data.days)
        for mpc in [MPCPolicy(), MPCPolicy(scenarioDays: 2, analog: false), MPCPolicy(scenarioDays: 0)] {
            let c = try ControlComparison.evaluate(data: data, days: days, policies: [], mpc: mpc)
            #expect(c.belowOptimum.isEmpty, "\(c.belowOptimum)")
        }
    }
}
