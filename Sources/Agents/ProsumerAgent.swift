import Foundation
import CbcSolver
import GLPKSolver
import LinearProgramming
import Optimize

/// One prosumer's agent. It owns the prosumer's data (load, PV, battery, flexible loads, connection), answers
/// price signals with the plan that is best for it (its own small MILP, kept in a GLPK workspace between answers
/// so each answer starts from the last basis), and remembers its plans' device schedules privately: the
/// coordinator only ever gets draw and feed per period.
///
/// Not thread-safe: an agent lives on one worker thread (GLPK's environment is per thread).
final class ProsumerAgent {
    let prosumer: Prosumer
    let periods: Int
    let dt: Double
    /// What an agent keeps of each distinct plan it proposed, to build its schedule if the plan is chosen.
    struct Plan {
        var draw: [Double], feed: [Double], charge: [Double], discharge: [Double], curtail: [Double], flexible: [Double]
        var ownCost: Double
        /// Per flexible load, per period of its window: whether it runs.
        var runs: [[Bool]] = []
    }
    private(set) var plans: [Plan] = []
    private var planIndex: [Int: [Int]] = [:]

    private var workspace: GLPKWorkspace?
    /// Whether ``fixDecisions(of:)`` holds the LP's integer decisions.
    private var fixed = false
    /// Periods whose battery needs a mode binary in the CBC model.
    private var cbcBattery = Set<Int>()
    private var layout = Layout()
    /// Column indices of the agent's model.
    struct Layout {
        var draw = 0, feed = 0, curtail = 0, charge: Int?, discharge: Int?, energy: Int?
        var flex: [(load: Int, first: Int, window: Int)] = []
        var meterBinary: [Int: (column: Int, rows: Int)] = [:], batteryBinary: [Int: Int] = [:]
        /// Deviation columns (draw above, draw below, feed above, feed below; T each) and their rows
        /// (draw rows, then feed rows), made the first time the coordinator asks for a plan near a target.
        var deviation: (columns: Int, rows: Int)?
    }

    /// Flows below this are written as 0 (the spec's 1e-6 kW) and count as "not flowing" for the meter rule.
    static let tolerance = 1e-6
    /// Branch-and-bound nodes an agent's CBC search (where feeding earns more than drawing somewhere) may take
    /// during the iterations before it answers with its best plan (and its proven bound as its value); the
    /// stand-alone round allows ``certificateNodes``. Node limits, not time limits: the answers are the same on
    /// every run and machine. The agent's GLPK searches (no inverted period) run to their gap.
    static let searchNodes = 300
    static let certificateNodes = 5000
    /// Nodes of the agent's MILP in the certificate round, whose plan comes from the quick answer and whose bound
    /// is the MILP's after its root (cuts included): on the 10 x 96 example the community bound was 182.5731 in
    /// 1.3 s of clearing, against 182.5764 in 3.9 s with 300 nodes and 182.6020 in 18 s with 5,000 (optimum
    /// 182.6387).
    static let boundNodes = 0

    /// The most a plan that obeys the meter rule can draw or feed in each period: the connection, and no more
    /// than load + flexible loads + battery charging (drawing) or PV + battery discharging (feeding). Valid for
    /// every feasible plan, and it keeps the meter binaries' big-M small.
    let drawCap: [Double], feedCap: [Double]

    init(prosumer p: Prosumer, periods: Int, hoursPerPeriod: Double) {
        self.prosumer = p
        self.periods = periods
        self.dt = hoursPerPeriod
        let power = p.battery?.powerKW ?? 0
        drawCap = (0..<periods).map { t in
            let flex = p.flexibleLoads.reduce(0.0) { $0 + ($1.earliest <= t && t <= $1.latest ? $1.powerKW : 0) }
            return min(p.connectionKW, p.loadKW[t] + flex + power)
        }
        feedCap = (0..<periods).map { min(p.connectionKW, p.pvKW[$0] + power) }
    }

