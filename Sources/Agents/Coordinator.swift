import CbcSolver
import DataIO
import Foundation
import GLPKSolver
import LinearProgramming
import Optimize

/// The coordinator's side of the clearing. It knows the public tariffs, the community limits and the shared
/// storage (the community's own asset, described in the community file that every member shares), and it gets
/// from agents nothing but ``Proposal``s.
struct Coordinator {
    let community: Community
    let options: ClearingOptions
    let T: Int
    let dt: Double
    /// Cost (currency per kWh) of the master's artificial flows, which keep it feasible before the plans fit. It
    /// caps the prices the master can ask: it starts at twice the dearest tariff (a limit's price above that is
    /// rare) and rises ``penaltyRaise``-fold when the master converges (or stalls) with artificial flows left; if
    /// they are still there after ``penaltyRaises`` raises, they are a sign of an infeasible community.
    var penalty: Double
    static let penaltyRaises = 1
    /// One raise to the top, 10,000 times the start: four tenfold raises (the rule until 2026-12-07) reached the
    /// same price, but each level had to converge first, and an infeasible 3 x 96 community took 449 rounds to be
    /// called so (over the default `--max-iterations`: exit 4), now 46; feasible communities rarely raise it.
    static let penaltyRaise = 10_000.0
    /// Iterations in a row without a new plan after which the clearing stops (the agents' answers repeat: with
    /// time-limited agent MILPs the bound cannot close further).
    static let stallLimit = 6
    /// Branch-and-bound nodes of the final selection MIP (its gap: half the clearing tolerance). A node limit, not
    /// a time limit, so that the answer is the same on every machine.
    static let selectionNodes = 2000
    /// Row layout of the master: draw t, feed T + t, pool 2T + t, storage energy 3T + t, then one row per agent.
    var convexityBase: Int { community.sharedStorage == nil ? 3 * T : 4 * T }

    init(community: Community, options: ClearingOptions) {
        self.community = community
        self.options = options
        T = community.periods
        dt = community.hoursPerPeriod
        let top = community.grid.importPrice.map(abs).max() ?? 1
        penalty = max(0.1, 2 * (top + community.p2p.feePerKWh))
    }

    // MARK: The coordinator's own variables

    /// Columns of the coordinator's part: grid import and export, pool buy and sell, the shared storage, and (in
    /// the master only) the artificial flows.
    struct Columns {
        var gridImport = 0, gridExport = 0, poolBuy = 0, poolSell = 0
        var charge: Int?, discharge: Int?, energy: Int?
        var artificialDraw: Int?, artificialFeed: Int?, artificialPool: Int?
    }

