import CbcSolver
import DataIO
import Foundation
import LinearProgramming
import Optimize

extension Coordinator {
    /// The final step: one plan per agent and the coordinator's split, so that every rule holds exactly.
    /// Agents the master puts wholly on one plan keep it. The others (at most the master's coupling rows) are
    /// asked, at the master's prices, for a plan near their mix (paying per kW of distance from it), and a small
    /// MIP picks one plan each among their mixed and near plans, with the coordinator's split and the shared
    /// storage's mode binaries. If the limits still need artificial flows, the distance price rises tenfold and
    /// the near plans are asked again (four rounds at most).
    func select(
        _ agents: AgentGroup, master: Master, solved: Master.Solved, bound: Double, clock: Stopwatch,
        penaltyExhausted: Bool
    ) throws -> ClearingResult {
        var result = ClearingResult(
            schedule: ScheduleResult(status: .error, solver: "agents"), iterations: [], converged: false,
            prices: gridPrices, agentsInSelection: 0, seconds: 0)
        result.schedule.variables = master.workspace.columnCount
        result.schedule.constraints = master.rows
        if solved.artificial > 1e-6 && penaltyExhausted {
            result.schedule.status = .infeasible
            result.schedule.diagnosis = diagnosis(solved.values, master.own)
            result.schedule.message = "even the best mix of the agents' plans needs flows beyond the community's limits"
            return result
        }
        if solved.artificial > 1e-6 {
            result.schedule.status = .timeLimitNoSolution
            // Infeasibility is reported only at the highest penalty, which can take more rounds than the limit allows.
            result.schedule.message =
                "the iteration or time limit came before the agents' plans fit the community's limits; the community may be "
                + "infeasible: more iterations (`peergrid clear --max-iterations`) or time let the clearing tell; the central `peergrid schedule` diagnoses it"
            return result
        }
        var pick = try Pick(self, agents, master: master, values: solved.values)
        result.agentsInSelection = pick.targets.count
        let prices = signal(drawDual: solved.drawDual, feedDual: solved.feedDual)
        var weight = 0.1 * (community.grid.importPrice.map(abs).max() ?? 1) + 0.01
        for round in 0..<4 {
            if round == 3 {
                pick.openToEveryPlan(master)
                result.agentsInSelection = agents.count
            }
            if !pick.targets.isEmpty {
                for (i, _) in pick.targets { pick.targets[i]!.weight = weight }
                for (i, answer) in try agents.respond(to: prices, targets: pick.targets) where !pick.candidates[i, default: []].contains(answer.plan) {
                    pick.candidates[i, default: []].append(answer.plan)
                }
            }
            let mixed = pick.candidates.keys.sorted()
            let mixedPlans = try mixed.map { i in try agents.plans(pick.candidates[i]!.map { (i, $0) }) }
            let (model, own, binaries) = selectionModel(fixedDraw: pick.fixedDraw, fixedFeed: pick.fixedFeed, mixedPlans: mixedPlans)
            var opts = SolverOptions()
            opts.relativeGap = 0.5 * options.tolerance
            opts.nodeLimit = Self.selectionNodes
            if let limit = options.timeLimit { opts.timeLimit = max(1, limit - clock.seconds) }
            let s = try CbcSolver().solve(model, options: opts)
            guard s.status.hasSolution else {
                result.schedule.status = s.status == .infeasible ? .error : s.status
                result.schedule.message = "the final selection found no schedule (\(s.status.rawValue)): \(s.message)"
                return result
            }
            let artificial = [own.artificialDraw, own.artificialFeed, own.artificialPool].compactMap { $0 }
                .reduce(0.0) { sum, col in sum + (0..<T).reduce(0.0) { $0 + s.values[col + $1] } }
            if artificial > 1e-6 && round < 3 { weight *= 10; continue }
            if artificial > 1e-6 { break }
            for (k, i) in mixed.enumerated() {
                let q = binaries[k].indices.max { s.values[binaries[k][$0]] < s.values[binaries[k][$1]] } ?? 0
                pick.choice[i] = pick.candidates[i]![q]
            }
            let chosen = try agents.plans(pick.choice.enumerated().map { ($0.offset, $0.element) })
            let schedule = assemble(chosen, s.values, own, bound: bound)
            result.schedule.flows = schedule.flows
            result.schedule.shared = schedule.shared
            result.schedule.objective = schedule.objective
            result.schedule.bestBound = schedule.bestBound
            result.schedule.gap = schedule.gap
            result.schedule.settlement = schedule.settlement
            result.schedule.status = schedule.status
            result.schedule.integerVariables = model.integerCount
            return result
        }
        result.schedule.status = .error
        result.schedule.message =
            "the final selection could not meet the community limits, even choosing among all the agents' plans: mixes "
            + "of plans fit them, whole plans do not. The community may be infeasible with whole decisions (it is when "
            + "a flexible load's runs cannot fit), or feasible only with plans finer-tuned to each other than prices "
            + "bring; the central `peergrid schedule` decides it and diagnoses it"
        return result
    }