    /// The agent's model at zero prices: draw x, feed y, curtailment, battery flows and energy, flexible-load
    /// binaries; balance, energy and run-count rows. Meter and battery-mode binaries are added when a period
    /// needs them (see ``respond(to:)``).
    private func buildModel() -> Model {
        let p = prosumer, T = periods
        var m = Model(name: "agent-\(p.id)")
        var l = Layout()
        /// Adds `n` columns; returns the first one's index.
        func block(_ n: Int, _ lower: Double, _ upper: Double, _ kind: VariableKind = .continuous) -> Int {
            let first = m.variableCount
            _ = m.addVariables(n, lower: lower, upper: upper, kind: kind)
            return first
        }
        l.draw = m.variableCount
        for t in 0..<T { m.addVariable(lower: 0, upper: drawCap[t]) }
        l.feed = m.variableCount
        for t in 0..<T { m.addVariable(lower: 0, upper: feedCap[t]) }
        l.curtail = m.variableCount
        for t in 0..<T { m.addVariable(lower: 0, upper: p.pvKW[t]) }
        if let b = p.battery {
            l.charge = block(T, 0, b.powerKW)
            l.discharge = block(T, 0, b.powerKW)
            let e = block(T, b.minSoC * b.capacityKWh, b.maxSoC * b.capacityKWh)
            m.setBounds(
                Variable(index: e + T - 1), lower: max(b.minSoC, b.finalMinSoC) * b.capacityKWh,
                upper: b.maxSoC * b.capacityKWh)
            l.energy = e
            for t in 0..<T {
                m.setObjectiveCoefficient(Variable(index: l.charge! + t), dt * b.degradationCostPerKWh)
                m.setObjectiveCoefficient(Variable(index: l.discharge! + t), dt * b.degradationCostPerKWh)
            }
        }
        for (k, f) in p.flexibleLoads.enumerated() {
            let window = f.latest - f.earliest + 1
            let first = block(window, 0, 1, .integer)
            l.flex.append((k, first, window))
            _ = m.addRow(
                indices: Array(first..<first + window), coefficients: Array(repeating: 1, count: window),
                lower: Double(f.runPeriods), upper: Double(f.runPeriods))
        }
        for t in 0..<T {
            // draw - feed - curtail - charge + discharge - flexible = load - pv
            var idx = [l.draw + t, l.feed + t, l.curtail + t], val = [1.0, -1, -1]
            if let c = l.charge, let d = l.discharge { idx += [c + t, d + t]; val += [-1, 1] }
            for (k, first, _) in l.flex {
                let f = p.flexibleLoads[k]
                if f.earliest <= t && t <= f.latest { idx.append(first + t - f.earliest); val.append(-f.powerKW) }
            }
            let rhs = p.loadKW[t] - p.pvKW[t]
            _ = m.addRow(indices: idx, coefficients: val, lower: rhs, upper: rhs)
        }
        // The convex hull of each period's "draw or feed, never both" (and "charge or discharge"): valid for
        // every feasible plan, and it makes the relaxation that bounds the agent's value, and its MILP, tight.
        for t in 0..<T where drawCap[t] > 0 && feedCap[t] > 0 {
            m.addRow(indices: [l.draw + t, l.feed + t], coefficients: [1 / drawCap[t], 1 / feedCap[t]], lower: -.infinity, upper: 1)
        }
        if let b = p.battery, let c = l.charge, let d = l.discharge, b.powerKW > 0 {
            for t in 0..<T {
                m.addRow(indices: [c + t, d + t], coefficients: [1 / b.powerKW, 1 / b.powerKW], lower: -.infinity, upper: 1)
            }
        }
        if let b = p.battery, let c = l.charge, let d = l.discharge, let e = l.energy {
            for t in 0..<T {
                // e_t - e_{t-1} - dt*eta_c*charge + dt/eta_d*discharge = 0 (e_{-1} on the right at t = 0)
                var idx = [e + t, c + t, d + t], val = [1.0, -dt * b.chargeEfficiency, dt / b.dischargeEfficiency]
                if t > 0 { idx.append(e + t - 1); val.append(-1) }
                let rhs = t == 0 ? b.initialEnergy : 0
                _ = m.addRow(indices: idx, coefficients: val, lower: rhs, upper: rhs)
            }
        }
        layout.draw = l.draw; layout.feed = l.feed; layout.curtail = l.curtail
        layout.charge = l.charge; layout.discharge = l.discharge; layout.energy = l.energy; layout.flex = l.flex
        return m
    }

    /// The agent's MILP with a meter binary in every period where feeding earns more than drawing costs, solved
    /// by CBC (GLPK's search is slow on these: seconds where CBC takes milliseconds).
    /// The LP relaxation of the agent's MILP at `signal`'s prices (meter binaries where feeding earns more than
    /// drawing): a valid lower bound of its optimum, solved by GLPK on the calling thread. On the 1,000-prosumer
    /// benchmark community the certificate took 4.2 s with it instead of 21 s with CBC's root nodes, and its bound
    /// was 8 % lower, so it is the fallback when the certificate's time is up.
    func relaxedBound(_ signal: PriceSignal) throws -> Double {
        let ws = try GLPKWorkspace(meterModel(signal))
        let r = ws.solveLP()
        guard r.status == .optimal, r.objective.isFinite else {
            throw AgentError.solver(agent: prosumer.id, detail: "GLPK: LP relaxation \(r.status.rawValue)")
        }
        return r.objective
    }