    /// Adds the coordinator's columns and the pool and storage rows to `m`, whose first `2T` rows are the draw and
    /// feed rows when `linked` (the master); without them (the Lagrangian's own part) the rows are 0..<T pool.
    func addOwnPart(to m: inout Model, linked: Bool, artificial: Bool) -> Columns {
        let c = community, g = c.grid, p2p = c.p2p.enabled
        let poolCap = p2p ? c.prosumers.reduce(0) { $0 + $1.connectionKW } : 0
        var cols = Columns()
        func block(_ lower: Double, _ upper: (Int) -> Double, _ cost: (Int) -> Double) -> Int {
            let first = m.variableCount
            for t in 0..<T { m.addVariable(lower: lower, upper: upper(t), objective: cost(t)) }
            return first
        }
        cols.gridImport = block(0, { _ in g.importLimitKW }, { dt * g.importPrice[$0] })
        cols.gridExport = block(0, { _ in g.exportLimitKW }, { -dt * g.exportPrice[$0] })
        cols.poolBuy = block(0, { _ in poolCap }, { _ in dt * c.p2p.feePerKWh })
        cols.poolSell = block(0, { _ in poolCap }, { _ in 0 })
        if let s = c.sharedStorage {
            let power = p2p ? s.powerKW : 0
            cols.charge = block(0, { _ in power }, { _ in dt * s.degradationCostPerKWh })
            cols.discharge = block(0, { _ in power }, { _ in dt * s.degradationCostPerKWh })
            cols.energy = block(s.minSoC * s.capacityKWh, { _ in s.maxSoC * s.capacityKWh }, { _ in 0 })
            m.setBounds(
                Variable(index: cols.energy! + T - 1), lower: max(s.minSoC, s.finalMinSoC) * s.capacityKWh,
                upper: s.maxSoC * s.capacityKWh)
        }
        if artificial {
            cols.artificialDraw = block(0, { _ in .infinity }, { _ in dt * penalty })
            cols.artificialFeed = block(0, { _ in .infinity }, { _ in dt * penalty })
            cols.artificialPool = block(0, { _ in .infinity }, { _ in dt * penalty })
        }
        if linked {
            for t in 0..<T {  // draw row: sum of plans' draw - import - pool buy - artificial = 0
                var idx = [cols.gridImport + t, cols.poolBuy + t], val = [-1.0, -1]
                if let a = cols.artificialDraw { idx.append(a + t); val.append(-1) }
                m.addRow(indices: idx, coefficients: val, lower: 0, upper: 0, name: "draw_\(t)")
            }
            for t in 0..<T {
                var idx = [cols.gridExport + t, cols.poolSell + t], val = [-1.0, -1]
                if let a = cols.artificialFeed { idx.append(a + t); val.append(-1) }
                m.addRow(indices: idx, coefficients: val, lower: 0, upper: 0, name: "feed_\(t)")
            }
        }
        for t in 0..<T {  // pool: sell + storage discharge - buy - storage charge (+ artificial) = 0
            var idx = [cols.poolSell + t, cols.poolBuy + t], val = [1.0, -1]
            if let ch = cols.charge, let dis = cols.discharge { idx += [dis + t, ch + t]; val += [1, -1] }
            if let a = cols.artificialPool { idx.append(a + t); val.append(1) }
            m.addRow(indices: idx, coefficients: val, lower: 0, upper: 0, name: "pool_\(t)")
        }
        if let s = c.sharedStorage, let ch = cols.charge, let dis = cols.discharge, let e = cols.energy {
            for t in 0..<T {
                var idx = [e + t, ch + t, dis + t], val = [1.0, -dt * s.chargeEfficiency, dt / s.dischargeEfficiency]
                if t > 0 { idx.append(e + t - 1); val.append(-1) }
                let rhs = t == 0 ? s.initialEnergy : 0
                m.addRow(indices: idx, coefficients: val, lower: rhs, upper: rhs, name: "storage_\(t)")
            }
        }
        return cols
    }

    // MARK: Prices

    /// Master duals of the draw and feed rows -> the agents' prices (currency per kWh).
    func signal(drawDual: [Double], feedDual: [Double]) -> PriceSignal {
        PriceSignal(draw: PeriodVector(drawDual.map { -$0 / dt }), feed: PeriodVector(feedDual.map { $0 / dt }))
    }

    /// `p` moved into the box of half-width `radius` around `centre`; whether it had to move.
    func clamp(_ p: PriceSignal, around centre: PriceSignal, radius: Double) -> (PriceSignal, Bool) {
        var clipped = false
        func box(_ x: Double, _ c: Double) -> Double {
            let y = min(c + radius, max(c - radius, x))
            if y != x { clipped = true }
            return y
        }
        let out = PriceSignal(
            draw: PeriodVector((0..<T).map { box(p.draw[$0], centre.draw[$0]) }),
            feed: PeriodVector((0..<T).map { box(p.feed[$0], centre.feed[$0]) }))
        return (out, clipped)
    }

    func blend(_ a: PriceSignal, _ b: PriceSignal, weight w: Double) -> PriceSignal {
        PriceSignal(
            draw: PeriodVector((0..<T).map { w * a.draw[$0] + (1 - w) * b.draw[$0] }),
            feed: PeriodVector((0..<T).map { w * a.feed[$0] + (1 - w) * b.feed[$0] }))
    }

    /// Stand-alone prices (the grid's own tariff): every agent's value there is its stand-alone optimal bill.
    var gridPrices: PriceSignal {
        PriceSignal(draw: PeriodVector(community.grid.importPrice), feed: PeriodVector(community.grid.exportPrice))
    }

    /// Mid-market pool prices plus the fee for drawing.
    var poolPrices: PriceSignal {
        let mid = community.poolPrice
        return PriceSignal(draw: PeriodVector(mid.map { $0 + community.p2p.feePerKWh }), feed: PeriodVector(mid))
    }

    // MARK: The clearing

