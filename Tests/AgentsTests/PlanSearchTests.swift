@testable import Agents
import DataIO
import Foundation
import Optimize
import Testing

/// The agents' quick answers (dynamic programming, then an LP with its decisions fixed) and their bounds, against
/// each agent's own MILP solved to optimality, over seeded random prosumers and prices, inverted ones included
/// (feeding earns more than drawing costs, so the meter's mode matters).
@Suite(.serialized) struct PlanSearchTests {
    static func prosumer(_ g: inout SeededGenerator, periods T: Int) -> Prosumer {
        let scale = 0.5 + 2 * g.uniform(0, 1)
        var load: [Double] = [], pv: [Double] = []
        let pvCap = 4 * g.uniform(0, 1)
        for t in 0..<T {
            let wave: Double = 0.5 + 0.5 * sin(Double(t) / 3 + g.uniform(0, 1))
            load.append(((0.3 + scale * wave) * 1000).rounded() / 1000)
            let angle: Double = Double(t - T / 4) / Double(T / 2) * Double.pi
            pv.append(t >= T / 4 && t < 3 * T / 4 ? (pvCap * sin(angle) * 1000).rounded() / 1000 : 0)
        }
        let cap = [5.0, 10, 13.5][Int(g.next() % 3)]
        let battery = Storage(
            capacityKWh: cap, powerKW: cap / 2.5, chargeEfficiency: 0.95, dischargeEfficiency: 0.9,
            initialSoC: 0.2 + 0.6 * g.uniform(0, 1), minSoC: 0.1, maxSoC: 0.95, finalMinSoC: 0.5,
            degradationCostPerKWh: 0.02)
        var flex: [FlexibleLoad] = []
        if g.uniform(0, 1) < 0.5 {
            flex = [FlexibleLoad(id: "ev", powerKW: 3.7, runPeriods: 1 + Int(g.next() % 3), earliest: T / 2, latest: T - 1)]
        }
        return Prosumer(id: "p", connectionKW: 8, loadKW: load, pvKW: pv, battery: battery, flexibleLoads: flex)
    }

    /// Draw and feed prices with a third of the periods inverted (feed above draw).
    static func prices(_ g: inout SeededGenerator, periods T: Int) -> PriceSignal {
        var draw: [Double] = [], feed: [Double] = []
        for _ in 0..<T {
            let b = 0.1 + 0.3 * g.uniform(0, 1)
            let s = g.uniform(0, 1) < 0.33 ? b + 0.1 * g.uniform(0, 1) : b * g.uniform(0, 1)
            draw.append(b); feed.append(s)
        }
        return PriceSignal(draw: PeriodVector(draw), feed: PeriodVector(feed))
    }

    /// Every rule of spec/community.md for one prosumer's plan.
    static func obeysTheRules(_ p: Prosumer, _ plan: ProsumerAgent.Plan, dt: Double) -> Bool {
        let tol = 1e-6
        var energy = p.battery?.initialEnergy ?? 0
        for t in plan.draw.indices {
            let balance = p.pvKW[t] - plan.curtail[t] + plan.draw[t] + plan.discharge[t] - (p.loadKW[t] + plan.flexible[t] + plan.feed[t] + plan.charge[t])
            if abs(balance) > 1e-5 || (plan.draw[t] > tol && plan.feed[t] > tol) || (plan.charge[t] > tol && plan.discharge[t] > tol) { return false }
            if plan.draw[t] > p.connectionKW + tol || plan.feed[t] > p.connectionKW + tol || plan.curtail[t] < -tol || plan.curtail[t] > p.pvKW[t] + tol {
                return false
            }
            if let b = p.battery {
                energy += dt * (b.chargeEfficiency * plan.charge[t] - plan.discharge[t] / b.dischargeEfficiency)
                if energy < b.minSoC * b.capacityKWh - 1e-5 || energy > b.maxSoC * b.capacityKWh + 1e-5 { return false }
            }
        }
        if let b = p.battery, energy < b.finalMinSoC * b.capacityKWh - 1e-5 { return false }
        for f in p.flexibleLoads where (f.earliest...f.latest).filter({ plan.flexible[$0] > 0 }).count != f.runPeriods { return false }
        return true
    }

    @Test(arguments: 1...12)
    func quickPlansObeyTheRulesAndComeCloseToTheOptimum(_ seed: Int) throws {
        var g = SeededGenerator(seed: UInt64(seed))
        let T = 24, dt = 1.0
        let p = Self.prosumer(&g, periods: T)
        let signal = Self.prices(&g, periods: T)
        let quickAgent = ProsumerAgent(prosumer: p, periods: T, hoursPerPeriod: dt)
        let exactAgent = ProsumerAgent(prosumer: p, periods: T, hoursPerPeriod: dt)
        defer { quickAgent.release(); exactAgent.release() }
        let quick = try quickAgent.respondQuickly(to: signal)
        let exact = try exactAgent.respond(to: signal, nodes: 100_000)
        #expect(Self.obeysTheRules(p, quickAgent.plans[quick.plan], dt: dt), "seed \(seed): the quick plan breaks a rule")
        #expect(Self.obeysTheRules(p, exactAgent.plans[exact.plan], dt: dt))
        #expect(!quick.proposal.proven && exact.proposal.proven)
        // The quick plan is a plan: never better than the optimum; and the search finds a good one.
        let optimum = exact.proposal.value, scale = max(1, abs(optimum))
        #expect(quick.proposal.value >= optimum - 1e-6 * scale, "seed \(seed): quick \(quick.proposal.value) below the optimum \(optimum)")
        #expect(quick.proposal.value <= optimum + 0.02 * scale, "seed \(seed): quick \(quick.proposal.value) vs optimum \(optimum)")

        // The certificate's value is a bound: never above the optimum.
        let boundAgent = ProsumerAgent(prosumer: p, periods: T, hoursPerPeriod: dt)
        defer { boundAgent.release() }
        let bounded = try boundAgent.respondWithBound(to: signal, nodes: 0)
        #expect(bounded.proposal.proven)
        #expect(bounded.proposal.value <= optimum + 1e-6 * scale, "seed \(seed): bound \(bounded.proposal.value) above the optimum \(optimum)")
        #expect(Self.obeysTheRules(p, boundAgent.plans[bounded.plan], dt: dt))
    }

    /// With a plan's decisions fixed, every answer and every mix of them obeys the rules (the repair's premise).
    @Test(arguments: 1...6)
    func mixesOfPlansWithFixedDecisionsObeyTheRules(_ seed: Int) throws {
        var g = SeededGenerator(seed: UInt64(100 + seed))
        let T = 24, dt = 1.0
        let p = Self.prosumer(&g, periods: T)
        let agent = ProsumerAgent(prosumer: p, periods: T, hoursPerPeriod: dt)
        defer { agent.release() }
        let base = try agent.respondQuickly(to: Self.prices(&g, periods: T))
        try agent.fixDecisions(of: base.plan)
        var answers = [base.plan]
        for _ in 0..<3 { answers.append(try agent.respondFixed(to: Self.prices(&g, periods: T)).plan) }
        for k in answers { #expect(Self.obeysTheRules(p, agent.plans[k], dt: dt), "seed \(seed): plan \(k)") }
        let weights = answers.map { (plan: $0, weight: g.uniform(0.1, 1)) }
        let mix = try agent.combine(weights)
        #expect(Self.obeysTheRules(p, agent.plans[mix], dt: dt), "seed \(seed): the mix breaks a rule")
        try agent.unfix()
    }
}