    private func solveWithMeter(_ signal: PriceSignal, nodes: Int, heuristics: Bool = true) throws -> (
        status: SolutionStatus, objective: Double, bound: Double, values: [Double]
    ) {
        let m = meterModel(signal)
        var options = SolverOptions()
        options.relativeGap = 1e-6
        options.nodeLimit = nodes
        options.heuristics = heuristics
        let s = try CbcSolver().solve(m, options: options)
        guard s.status.hasSolution, let objective = s.objective else { return (s.status, .nan, s.bestBound ?? .nan, []) }
        return (s.status == .optimal ? .optimal : .feasible, objective, min(objective, s.bestBound ?? -.infinity), s.values)
    }

    private func meterModel(_ signal: PriceSignal) -> Model {
        var m = buildModel()
        let T = periods, l = layout
        for t in 0..<T {
            m.setObjectiveCoefficient(Variable(index: l.draw + t), dt * signal.draw[t])
            m.setObjectiveCoefficient(Variable(index: l.feed + t), -dt * signal.feed[t])
            if signal.draw[t] < signal.feed[t] && drawCap[t] > 0 && feedCap[t] > 0 {
                let z = m.addVariable(lower: 0, upper: 1, kind: .binary).index
                m.addRow(indices: [l.draw + t, z], coefficients: [1, -drawCap[t]], lower: -.infinity, upper: 0)
                m.addRow(indices: [l.feed + t, z], coefficients: [1, feedCap[t]], lower: -.infinity, upper: feedCap[t])
            }
        }
        if let b = prosumer.battery, let c = l.charge, let d = l.discharge {
            for t in cbcBattery.union(layout.batteryBinary.keys).sorted() {
                let z = m.addVariable(lower: 0, upper: 1, kind: .binary).index
                m.addRow(indices: [c + t, z], coefficients: [1, -b.powerKW], lower: -.infinity, upper: 0)
                m.addRow(indices: [d + t, z], coefficients: [1, b.powerKW], lower: -.infinity, upper: b.powerKW)
            }
        }
        return m
    }

    /// The agent's best plan at `signal`'s prices: its own MILP (GLPK, gap 1e-7). Simultaneous draw and feed is
    /// netted where drawing costs at least what feeding earns (exact there) and gets a meter binary where it
    /// does not; simultaneous charge and discharge gets a battery-mode binary; then it solves again.
    /// Returns the proposal and the index of the plan in ``plans``.
    ///
    /// With a `target`, the plan also pays `target.weight` per kW of distance (draw and feed, each period) from
    /// the target's draw and feed: the coordinator asks this of the few agents its master mixes, at the final
    /// prices, for a plan near the mix that keeps the agent's integer decisions. Its value is then no bound.
    func respond(to signal: PriceSignal, target: Target? = nil, nodes: Int = ProsumerAgent.searchNodes) throws -> (proposal: Proposal, plan: Int) {
        if target == nil, prosumer.battery == nil, prosumer.flexibleLoads.isEmpty { return try respondWithoutDevices(signal) }
        if workspace == nil { workspace = try GLPKWorkspace(buildModel()) }
        guard let ws = workspace else { throw AgentError.solver(agent: prosumer.id, detail: "no workspace") }
        let T = periods
        try setPrices(ws, signal, target: target)
        for _ in 0..<(2 * T + 2) {
            if target == nil && (0..<T).contains(where: { signal.draw[$0] < signal.feed[$0] }) {
                if let answer = try meterRound(signal, nodes: nodes) { return answer }
            } else if let answer = try workspaceRound(ws, signal) {
                return answer
            }
        }
        throw AgentError.solver(agent: prosumer.id, detail: "meter and battery rules still broken after \(2 * T + 2) rounds")
    }

    /// The prices in the workspace's objective, the meter binaries where feeding earns more than drawing costs
    /// (elsewhere netting is exact, and every idle binary would only slow the search down), and the target's
    /// distance terms (or none).
    func setPrices(_ ws: GLPKWorkspace, _ signal: PriceSignal, target: Target?) throws {
        for t in 0..<periods {
            try ws.setObjective(layout.draw + t, dt * signal.draw[t])
            try ws.setObjective(layout.feed + t, -dt * signal.feed[t])
        }
        for (t, z) in layout.meterBinary {
            let on = signal.draw[t] < signal.feed[t]
            try ws.setRow(z.rows, lower: -.infinity, upper: on ? 0 : .infinity)
            try ws.setRow(z.rows + 1, lower: -.infinity, upper: on ? feedCap[t] : .infinity)
            try ws.setColumn(z.column, lower: 0, upper: 1, integer: on)
        }
        if let target {
            try aim(at: target, ws)
        } else if let d = layout.deviation {
            for j in d.columns..<(d.columns + 4 * periods) { try ws.setObjective(j, 0) }
        }
    }