    /// The column generation's state between rounds.
    struct Rounds {
        /// The prices of the best Lagrangian estimate so far, and that estimate.
        var best: PriceSignal
        var bestEstimate: Double
        /// The certified bound: proven values only (the estimate steers by the quick answers' values, which are at
        /// or above the agents' optima).
        var bestBound: Double
        var smoothing: Double
        /// Trust region: the agents never see prices further than `radius` from the best prices. Early master
        /// duals are arbitrary (few plans), and far-off prices only make agents' MILPs slow.
        var radius: Double
        var last: PriceSignal
        var raises = 0, stalled = 0
        var exhausted = false, converged = false
        /// The certificate round ran past its deadline (85 % of the time limit): agents that started after it bound
        /// by their LP relaxations.
        var certificateCutShort = false
        var log: [ClearingIteration] = []
    }

    /// Decentralized clearing: two opening rounds, price rounds until the master's gap closes (or a limit), a
    /// certificate round, then the repair (the MIP selection when the repair cannot meet the limits).
    mutating func clear(_ agents: AgentGroup) throws -> ClearingResult {
        let clock = Stopwatch()
        var master = try Master(self, blocks: Master.blocks(agents: agents.count, count: options.masterBlocks))
        var own = try OwnPart(self)
        let standalone = try agents.respond(to: gridPrices, effort: .exact(nodes: ProsumerAgent.certificateNodes))
        var rounds = try opening(agents, standalone: standalone, master: &master, own: &own)
        var phases: [(phase: String, seconds: Double)] = [("opening", clock.seconds)]
        let budget = options.timeLimit.map { 0.75 * $0 }
        for iteration in 1...options.maxIterations {
            guard try round(iteration, agents, master: &master, own: &own, rounds: &rounds, clock: clock, budget: budget) else { break }
        }
        phases.append(("iterations", clock.seconds - phases.reduce(0) { $0 + $1.seconds }))
        // Certificate round: at the best prices every agent proves a lower bound of its own optimum (its MILP's
        // root node, or exactly), so the sum is a Lagrangian bound; the iterations' estimate is no proof.
        // Under a time limit the agents that start after 85 % of it bound by their LP relaxations (quick, weaker):
        // at N = 10,000 the root nodes take about 300 s in one process.
        let certificateStart = clock.seconds
        if options.timeLimit.map({ certificateStart < 0.85 * $0 }) ?? true {
            let seconds = options.timeLimit.map { 0.85 * $0 - certificateStart }
            let exact = try agents.respond(to: rounds.best, effort: .bounded(nodes: ProsumerAgent.boundNodes, seconds: seconds))
            let bound = exact.reduce(0) { $0 + $1.proposal.value } + (try own.value(at: rounds.best))
            rounds.bestBound = max(rounds.bestBound, bound)
            rounds.certificateCutShort = seconds.map { clock.seconds - certificateStart > $0 } ?? false
            try master.add(exact)
        }
        phases.append(("certificate", clock.seconds - phases.reduce(0) { $0 + $1.seconds }))
        let final = try master.solve()
        // The repair first; the MIP selection when it cannot meet the limits. Artificial flows left are a proof of
        // infeasibility only when the master converged at the highest penalty (`exhausted`).
        var result: ClearingResult
        if let repaired = try repair(agents, master: master, solved: final, bound: rounds.bestBound, clock: clock) {
            result = repaired
        } else {
            result = try select(agents, master: master, solved: final, bound: rounds.bestBound, clock: clock, penaltyExhausted: rounds.exhausted)
        }
        phases.append(("repair", clock.seconds - phases.reduce(0) { $0 + $1.seconds }))
        result.phaseSeconds = phases
        return finish(result, rounds: rounds, standalone: standalone, clock: clock)
    }

    /// Two opening rounds: the grid's tariff (the stand-alone answers, proven) and the mid-market pool prices.
    func opening(_ agents: AgentGroup, standalone: [(proposal: Proposal, plan: Int)], master: inout Master, own: inout OwnPart) throws -> Rounds {
        try master.add(standalone)
        var best = gridPrices
        var bestBound = standalone.reduce(0) { $0 + $1.proposal.value } + (try own.value(at: gridPrices))
        var bestEstimate = bestBound
        if community.p2p.enabled {
            let opening = try agents.respond(to: poolPrices, effort: .quick)
            try master.add(opening)
            let b = opening.reduce(0) { $0 + $1.proposal.value } + (try own.value(at: poolPrices))
            if b > bestEstimate { bestEstimate = b; best = poolPrices }
            if opening.allSatisfy({ $0.proposal.proven }) { bestBound = max(bestBound, b) }
        }
        return Rounds(
            best: best, bestEstimate: bestEstimate, bestBound: bestBound, smoothing: options.smoothing,
            radius: 0.1 * max(0.1, community.grid.importPrice.map(abs).max() ?? 1), last: best)
    }

