import Foundation
import GLPKSolver
import LinearProgramming
import Optimize

/// One possible rest of the day: load and PV (kW) for the periods after the current one.
struct Scenario {
    var load: [Double]
    var pv: [Double]
    var weight: Double
}

/// A two-stage stochastic plan of the rest of one prosumer's day (an LP solved by GLPK).
///
/// The current period's battery power is one decision shared by every scenario (its load and PV are metered);
/// each scenario then has its own charge, discharge, import, export and curtailment for the periods after it,
/// under spec/community.md's battery rule: power limits, the state-of-charge range, the efficiencies, the
/// degradation cost, the draw and feed limits, and `final_min_soc` at the day's end. The objective is the
/// weighted mean of the scenarios' bills. A plan that hedges over several days' worth of PV and load charges from
/// the grid at night only as far as it pays on average, where a plan on one forecast trusts it fully.
///
/// Two slacks keep every LP feasible whatever a scenario holds: load left unserved and energy missing at the day's
/// end, each priced at ten times the highest import price, so the optimizer uses them only when the physics leave
/// no other way.
enum ScenarioPlanner {
    /// The battery power (kW, positive charges) for period `t0` of day `day`, planned over `scenarios` (each holding
    /// periods `t0 + 1 ..< periodsPerDay`).
    static func firstPower(
        _ data: HouseholdDays, day: Int, from t0: Int, energy: Double, load: Double, pv: Double, scenarios: [Scenario]
    ) throws -> Double {
        let T = data.periodsPerDay, dt = data.dt, b = data.battery
        let rest = T - t0 - 1
        guard t0 >= 0, t0 < T, scenarios.allSatisfy({ $0.load.count == rest && $0.pv.count == rest && $0.weight.isFinite && $0.weight >= 0 }) else {
            throw ControlError.invalidOption(
                name: "scenarios", detail: "each scenario must hold the \(rest) periods after period \(t0) and a finite weight >= 0")
        }
        let penalty = 10 * max(1, data.grid.importPrice.map(abs).max() ?? 1)
        let eMin = b.minSoC * b.capacityKWh, eMax = b.maxSoC * b.capacityKWh, eFinal = b.finalMinSoC * b.capacityKWh
        var m = Model(name: "mpc-scenarios")

        /// One period's variables, its balance and battery rows; returns (charge, discharge, energy after).
        func period(
            _ t: Int, load: Double, pv: Double, weight: Double, before: Variable?, energyBefore: Double
        ) -> (charge: Variable, discharge: Variable, energy: Variable) {
            let w = weight * dt
            let c = m.addVariable(upper: b.powerKW, objective: w * b.degradationCostPerKWh)
            let d = m.addVariable(upper: b.powerKW, objective: w * b.degradationCostPerKWh)
            let imp = m.addVariable(upper: data.drawLimit, objective: w * data.grid.importPrice[t])
            let exp = m.addVariable(upper: data.feedLimit, objective: -w * data.grid.exportPrice[t])
            let curtail = m.addVariable(upper: max(0, pv))
            let unserved = m.addVariable(upper: max(0, load), objective: w * penalty)
            let e = m.addVariable(lower: eMin, upper: eMax)
            // load - unserved - pv + curtail + charge - discharge = import - export
            m.addRow(
                indices: [c.index, d.index, curtail.index, imp.index, exp.index, unserved.index], coefficients: [1, -1, 1, -1, 1, -1],
                lower: pv - load, upper: pv - load)
            // e = e_before + dt (eta_c charge - discharge / eta_d)
            var idx = [e.index, c.index, d.index], coef = [1, -dt * b.chargeEfficiency, dt / b.dischargeEfficiency]
            var rhs = 0.0
            if let before {
                idx.append(before.index)
                coef.append(-1)
            } else {
                rhs = energyBefore
            }
            m.addRow(indices: idx, coefficients: coef, lower: rhs, upper: rhs)
            return (c, d, e)
        }

        func finalRow(_ e: Variable, weight: Double) {
            let short = m.addVariable(objective: weight * penalty)
            m.addRow(indices: [e.index, short.index], coefficients: [1, 1], lower: eFinal, upper: .infinity)
        }

        let first = period(t0, load: load, pv: pv, weight: 1, before: nil, energyBefore: energy)
        if rest == 0 { finalRow(first.energy, weight: 1) }
        for s in scenarios where rest > 0 {
            var before = first.energy
            for k in 0..<rest {
                before = period(t0 + 1 + k, load: s.load[k], pv: s.pv[k], weight: s.weight, before: before, energyBefore: 0).energy
            }
            finalRow(before, weight: s.weight)
        }
        let solution = try GLPKSolver().solve(m, options: SolverOptions())
        guard solution.status == .optimal, let c = solution[first.charge], let d = solution[first.discharge] else {
            throw ControlError.optimizerFailed(
                day: data.label(day), detail: "the scenario plan from period \(t0) was not solved (\(solution.status.rawValue): \(solution.message))")
        }
        return c - d
    }
}