    /// Inverted prices (feeding earns more than drawing somewhere): CBC with the meter binaries. `nil` when the
    /// battery broke its rule and needs a binary (the caller solves again).
    func meterRound(_ signal: PriceSignal, nodes: Int) throws -> (proposal: Proposal, plan: Int)? {
        let T = periods
        let cbc = try solveWithMeter(signal, nodes: nodes)
        guard cbc.status.hasSolution else {
            throw AgentError.solver(agent: prosumer.id, detail: "CBC: \(cbc.status.rawValue)")
        }
        var plan = extract(cbc.values)
        var needsBinary = false
        for t in 0..<T where plan.charge[t] > Self.tolerance && plan.discharge[t] > Self.tolerance {
            if cbcBattery.insert(t).inserted { needsBinary = true }
        }
        if needsBinary { return nil }
        for t in 0..<T where plan.draw[t] > Self.tolerance && plan.feed[t] > Self.tolerance {
            let both = min(plan.draw[t], plan.feed[t])
            plan.draw[t] -= both; plan.feed[t] -= both
        }
        return propose(plan, signal, bound: cbc.bound)
    }

    /// The GLPK workspace's MILP (or LP, without integer decisions). `nil` when the meter or battery rule broke
    /// where netting cannot repair it: a binary was added and the caller solves again.
    func workspaceRound(_ ws: GLPKWorkspace, _ signal: PriceSignal) throws -> (proposal: Proposal, plan: Int)? {
        let T = periods
        let integer =
            !(layout.flex.isEmpty && !layout.meterBinary.keys.contains(where: { signal.draw[$0] < signal.feed[$0] })
            && layout.batteryBinary.isEmpty)
        // GLPK's search runs to its gap (it has no node limit here); node limits bound CBC's searches only.
        let answer = integer ? ws.solveMIP(relativeGap: 1e-5) : ws.solveLP()
        guard answer.status.hasSolution else {
            if answer.status == .infeasible { throw AgentError.infeasible(agent: prosumer.id) }
            throw AgentError.solver(agent: prosumer.id, detail: "GLPK: \(answer.status.rawValue)")
        }
        var plan = extract(answer.values)
        var needsBinary = false
        for t in 0..<T {
            if plan.draw[t] > Self.tolerance && plan.feed[t] > Self.tolerance {
                if signal.draw[t] >= signal.feed[t] {
                    // Netting keeps the balance, the connection limit and the value (or lowers it).
                    let both = min(plan.draw[t], plan.feed[t])
                    plan.draw[t] -= both; plan.feed[t] -= both
                } else {
                    try addMeterBinary(t, ws); needsBinary = true
                }
            }
            if plan.charge[t] > Self.tolerance && plan.discharge[t] > Self.tolerance {
                try addBatteryBinary(t, ws); needsBinary = true
            }
        }
        if needsBinary { return nil }
        // The solver's proven bound (the optimum, or the relaxation's value when the search stopped early) bounds
        // the agent's optimum from below; netting only moves the plan's value towards it.
        return propose(plan, signal, bound: answer.bound)
    }

    /// The proposal of a plan at the signal's prices: its value is at most the solver's bound.
    func propose(_ plan: Plan, _ signal: PriceSignal, bound: Double) -> (proposal: Proposal, plan: Int) {
        let energy = (0..<periods).reduce(0.0) { $0 + dt * (signal.draw[$1] * plan.draw[$1] - signal.feed[$1] * plan.feed[$1]) }
        let value = min(bound, plan.ownCost + energy)
        let index = remember(plan)
        return (Proposal(draw: PeriodVector(plan.draw), feed: PeriodVector(plan.feed), ownCost: plan.ownCost, value: value), index)
    }