    /// Raises the artificial flows' price to its top; false when it is already there.
    mutating func raisePenalty(_ master: inout Master, _ rounds: inout Rounds) throws -> Bool {
        if rounds.raises == Self.penaltyRaises { rounds.exhausted = true; return false }
        rounds.raises += 1
        penalty *= Self.penaltyRaise
        try master.setPenalty(penalty * dt)
        return true
    }

    /// One price round: the master's duals, boxed and smoothed, go to the agents; their plans join the master.
    /// Returns false when the clearing stops (converged, stalled at the highest penalty, or out of time).
    mutating func round(
        _ iteration: Int, _ agents: AgentGroup, master: inout Master, own: inout OwnPart, rounds r: inout Rounds,
        clock: Stopwatch, budget: Double?
    ) throws -> Bool {
        let solved = try master.solve()
        let masterPrices = signal(drawDual: solved.drawDual, feedDual: solved.feedDual)
        let gap = Solution.relativeGap(solved.objective, r.bestEstimate) ?? .infinity
        if gap <= options.tolerance {
            if solved.artificial <= 1e-7 { r.converged = true; return false }
            return try raisePenalty(&master, &r)
        }
        if let budget, clock.seconds >= budget { return false }
        let (boxed, clipped) = clamp(masterPrices, around: r.best, radius: r.radius)
        let asked = blend(r.best, boxed, weight: r.smoothing)
        let answers = try agents.respond(to: asked, effort: .quick)
        let estimate = answers.reduce(0) { $0 + $1.proposal.value } + (try own.value(at: asked))
        let improved = estimate > r.bestEstimate + 1e-9 * max(1, abs(r.bestEstimate))
        if estimate > r.bestEstimate { r.bestEstimate = estimate; r.best = asked }
        if answers.allSatisfy({ $0.proposal.proven }) { r.bestBound = max(r.bestBound, estimate) }
        let added = try master.add(answers)
        // A stall is a round with no new plan and no better bound (the bound can still rise with the
        // coordinator's own part when every agent's plan is fixed, e.g. prosumers without devices).
        r.stalled = added == 0 && !improved ? r.stalled + 1 : 0
        if r.stalled >= Self.stallLimit {
            // Nothing new for a while. With artificial flows still in the master, raise their price (the agents
            // must move further); at the highest price they prove that the plans cannot fit.
            guard solved.artificial > 1e-7, try raisePenalty(&master, &r) else { return false }
            r.stalled = 0
        }
        if added == 0 {
            // Mispricing: nothing new at these prices. Let the master's prices through further.
            if clipped { r.radius *= 2 } else { r.smoothing = max(0, r.smoothing - 0.25) }
        }
        var residual = 0.0
        for t in 0..<T {
            let draw = answers.reduce(0) { $0 + $1.proposal.draw[t] }, feed = answers.reduce(0) { $0 + $1.proposal.feed[t] }
            residual = max(residual, abs(draw - solved.draw[t]), abs(feed - solved.feed[t]))
        }
        let change = (0..<T).reduce(0.0) { max($0, abs(asked.draw[$1] - r.last.draw[$1]), abs(asked.feed[$1] - r.last.feed[$1])) }
        r.last = asked
        let step = ClearingIteration(
            iteration: iteration, primalResidual: residual, dualResidual: change,
            objective: solved.objective, bound: r.bestEstimate,
            gap: Solution.relativeGap(solved.objective, r.bestEstimate) ?? .infinity,
            smoothing: r.smoothing, plans: master.planCount, seconds: clock.seconds)
        r.log.append(step)
        options.progress?(step)
        return true
    }

    /// The result's log, prices, stand-alone bills and convergence message.
    func finish(_ repaired: ClearingResult, rounds: Rounds, standalone: [(proposal: Proposal, plan: Int)], clock: Stopwatch) -> ClearingResult {
        var result = repaired
        result.iterations = rounds.log
        result.schedule.rounds = rounds.log.count  // the summary's "rounds": price updates here
        result.converged = rounds.converged
        result.prices = rounds.best
        result.schedule.solveSeconds = clock.seconds
        result.schedule.standaloneStatus = .optimal
        result.schedule.standaloneBills = zip(community.prosumers, standalone).map { (id: $0.id, bill: $1.proposal.value) }
        result.schedule.standaloneCost = standalone.reduce(0) { $0 + $1.proposal.value }
        if !rounds.converged && result.schedule.status.hasSolution {
            result.schedule.message =
                "not converged within the iteration or time limit: the best repaired schedule, certified gap \(String(format: "%.3g", result.schedule.gap ?? .infinity))"
        }
        if rounds.certificateCutShort && result.schedule.status.hasSolution {
            let note = "the certificate round reached 85 % of the time limit: agents that started after that bound by their LP relaxation (a weaker bound)"
            result.schedule.message += (result.schedule.message.isEmpty ? "" : "; ") + note
        }
        result.seconds = clock.seconds
        return result
    }
}

