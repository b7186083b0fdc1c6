import DataIO
import Foundation
import Optimize
import Testing

@testable import Control

@Suite struct EnvironmentTests {
    /// Every step of random actions obeys spec/community.md's rules for one prosumer.
    @Test(arguments: 1...12) func randomActionsKeepThePhysics(_ seed: UInt64) throws {
        let data = try Households.make(seed: seed, days: 4)
        let b = data.battery
        var env = BatteryEnvironment(data: data)
        var g = SeededGenerator(seed: seed &* 31)
        let tol = 1e-9
        for d in 0..<data.days {
            env.reset(day: d)
            var energy = b.initialEnergy
            while !env.isDone {
                let t = env.period
                let out = env.step(g.uniform(-1.5, 1.5) * b.powerKW)
                let f = out.flows
                #expect(
                    abs(f.pv - f.curtail + f.gridImport + f.batteryDischarge - (f.load + f.gridExport + f.batteryCharge)) < 1e-9,
                    "balance, day \(d) period \(t)")
                #expect(f.gridImport * f.gridExport == 0 && f.batteryCharge * f.batteryDischarge == 0)
                #expect(f.gridImport <= data.drawLimit + tol && f.gridExport <= data.feedLimit + tol)
                #expect(f.batteryCharge <= b.powerKW + tol && f.batteryDischarge <= b.powerKW + tol)
                #expect(f.curtail >= 0 && f.curtail <= f.pv + tol)
                energy += data.dt * (b.chargeEfficiency * f.batteryCharge - f.batteryDischarge / b.dischargeEfficiency)
                #expect(abs(energy - env.energy) < 1e-9)
                #expect(env.energy >= b.minSoC * b.capacityKWh - tol && env.energy <= b.maxSoC * b.capacityKWh + tol)
                let bill =
                    data.dt
                    * (data.grid.importPrice[t] * f.gridImport - data.grid.exportPrice[t] * f.gridExport + b.degradationCostPerKWh
                        * (f.batteryCharge + f.batteryDischarge))
                #expect(abs(bill - out.bill) < 1e-12)
            }
            #expect(env.energy >= b.finalMinSoC * b.capacityKWh - 1e-9, "final state of charge, day \(d)")
        }
    }

    /// No policy pays less on any day than the perfect-foresight MILP, and the MILP's plan replayed through the
    /// environment costs what the optimizer said (the environment and the optimizer agree on the physics).
    @Test(arguments: 1...8) func noPolicyBeatsThePerfectForesightOptimum(_ seed: UInt64) throws {
        let data = try Households.make(seed: seed, days: 5)
        let days = Array(data.warmUpDays..<data.days)
        var q = try QLearningPolicy.train(
            data: data, days: days, settings: TrainingSettings(episodes: 150, learningRate: 0.1, evaluateEvery: 50, seed: seed)
        ).policy
        let c = try ControlComparison.evaluate(
            data: data, days: days, policies: [q, RandomPolicy(generator: SeededGenerator(seed: seed))])
        #expect(c.belowOptimum.isEmpty, "\(c.belowOptimum)")
        let replay = try #require(c.scores.first { $0.name == "perfect-foresight" })
        for (k, cost) in replay.run.dailyCost.enumerated() {
            #expect(abs(cost - c.optimumDaily[k]) <= 1e-6 * max(1, abs(cost)), "day \(k): replay \(cost), optimizer \(c.optimumDaily[k])")
        }
        // The learned policy on its own, too.
        let run = try PolicyEvaluation.run(&q, data: data, days: days)
        for (k, cost) in run.dailyCost.enumerated() { #expect(cost >= c.optimumDaily[k] - 1e-6 * max(1, abs(cost))) }
        #expect(c.scores.map(\.name) == ["perfect-foresight", "rule", "mpc", "qlearning", "random"])
        #expect(abs(c.scores[0].kpis.shareOfOptimalSavings - 1) < 1e-6 || !c.scores[0].kpis.shareOfOptimalSavings.isFinite)
    }

    /// The no-battery case never moves the battery, and its KPIs against itself are all 1.
    @Test func theBaselineIsIdleAndItsKPIsAreOne() throws {
        let data = try Households.make(seed: 3, days: 4)
        let base = try PolicyEvaluation.baseline(data: data, days: [2, 3])
        let k = ControlKPIs(base, baseline: base, optimalCost: base.cost - 1)
        #expect(k.cost == 1 && k.dailyPeak == 1 && k.allTimePeak == 1 && k.ramping == 1 && k.oneMinusLoadFactor == 1)
        #expect(k.shareOfOptimalSavings == 0)
        var env = BatteryEnvironment(data: data, batteryless: true)
        env.reset(day: 2)
        while !env.isDone { #expect(env.step(5).batteryKW == 0) }
    }

    /// A community without a battery to control says so without naming a prosumer nobody chose, in words that fit
    /// one prosumer or many, and mentions a shared storage when there is one (`rl` does not control it).
    @Test func noBatteryToControlIsWordedForTheCommunity() {
        let tail = ": reinforcement-learning control needs a prosumer with one (--prosumer names it)"
        #expect(ControlError.noProsumerWithBattery(count: 1, sharedStorage: false).description == "the community's one prosumer has no battery" + tail)
        #expect(
            ControlError.noProsumerWithBattery(count: 50, sharedStorage: true).description
                == "none of the 50 prosumers has a battery (the community's shared storage is not controlled by rl)" + tail)
        #expect(ControlError.noProsumerWithBattery(count: 3, sharedStorage: false).kind == .badInput)
    }

    /// KPIs by hand on two days of two periods.
    @Test func kpisAsCityLearnDefinesThem() {
        let base = PolicyRun(name: "b", days: [0, 1], dailyCost: [4, 6], netConsumption: [[2, 4], [1, 3]])
        let run = PolicyRun(name: "r", days: [0, 1], dailyCost: [3, 4], netConsumption: [[3, 3], [2, 1]])
        let k = ControlKPIs(run, baseline: base, optimalCost: 5)
        #expect(abs(k.cost - 0.7) < 1e-12)
        #expect(abs(k.dailyPeak - 2.5 / 3.5) < 1e-12)  // mean of (3, 2) / mean of (4, 3)
        #expect(abs(k.allTimePeak - 0.75) < 1e-12)
        #expect(abs(k.ramping - 1.0 / 4.0) < 1e-12)  // (0 + 1) / (2 + 2)
        // 1 - mean/peak: run (0, 0.25) -> 0.125; base (0.25, 1/3) -> 7/24.
        #expect(abs(k.oneMinusLoadFactor - 0.125 / (7.0 / 24.0)) < 1e-12)
        #expect(abs(k.shareOfOptimalSavings - 0.6) < 1e-12)
    }
}