    /// A quick answer for the search rounds: ``PlanSearch`` picks the meter modes, battery directions and
    /// flexible-load periods by dynamic programming, and the agent's LP re-solves its continuous flows with those
    /// decisions fixed (where feeding earns more than drawing the meter mode is fixed; elsewhere netting is exact).
    /// The plan is exact for its decisions; its value is the plan's cost, an estimate of the agent's optimum and
    /// no bound (``Proposal/proven`` is false). Falls back to ``respond(to:target:nodes:)`` when the grid cannot
    /// represent the prosumer.
    ///
    /// With a `target`, as in ``respond(to:target:nodes:)``: a plan near the target, no bound.
    func respondQuickly(to signal: PriceSignal, target: Target? = nil) throws -> (proposal: Proposal, plan: Int) {
        if target == nil, prosumer.battery == nil, prosumer.flexibleLoads.isEmpty { return try respondWithoutDevices(signal) }
        guard let d = PlanSearch.search(prosumer, periods: periods, dt: dt, signal: signal, target: target) else {
            return try respond(to: signal, target: target, nodes: Self.searchNodes)
        }
        if workspace == nil { workspace = try GLPKWorkspace(buildModel()) }
        guard let ws = workspace else { throw AgentError.solver(agent: prosumer.id, detail: "no workspace") }
        let T = periods, l = layout
        for t in 0..<T {
            try ws.setObjective(l.draw + t, dt * signal.draw[t])
            try ws.setObjective(l.feed + t, -dt * signal.feed[t])
        }
        if let target {
            try aim(at: target, ws)
        } else if let dev = layout.deviation {
            for j in dev.columns..<(dev.columns + 4 * T) { try ws.setObjective(j, 0) }
        }
        for t in 0..<T where signal.draw[t] < signal.feed[t] {
            if d.feeds[t] { try ws.setColumn(l.draw + t, lower: 0, upper: 0) } else { try ws.setColumn(l.feed + t, lower: 0, upper: 0) }
        }
        if let c = l.charge, let e = l.discharge {
            for t in 0..<T {
                if d.battery[t] > 0 { try ws.setColumn(e + t, lower: 0, upper: 0) }
                if d.battery[t] < 0 { try ws.setColumn(c + t, lower: 0, upper: 0) }
            }
        }
        for (k, first, window) in l.flex {
            let f = prosumer.flexibleLoads[k]
            for q in 0..<window {
                let on: Double = d.flexOn[k][f.earliest + q] ? 1 : 0
                try ws.setColumn(first + q, lower: on, upper: on)
            }
        }
        var plan: Plan?
        for _ in 0...T {  // each round fixes at least one period
            let answer = ws.solveLP()
            guard answer.status.hasSolution else { break }
            var candidate = extract(answer.values)
            var again = false
            for t in 0..<T {
                if let c = l.charge, let e = l.discharge, candidate.charge[t] > Self.tolerance && candidate.discharge[t] > Self.tolerance {
                    // An idle period of the grid path that the LP uses both ways: keep the larger direction.
                    try ws.setColumn(candidate.charge[t] >= candidate.discharge[t] ? e + t : c + t, lower: 0, upper: 0)
                    again = true
                }
                if candidate.draw[t] > Self.tolerance && candidate.feed[t] > Self.tolerance {
                    let both = min(candidate.draw[t], candidate.feed[t])
                    candidate.draw[t] -= both; candidate.feed[t] -= both
                }
            }
            if !again { plan = candidate; break }
        }
        try restoreBounds(ws)
        guard let plan else { return try respond(to: signal, target: target, nodes: Self.searchNodes) }
        let energy = (0..<T).reduce(0.0) { $0 + dt * (signal.draw[$1] * plan.draw[$1] - signal.feed[$1] * plan.feed[$1]) }
        let index = remember(plan)
        return (
            Proposal(
                draw: PeriodVector(plan.draw), feed: PeriodVector(plan.feed), ownCost: plan.ownCost,
                value: plan.ownCost + energy, proven: false), index
        )
    }

    /// A quick plan (``respondQuickly(to:target:)``) with a proven value: the bound of the agent's MILP after at
    /// most `nodes` branch-and-bound nodes (the root with its cuts when 0), or its LP relaxation (binaries
    /// relaxed, hull rows kept) when the MILP gives none. The better of the quick plan and the MILP's plan is
    /// proposed.
    func respondWithBound(to signal: PriceSignal, nodes: Int, relaxationOnly: Bool = false) throws -> (proposal: Proposal, plan: Int) {
        var answer = try respondQuickly(to: signal)
        if answer.proposal.proven { return answer }
        if relaxationOnly {
            let bound = try relaxedBound(signal)
            answer.proposal.value = min(answer.proposal.value, bound)
            answer.proposal.proven = true
            return answer
        }
        if (0..<periods).contains(where: { signal.draw[$0] < signal.feed[$0] }) {
            // Meter binaries: CBC's root node (cuts, no heuristics: the plan is the quick one) bounds the optimum.
            if let root = try? solveWithMeter(signal, nodes: nodes, heuristics: false), root.bound.isFinite {
                answer.proposal.value = min(answer.proposal.value, root.bound)
                answer.proposal.proven = true
                return answer
            }
        } else if let exact = try? respond(to: signal, nodes: nodes), exact.proposal.value.isFinite {
            let bound = min(exact.proposal.value, answer.proposal.value)
            if value(of: plans[exact.plan], at: signal) < answer.proposal.value { answer = exact }
            answer.proposal.value = bound
            answer.proposal.proven = true
            return answer
        }
        guard let ws = workspace else { throw AgentError.solver(agent: prosumer.id, detail: "no workspace") }
        let relaxed = ws.solveLP()
        guard relaxed.status == .optimal, relaxed.objective.isFinite else {
            throw AgentError.solver(agent: prosumer.id, detail: "GLPK: LP relaxation \(relaxed.status.rawValue)")
        }
        answer.proposal.value = min(answer.proposal.value, relaxed.objective)
        answer.proposal.proven = true
        return answer
    }