// MARK: - Master

/// The restricted master LP: convex combinations of each block's columns, the coordinator's own part and the
/// artificial flows, kept in a GLPK workspace (new plans are new columns; each solve starts from the last basis).
///
/// Up to ``disaggregatedUpTo`` agents every agent is a block of its own (one convexity row per agent, the classic
/// Dantzig-Wolfe master). Above it, agents are grouped into ``maximumBlocks`` blocks of neighbours; a block's column
/// is the sum of its members' plans from one round, and the master mixes a block's columns with one set of
/// weights, which each member applies to its own plans, so every mix is still each agent's own convex combination
/// (a coarser master: it can only move a whole block). Measured at N = 10,000 x 96 (the README's *Agents at
/// scale*): one row per agent, a GLPK solve took 0.5-75 s (26 s cold; CLP cold 9-40 s), 8 rounds in 240 s;
/// 1,000 blocks, 7-34 s a solve and about 15 s a round; 250 blocks, about 7 s a round with the agents' answers,
/// and the gap below 1 % after 21 rounds.
struct Master {
    let workspace: GLPKWorkspace
    let own: Coordinator.Columns
    let T: Int
    let convexityBase: Int
    /// Agents of each block (in order), and each agent's block and position in it.
    let blocks: [[Int]]
    private let blockOf: [(block: Int, position: Int)]
    /// Per block: (master column, each member's plan index) of every column it holds.
    private var columns: [[(column: Int, plans: [Int])]]
    private var held: [Set<[Int]>]
    private(set) var planCount = 0
    private(set) var rows: Int

    /// Agents up to which every agent has its own convexity row.
    static let disaggregatedUpTo = 2000
    /// Blocks above ``disaggregatedUpTo`` agents.
    static let maximumBlocks = 250

    /// `count` contiguous blocks whose sizes differ by at most one (at most one per agent). Without a count:
    /// singletons up to ``disaggregatedUpTo`` agents, else ``maximumBlocks`` blocks.
    static func blocks(agents n: Int, count: Int? = nil) -> [[Int]] {
        let k = min(n, count ?? (n > disaggregatedUpTo ? maximumBlocks : n))
        guard k < n else { return (0..<n).map { [$0] } }
        return (0..<k).map { b in Array((b * n / k)..<((b + 1) * n / k)) }
    }

    init(_ c: Coordinator, blocks: [[Int]]) throws {
        var m = Model(name: "master")
        own = c.addOwnPart(to: &m, linked: true, artificial: true)
        T = c.T
        convexityBase = c.convexityBase
        precondition(m.constraintCount == convexityBase, "master row layout")
        self.blocks = blocks
        let n = blocks.reduce(0) { $0 + $1.count }
        var place = [(block: Int, position: Int)](repeating: (0, 0), count: n)
        for (b, members) in blocks.enumerated() {
            for (p, i) in members.enumerated() { place[i] = (b, p) }
            m.addRow(indices: [], coefficients: [], lower: 1, upper: 1, name: "block_\(b)")
        }
        blockOf = place
        rows = m.constraintCount
        workspace = try GLPKWorkspace(m)
        // The first solve starts cold: the dual simplex takes 0.5 s where the primal one takes 9 s (N = 1000).
        // Later solves start from the last basis, which new columns keep primal feasible: primal simplex.
        workspace.dualSimplex = true
        columns = Array(repeating: [], count: blocks.count)
        held = Array(repeating: [], count: blocks.count)
    }

    /// Adds, per block, the column of its members' answers when the master does not hold it yet; returns how many
    /// were new.
    @discardableResult
    mutating func add(_ answers: [(proposal: Proposal, plan: Int)]) throws -> Int {
        var added = 0
        for (b, members) in blocks.enumerated() {
            let plans = members.map { answers[$0].plan }
            guard held[b].insert(plans).inserted else { continue }
            var draw = [Double](repeating: 0, count: T), feed = draw, cost = 0.0
            for i in members {
                let a = answers[i].proposal
                cost += a.ownCost
                for t in 0..<T { draw[t] += a.draw[t]; feed[t] += a.feed[t] }
            }
            var entries: [(row: Int, value: Double)] = [(convexityBase + b, 1)]
            for t in 0..<T {
                if draw[t] != 0 { entries.append((t, draw[t])) }
                if feed[t] != 0 { entries.append((T + t, feed[t])) }
            }
            let column = try workspace.addColumn(cost: cost, lower: 0, upper: .infinity, entries: entries)
            columns[b].append((column, plans))
            added += 1
        }
        planCount += added
        return added
    }