    /// The selection's choices: agents the master puts wholly on one plan keep it (their sums are fixed); the
    /// others get their master mix as a target and their mixed plans as candidates.
    struct Pick {
        var choice: [Int]
        var candidates: [Int: [Int]] = [:]
        var targets: [Int: ProsumerAgent.Target] = [:]
        var fixedDraw: [Double], fixedFeed: [Double]

        init(_ c: Coordinator, _ agents: AgentGroup, master: Master, values v: [Double]) throws {
            let n = agents.count, T = c.T
            choice = [Int](repeating: -1, count: n)
            for i in 0..<n {
                let weighted = master.weights(of: i, v, above: 1e-9)
                if let top = weighted.max(by: { $0.weight < $1.weight }), top.weight >= 1 - 1e-7 {
                    choice[i] = top.plan
                    continue
                }
                let plans = try agents.plans(weighted.map { (i, $0.plan) })
                var target = ProsumerAgent.Target(draw: Array(repeating: 0, count: T), feed: Array(repeating: 0, count: T), weight: 0)
                for (w, plan) in zip(weighted, plans) {
                    for t in 0..<T { target.draw[t] += w.weight * plan.draw[t]; target.feed[t] += w.weight * plan.feed[t] }
                }
                targets[i] = target
                candidates[i] = weighted.map(\.plan)
            }
            fixedDraw = [Double](repeating: 0, count: T)
            fixedFeed = fixedDraw
            let fixedAgents = (0..<n).filter { choice[$0] >= 0 }
            let current = choice
            for p in try agents.plans(fixedAgents.map { ($0, current[$0]) }) {
                for t in 0..<T { fixedDraw[t] += p.draw[t]; fixedFeed[t] += p.feed[t] }
            }
        }

        /// Last resort: every agent may take any plan it ever proposed (the master's LP is the relaxation of this
        /// MIP, so a feasible pick usually exists among them).
        mutating func openToEveryPlan(_ master: Master) {
            for i in choice.indices {
                var all = master.plans(of: i)
                if choice[i] >= 0 { all.removeAll { $0 == choice[i] }; all.insert(choice[i], at: 0) }
                for k in candidates[i, default: []] where !all.contains(k) { all.append(k) }
                candidates[i] = all
                choice[i] = -1
            }
            fixedDraw = [Double](repeating: 0, count: fixedDraw.count)
            fixedFeed = fixedDraw
            targets = [:]
        }
    }

    /// The selection MIP: the coordinator's part (with artificial flows), the fixed agents' sums on the right-hand
    /// side, one binary per candidate plan of each mixed agent, and the shared storage's mode binaries.
    func selectionModel(fixedDraw: [Double], fixedFeed: [Double], mixedPlans: [[ProsumerAgent.Plan]])
        -> (Model, Columns, [[Int]])
    {
        var m = Model(name: "selection")
        let own = addOwnPart(to: &m, linked: true, artificial: true)
        for t in 0..<T {
            m.setRowBounds(t, lower: -fixedDraw[t], upper: -fixedDraw[t])
            m.setRowBounds(T + t, lower: -fixedFeed[t], upper: -fixedFeed[t])
        }
        if let s = community.sharedStorage, let ch = own.charge, let dis = own.discharge, s.powerKW > 0 {
            for t in 0..<T {  // charge <= P q, discharge <= P (1 - q)
                let q = m.addVariable(lower: 0, upper: 1, kind: .binary).index
                m.addRow(indices: [ch + t, q], coefficients: [1, -s.powerKW], lower: -.infinity, upper: 0)
                m.addRow(indices: [dis + t, q], coefficients: [1, s.powerKW], lower: -.infinity, upper: s.powerKW)
            }
        }
        var binaries: [[Int]] = []
        var extra: [Int: [(Int, Double)]] = [:]
        for plans in mixedPlans {
            var us: [Int] = []
            for plan in plans {
                let u = m.addVariable(lower: 0, upper: 1, kind: .binary, objective: plan.ownCost).index
                us.append(u)
                for t in 0..<T {
                    if plan.draw[t] != 0 { extra[t, default: []].append((u, plan.draw[t])) }
                    if plan.feed[t] != 0 { extra[T + t, default: []].append((u, plan.feed[t])) }
                }
            }
            binaries.append(us)
            m.addRow(indices: us, coefficients: Array(repeating: 1, count: us.count), lower: 1, upper: 1)
        }
        return (Self.appending(extra, to: m), own, binaries)
    }