    /// A plan's value at a signal's prices: own cost + sum dt * (draw price * draw - feed price * feed).
    private func value(of plan: Plan, at signal: PriceSignal) -> Double {
        plan.ownCost + (0..<periods).reduce(0.0) { $0 + dt * (signal.draw[$1] * plan.draw[$1] - signal.feed[$1] * plan.feed[$1]) }
    }

    // MARK: Repair: the continuous freedom left with the integer decisions of one plan

    /// Fixes the integer decisions of plan `index` in the agent's LP: in each period the meter's mode (the plan's,
    /// or where it neither draws nor feeds, drawing if its load is at least its PV), the battery's direction (the
    /// plan's, or where idle, charging if PV exceeds load) and the flexible loads' periods. What is left is convex:
    /// every mix of plans answered in this state (``respondFixed(to:)``) is itself a plan that obeys every rule.
    func fixDecisions(of index: Int) throws {
        let base = plans[index]
        if workspace == nil { workspace = try GLPKWorkspace(buildModel()) }
        guard let ws = workspace else { throw AgentError.solver(agent: prosumer.id, detail: "no workspace") }
        let T = periods, l = layout, p = prosumer
        for t in 0..<T {
            let draws = base.draw[t] > Self.tolerance || (base.feed[t] <= Self.tolerance && p.loadKW[t] >= p.pvKW[t])
            try ws.setColumn(draws ? l.feed + t : l.draw + t, lower: 0, upper: 0)
            if let c = l.charge, let d = l.discharge {
                let charges = base.charge[t] > Self.tolerance || (base.discharge[t] <= Self.tolerance && p.pvKW[t] > p.loadKW[t])
                try ws.setColumn(charges ? d + t : c + t, lower: 0, upper: 0)
            }
        }
        for (k, first, window) in l.flex {
            for q in 0..<window {
                let on: Double = base.runs.indices.contains(k) && base.runs[k][q] ? 1 : 0
                try ws.setColumn(first + q, lower: on, upper: on)
            }
        }
        fixed = true
    }

    /// The agent's best plan at `signal`'s prices within the decisions fixed by ``fixDecisions(of:)`` (an LP from
    /// the last basis). Its value is the restricted optimum (no bound of the agent's own optimum).
    func respondFixed(to signal: PriceSignal) throws -> (proposal: Proposal, plan: Int) {
        guard fixed, let ws = workspace else { throw AgentError.solver(agent: prosumer.id, detail: "no decisions fixed") }
        let T = periods
        for t in 0..<T {
            try ws.setObjective(layout.draw + t, dt * signal.draw[t])
            try ws.setObjective(layout.feed + t, -dt * signal.feed[t])
        }
        if let dev = layout.deviation { for j in dev.columns..<(dev.columns + 4 * T) { try ws.setObjective(j, 0) } }
        let answer = ws.solveLP()
        guard answer.status == .optimal else {
            if answer.status == .infeasible { throw AgentError.infeasible(agent: prosumer.id) }
            throw AgentError.solver(agent: prosumer.id, detail: "GLPK: \(answer.status.rawValue)")
        }
        let plan = extract(answer.values)
        let index = remember(plan)
        return (
            Proposal(
                draw: PeriodVector(plan.draw), feed: PeriodVector(plan.feed), ownCost: plan.ownCost,
                value: value(of: plan, at: signal), proven: false), index
        )
    }