    /// Agent `i`'s plans that the master's solution `v` weighs above `threshold`, with their weights (a plan in
    /// several of its block's columns gets their sum), in the order the master got them.
    func weights(of i: Int, _ v: [Double], above threshold: Double) -> [(plan: Int, weight: Double)] {
        let (b, p) = blockOf[i]
        var out: [(plan: Int, weight: Double)] = []
        for c in columns[b] where c.column < v.count && v[c.column] > 0 {
            if let k = out.firstIndex(where: { $0.plan == c.plans[p] }) { out[k].weight += v[c.column] } else { out.append((c.plans[p], v[c.column])) }
        }
        return out.filter { $0.weight > threshold }
    }

    /// Every plan of agent `i` that the master holds, in the order it got them.
    func plans(of i: Int) -> [Int] {
        let (b, p) = blockOf[i]
        var out: [Int] = []
        for c in columns[b] where !out.contains(c.plans[p]) { out.append(c.plans[p]) }
        return out
    }

    /// Sets the cost of every artificial flow (currency per kW and period).
    func setPenalty(_ cost: Double) throws {
        for col in [own.artificialDraw, own.artificialFeed, own.artificialPool].compactMap({ $0 }) {
            for t in 0..<T { try workspace.setObjective(col + t, cost) }
        }
    }

    struct Solved {
        var objective: Double
        var drawDual: [Double], feedDual: [Double]
        /// The master's aggregate draw and feed per period (kW).
        var draw: [Double], feed: [Double]
        var artificial: Double
        var values: [Double]
    }

    func solve() throws -> Solved {
        let a = workspace.solveLP()
        workspace.dualSimplex = false
        guard a.status == .optimal else {
            throw AgentError.solver(agent: "coordinator", detail: "master LP: \(a.status.rawValue)")
        }
        let v = a.values, o = own
        var artificial = 0.0
        for col in [o.artificialDraw, o.artificialFeed, o.artificialPool].compactMap({ $0 }) {
            for t in 0..<T { artificial += v[col + t] }
        }
        let draw = (0..<T).map { t in v[o.gridImport + t] + v[o.poolBuy + t] + (o.artificialDraw.map { v[$0 + t] } ?? 0) }
        let feed = (0..<T).map { t in v[o.gridExport + t] + v[o.poolSell + t] + (o.artificialFeed.map { v[$0 + t] } ?? 0) }
        return Solved(
            objective: a.objective, drawDual: Array(a.rowDuals[0..<T]), feedDual: Array(a.rowDuals[T..<2 * T]),
            draw: draw, feed: feed, artificial: artificial, values: v)
    }
}

/// The coordinator's own part of the Lagrangian: its best grid and pool split and storage use when it sells
/// draw and buys feed at the signal's prices. Bounded (every flow has a finite limit), so its value is finite.
struct OwnPart {
    let workspace: GLPKWorkspace
    let own: Coordinator.Columns
    let c: Coordinator

    init(_ c: Coordinator) throws {
        var m = Model(name: "coordinator")
        own = c.addOwnPart(to: &m, linked: false, artificial: false)
        workspace = try GLPKWorkspace(m)
        self.c = c
    }

    mutating func value(at s: PriceSignal) throws -> Double {
        let g = c.community.grid, dt = c.dt, fee = c.community.p2p.feePerKWh
        for t in 0..<c.T {
            try workspace.setObjective(own.gridImport + t, dt * (g.importPrice[t] - s.draw[t]))
            try workspace.setObjective(own.poolBuy + t, dt * (fee - s.draw[t]))
            try workspace.setObjective(own.gridExport + t, dt * (s.feed[t] - g.exportPrice[t]))
            try workspace.setObjective(own.poolSell + t, dt * s.feed[t])
        }
        let a = workspace.solveLP()
        guard a.status == .optimal else {
            throw AgentError.solver(agent: "coordinator", detail: "own part of the bound: \(a.status.rawValue)")
        }
        return a.objective
    }
}