    /// `m` with extra entries in existing rows.
    static func appending(_ extra: [Int: [(Int, Double)]], to m: Model) -> Model {
        var out = Model(name: m.name)
        for j in 0..<m.variableCount {
            out.addVariable(lower: m.columnLower[j], upper: m.columnUpper[j], kind: m.kinds[j], objective: m.objective[j])
        }
        for r in 0..<m.constraintCount {
            let row = m.row(r) + (extra[r] ?? []).map { (column: $0.0, value: $0.1) }
            out.addRow(indices: row.map(\.column), coefficients: row.map(\.value), lower: m.rowLower[r], upper: m.rowUpper[r])
        }
        return out
    }

    /// The schedule of the chosen plans with the coordinator's split of each period's draw between grid and pool
    /// (the same share for every drawing agent) and of its feed, and the shared storage's flows.
    func assemble(_ plans: [ProsumerAgent.Plan], _ x: [Double], _ own: Columns, bound: Double) -> ScheduleResult {
        let c = community
        func clean(_ a: Double) -> Double { abs(a) < ProsumerAgent.tolerance ? 0 : a }
        var flows: [[ProsumerPeriod]] = []
        let draw = (0..<T).map { t in plans.reduce(0) { $0 + $1.draw[t] } }
        let feed = (0..<T).map { t in plans.reduce(0) { $0 + $1.feed[t] } }
        let poolShareOfDraw = (0..<T).map { draw[$0] > 0 ? min(1, max(0, x[own.poolBuy + $0] / draw[$0])) : 0 }
        let poolShareOfFeed = (0..<T).map { feed[$0] > 0 ? min(1, max(0, x[own.poolSell + $0] / feed[$0])) : 0 }
        for (i, p) in c.prosumers.enumerated() {
            let plan = plans[i]
            var energy = p.battery?.initialEnergy ?? 0
            var row: [ProsumerPeriod] = []
            for t in 0..<T {
                var f = ProsumerPeriod()
                f.load = p.loadKW[t]; f.pv = p.pvKW[t]; f.curtail = plan.curtail[t]
                f.poolBuy = clean(plan.draw[t] * poolShareOfDraw[t]); f.gridImport = clean(plan.draw[t] - f.poolBuy)
                f.poolSell = clean(plan.feed[t] * poolShareOfFeed[t]); f.gridExport = clean(plan.feed[t] - f.poolSell)
                f.flexible = plan.flexible[t]
                if let b = p.battery {
                    f.batteryCharge = plan.charge[t]; f.batteryDischarge = plan.discharge[t]
                    energy += dt * (b.chargeEfficiency * f.batteryCharge - f.batteryDischarge / b.dischargeEfficiency)
                    f.batterySoC = energy
                }
                row.append(f)
            }
            flows.append(row)
        }
        var shared: [StoragePeriod] = []
        if let ch = own.charge, let dis = own.discharge, let e = own.energy {
            shared = (0..<T).map { StoragePeriod(charge: clean(x[ch + $0]), discharge: clean(x[dis + $0]), soc: x[e + $0]) }
        }
        var r = ScheduleResult(status: .feasible, solver: "agents")
        r.flows = flows
        r.shared = shared
        let cost = CommunityScheduler.cost(c, flows: flows, shared: shared)
        r.objective = cost
        r.bestBound = min(bound, cost)
        r.gap = Solution.relativeGap(cost, r.bestBound)
        if let gap = r.gap, gap <= options.tolerance { r.status = .optimal }
        r.settlement = CommunityScheduler.settle(c, r)
        return r
    }

    /// Where the artificial flows sit: the limits the plans could not meet.
    func diagnosis(_ x: [Double], _ own: Columns) -> InfeasibilityDiagnosis {
        var conflicts: [InfeasibilityDiagnosis.Conflict] = []
        for (family, col) in [
            ("import limit", own.artificialDraw), ("export limit", own.artificialFeed),
            ("shared storage balance", own.artificialPool)
        ] {
            guard let col else { continue }
            let periods = (0..<T).filter { x[col + $0] > 1e-6 }
            if !periods.isEmpty {
                conflicts.append(.init(family: family, periods: periods, shortfall: periods.map { x[col + $0] }.max() ?? 0, unit: "kW"))
            }
        }
        return InfeasibilityDiagnosis(conflicts: conflicts)
    }
}