    /// The mix of plans answered with the same fixed decisions, weights summing to 1: a plan itself (the fixed
    /// decisions leave a convex set). Returns its index.
    func combine(_ weights: [(plan: Int, weight: Double)]) throws -> Int {
        guard let first = weights.first, plans.indices.contains(first.plan) else {
            throw AgentError.workerFailed("agent \(prosumer.id): no plan to combine")
        }
        let T = periods
        var mix = Plan(
            draw: Array(repeating: 0, count: T), feed: Array(repeating: 0, count: T), charge: Array(repeating: 0, count: T),
            discharge: Array(repeating: 0, count: T), curtail: Array(repeating: 0, count: T),
            flexible: plans[first.plan].flexible, ownCost: 0, runs: plans[first.plan].runs)
        let total = weights.reduce(0) { $0 + $1.weight }
        for (k, w) in weights {
            guard plans.indices.contains(k) else { throw AgentError.workerFailed("agent \(prosumer.id) has no plan \(k)") }
            let q = plans[k], a = w / total
            for t in 0..<T {
                mix.draw[t] += a * q.draw[t]; mix.feed[t] += a * q.feed[t]
                mix.charge[t] += a * q.charge[t]; mix.discharge[t] += a * q.discharge[t]; mix.curtail[t] += a * q.curtail[t]
            }
            mix.ownCost += a * q.ownCost
        }
        func clean(_ x: inout [Double]) { for t in x.indices where abs(x[t]) < Self.tolerance { x[t] = 0 } }
        clean(&mix.draw); clean(&mix.feed); clean(&mix.charge); clean(&mix.discharge); clean(&mix.curtail)
        return remember(mix)
    }

    /// Lifts the decisions fixed by ``fixDecisions(of:)``.
    func unfix() throws {
        guard fixed, let ws = workspace else { return }
        try restoreBounds(ws)
        fixed = false
    }

    /// The model's own bounds on draw, feed, battery flows and flexible-load binaries (after decisions were fixed).
    private func restoreBounds(_ ws: GLPKWorkspace) throws {
        let l = layout, power = prosumer.battery?.powerKW ?? 0
        for t in 0..<periods {
            try ws.setColumn(l.draw + t, lower: 0, upper: drawCap[t])
            try ws.setColumn(l.feed + t, lower: 0, upper: feedCap[t])
            if let c = l.charge, let d = l.discharge {
                try ws.setColumn(c + t, lower: 0, upper: power)
                try ws.setColumn(d + t, lower: 0, upper: power)
            }
        }
        for (_, first, window) in l.flex { for q in 0..<window { try ws.setColumn(first + q, lower: 0, upper: 1) } }
    }

    /// A prosumer without a battery or flexible loads decides each period on its own: its net draw is
    /// load - PV + curtailment, curtailment in [0, PV], drawn at the draw price or fed at the feed price (never
    /// both). The best of the interval's ends and 0 is exact, with no solver.
    private func respondWithoutDevices(_ signal: PriceSignal) throws -> (proposal: Proposal, plan: Int) {
        let T = periods, p = prosumer
        var plan = Plan(
            draw: Array(repeating: 0, count: T), feed: Array(repeating: 0, count: T), charge: Array(repeating: 0, count: T),
            discharge: Array(repeating: 0, count: T), curtail: Array(repeating: 0, count: T),
            flexible: Array(repeating: 0, count: T), ownCost: 0)
        var value = 0.0
        for t in 0..<T {
            // Net draw with no and with full curtailment, within the connection both ways.
            let low = max(p.loadKW[t] - p.pvKW[t], -p.connectionKW), high = min(p.loadKW[t], p.connectionKW)
            guard low <= high + 1e-9 else {
                let net = p.loadKW[t] - p.pvKW[t]
                throw AgentError.infeasible(
                    agent: p.id,
                    reason: String(format: "at period %d its load less its PV, %.3f kW, is above its connection of %.3f kW", t, net, p.connectionKW))
            }
            func cost(_ n: Double) -> Double { n >= 0 ? signal.draw[t] * n : signal.feed[t] * n }
            var best = low
            for n in [0, high] where n >= low && n <= high && cost(n) < cost(best) - 1e-15 { best = n }
            if best > Self.tolerance { plan.draw[t] = best } else if best < -Self.tolerance { plan.feed[t] = -best }
            let curtail = best - (p.loadKW[t] - p.pvKW[t])
            plan.curtail[t] = curtail > Self.tolerance ? curtail : 0
            value += dt * cost(plan.draw[t] - plan.feed[t])
        }
        let index = remember(plan)
        return (Proposal(draw: PeriodVector(plan.draw), feed: PeriodVector(plan.feed), ownCost: 0, value: value), index)
    }

    /// A plan near a target draw and feed, at a price per kW of distance.
    struct Target: Sendable {
        var draw: [Double], feed: [Double], weight: Double
    }

