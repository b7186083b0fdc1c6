import Foundation
import DataIO
import LinearProgramming
import Optimize

extension Coordinator {
    /// The decentralized repair: every agent fixes the integer decisions of the plan the master weighs most, and
    /// the same column generation runs again on what is left, which is convex. Agents answer LPs, so the master's
    /// mix of an agent's plans is itself a plan that obeys every rule: each agent forms its own mix privately
    /// (``AgentGroup/combine(_:)``) from the weights the coordinator sends, and the pool balance and the community
    /// limits hold exactly. Returns `nil` when the fixed decisions cannot meet the limits (artificial flows left)
    /// or the shared storage would need to charge and discharge at once: the MIP selection then takes over.
    func repair(_ agents: AgentGroup, master: Master, solved: Master.Solved, bound: Double, clock: Stopwatch) throws -> ClearingResult? {
        let n = agents.count
        let v = solved.values
        guard solved.artificial <= 1e-6 else { return nil }
        // Two ways to pick the decisions to fix: the plan the master weighs most, and a plan near the master's mix
        // (the agent's quick answer at the master's prices, paying per kW of distance from the mix), which keeps
        // the mix within reach of the convex part. The cheaper repaired schedule wins.
        var heaviest = [Int](repeating: 0, count: n)
        var targets: [Int: ProsumerAgent.Target] = [:]
        for i in 0..<n {
            let weighted = master.weights(of: i, v, above: 1e-9)
            guard let top = weighted.max(by: { $0.weight < $1.weight }) else { return nil }
            heaviest[i] = top.plan
            if top.weight < 1 - 1e-7 {
                var target = ProsumerAgent.Target(
                    draw: Array(repeating: 0, count: T), feed: Array(repeating: 0, count: T),
                    weight: 0.1 * (community.grid.importPrice.map(abs).max() ?? 1) + 0.01)
                for (w, plan) in zip(weighted, try agents.plans(weighted.map { (i, $0.plan) })) {
                    for t in 0..<T { target.draw[t] += w.weight * plan.draw[t]; target.feed[t] += w.weight * plan.feed[t] }
                }
                targets[i] = target
            }
        }
        var near = heaviest
        if !targets.isEmpty {
            let prices = signal(drawDual: solved.drawDual, feedDual: solved.feedDual)
            for (i, answer) in try agents.respond(to: prices, targets: targets) { near[i] = answer.plan }
        }
        var best: ClearingResult?
        for base in near == heaviest ? [heaviest] : [near, heaviest] {
            guard let r = try repairFixing(base, agents, master: master, bound: bound, clock: clock) else { continue }
            if let b = best, let x = b.schedule.objective, let y = r.schedule.objective, x <= y { continue }
            best = r
        }
        return best
    }

    /// The repair with each agent's decisions fixed to those of its plan `base[i]`.
    private func repairFixing(_ base: [Int], _ agents: AgentGroup, master: Master, bound: Double, clock: Stopwatch) throws -> ClearingResult? {
        let n = agents.count
        try agents.fix(base)
        defer { try? agents.unfix() }
        var restricted = try Master(self, blocks: master.blocks)
        try restricted.setPenalty(penalty * dt)
        let seeds = try agents.plans(base.enumerated().map { ($0.offset, $0.element) })
        try restricted.add(
            zip(base, seeds).map { plan, p in
                (Proposal(draw: PeriodVector(p.draw), feed: PeriodVector(p.feed), ownCost: p.ownCost, value: 0, proven: false), plan)
            })
        var own = try OwnPart(self)
        var final: Master.Solved?
        var storageFixed = Set<Int>()
        for _ in 0..<options.maxIterations {
            if let limit = options.timeLimit, clock.seconds >= limit { break }
            let s = try restricted.solve()
            let prices = signal(drawDual: s.drawDual, feedDual: s.feedDual)
            let answers = try agents.respondFixed(to: prices)
            let lagrangian = answers.reduce(0) { $0 + $1.proposal.value } + (try own.value(at: prices))
            let added = try restricted.add(answers)
            let gap = Solution.relativeGap(s.objective, lagrangian) ?? .infinity
            if added == 0 || gap <= 0.1 * options.tolerance {
                // Converged on the restricted problem. The shared storage must not charge and discharge at once.
                let both = storagePeriodsUsedBothWays(s.values, restricted.own).subtracting(storageFixed)
                if both.isEmpty { final = s; break }
                for t in both { try fixStorageDirection(t, s.values, restricted) }
                storageFixed.formUnion(both)
            }
        }
        guard let s = final ?? (try? restricted.solve()), s.artificial <= 1e-6,
            storagePeriodsUsedBothWays(s.values, restricted.own).isEmpty
        else { return nil }
        var weights: [[(plan: Int, weight: Double)]] = Array(repeating: [], count: n)
        for i in 0..<n {
            weights[i] = restricted.weights(of: i, s.values, above: 1e-12)
            if weights[i].isEmpty { return nil }
        }
        let mixes = try agents.combine(weights)
        let chosen = try agents.plans(mixes.enumerated().map { ($0.offset, $0.element) })
        var result = ClearingResult(
            schedule: assemble(chosen, s.values, restricted.own, bound: bound), iterations: [],
            converged: false, prices: gridPrices, agentsInSelection: 0, seconds: 0)
        result.schedule.variables = master.workspace.columnCount
        result.schedule.constraints = master.rows
        result.agentsInSelection = weights.filter { $0.count > 1 }.count
        return result
    }

    /// Periods where the master's shared storage both charges and discharges.
    func storagePeriodsUsedBothWays(_ x: [Double], _ own: Columns) -> Set<Int> {
        guard let ch = own.charge, let dis = own.discharge else { return [] }
        return Set((0..<T).filter { x[ch + $0] > ProsumerAgent.tolerance && x[dis + $0] > ProsumerAgent.tolerance })
    }

    /// Keeps only the larger of the storage's two directions at `t`.
    func fixStorageDirection(_ t: Int, _ x: [Double], _ m: Master) throws {
        guard let ch = m.own.charge, let dis = m.own.discharge else { return }
        try m.workspace.setColumn(x[ch + t] >= x[dis + t] ? dis + t : ch + t, lower: 0, upper: 0)
    }
}