    private func aim(at target: Target, _ ws: GLPKWorkspace) throws {
        let T = periods
        if layout.deviation == nil {
            let first = ws.columnCount
            for _ in 0..<(4 * T) { try ws.addColumn(cost: 0, lower: 0, upper: .infinity, entries: []) }
            let rows = ws.rowCount
            for t in 0..<T {  // draw - above + below = target draw
                try ws.addRow(lower: 0, upper: 0, entries: [(layout.draw + t, 1), (first + t, -1), (first + T + t, 1)])
            }
            for t in 0..<T {
                try ws.addRow(lower: 0, upper: 0, entries: [(layout.feed + t, 1), (first + 2 * T + t, -1), (first + 3 * T + t, 1)])
            }
            layout.deviation = (first, rows)
        }
        guard let d = layout.deviation else { return }
        for t in 0..<T {
            try ws.setRow(d.rows + t, lower: target.draw[t], upper: target.draw[t])
            try ws.setRow(d.rows + T + t, lower: target.feed[t], upper: target.feed[t])
        }
        for j in d.columns..<(d.columns + 4 * T) { try ws.setObjective(j, dt * target.weight) }
    }

    private func extract(_ v: [Double]) -> Plan {
        let T = periods, l = layout, p = prosumer
        func clean(_ a: Double) -> Double { abs(a) < Self.tolerance ? 0 : a }
        var plan = Plan(
            draw: (0..<T).map { clean(v[l.draw + $0]) }, feed: (0..<T).map { clean(v[l.feed + $0]) },
            charge: Array(repeating: 0, count: T), discharge: Array(repeating: 0, count: T),
            curtail: (0..<T).map { clean(v[l.curtail + $0]) }, flexible: Array(repeating: 0, count: T),
            ownCost: 0)
        if let c = l.charge, let d = l.discharge, let b = p.battery {
            plan.charge = (0..<T).map { clean(v[c + $0]) }
            plan.discharge = (0..<T).map { clean(v[d + $0]) }
            plan.ownCost = dt * b.degradationCostPerKWh * (plan.charge.reduce(0, +) + plan.discharge.reduce(0, +))
        }
        for (k, first, window) in l.flex {
            let f = p.flexibleLoads[k]
            var on = Array(repeating: false, count: window)
            for q in 0..<window where v[first + q] > 0.5 { plan.flexible[f.earliest + q] += f.powerKW; on[q] = true }
            plan.runs.append(on)
        }
        return plan
    }

    /// Stores a plan once; returns its index.
    private func remember(_ plan: Plan) -> Int {
        var hasher = Hasher()
        for a in plan.draw { hasher.combine((a * 1e6).rounded()) }
        for a in plan.feed { hasher.combine((a * 1e6).rounded()) }
        let key = hasher.finalize()
        for i in planIndex[key, default: []] where Self.same(plans[i], plan) { return i }
        plans.append(plan)
        planIndex[key, default: []].append(plans.count - 1)
        return plans.count - 1
    }

    private static func same(_ a: Plan, _ b: Plan) -> Bool {
        func close(_ x: [Double], _ y: [Double]) -> Bool { zip(x, y).allSatisfy { abs($0 - $1) <= 1e-7 } }
        return close(a.draw, b.draw) && close(a.feed, b.feed) && abs(a.ownCost - b.ownCost) <= 1e-9
    }

    private func addMeterBinary(_ t: Int, _ ws: GLPKWorkspace) throws {
        guard layout.meterBinary[t] == nil else { return }
        let z = try ws.addColumn(cost: 0, lower: 0, upper: 1, integer: true, entries: [])
        let rows = try ws.addRow(lower: -.infinity, upper: 0, entries: [(layout.draw + t, 1), (z, -drawCap[t])])
        try ws.addRow(lower: -.infinity, upper: feedCap[t], entries: [(layout.feed + t, 1), (z, feedCap[t])])
        layout.meterBinary[t] = (z, rows)
    }

    private func addBatteryBinary(_ t: Int, _ ws: GLPKWorkspace) throws {
        guard layout.batteryBinary[t] == nil, let b = prosumer.battery, let ch = layout.charge, let dis = layout.discharge else { return }
        let z = try ws.addColumn(cost: 0, lower: 0, upper: 1, integer: true, entries: [])
        try ws.addRow(lower: -.infinity, upper: 0, entries: [(ch + t, 1), (z, -b.powerKW)])
        try ws.addRow(lower: -.infinity, upper: b.powerKW, entries: [(dis + t, 1), (z, b.powerKW)])
        layout.batteryBinary[t] = z
    }

    /// Releases the GLPK workspace (on the agent's own thread).
    func release() { workspace = nil }
}
