import DataIO
import Foundation
import LinearProgramming

/// Solves the community day-ahead schedule of spec/community.md, with settlement, the stand-alone baseline and,
/// for an infeasible community, a diagnosis.
public struct CommunityScheduler: Sendable {
    public var solver: any LinearSolver
    public var options: SolverOptions
    /// Also solve the stand-alone baseline (each prosumer alone) for savings.
    public var standalone = true
    /// Columns from which a model is solved as large (``largeModelColumns``); tests lower it.
    var largeFrom = CommunityScheduler.largeModelColumns

    /// Flows below this (kW) are written as 0, and a rule counts as broken only above it.
    static let flowTolerance = 1e-6

    public init(solver: any LinearSolver, options: SolverOptions = SolverOptions(), standalone: Bool = true) {
        self.solver = solver
        self.options = options
        self.standalone = standalone
    }

    /// The model of the first solve round (for `--export` and `--build-only`), and its build time.
    public func model(for community: Community) -> (model: Model, buildSeconds: Double) {
        let clock = Stopwatch()
        let (m, _) = ScheduleModel(community: community).build()
        return (m, clock.seconds)
    }

    /// Schedules the community.
    ///
    /// `options.timeLimit` bounds the whole call: the community's solve rounds, then the stand-alone baseline with
    /// what is left (it used to get a whole limit of its own, so a 30 s limit ended after 135 s at N = 200). When
    /// less than 2 % of the limit is left, the baseline is skipped and the result says so; it is solved one
    /// prosumer at a time (``solveAlone(_:)``), so it also stops between prosumers when the time runs out. An
    /// infeasible community's diagnosis gets what is left too, and at most ``diagnosisSeconds``.
    public func schedule(_ community: Community) throws -> ScheduleResult {
        let clock = Stopwatch()
        var result = try solveRounds(community, coupled: true)
        if result.status == .infeasible {
            // The diagnosis explains; it gets what is left of the limit, and at most `diagnosisSeconds`.
            let left = options.timeLimit.map { max($0 - clock.seconds, 0) } ?? .infinity
            let diagnosis = Stopwatch()
            result.diagnosis = try diagnose(community, within: min(left, Self.diagnosisSeconds))
            result.solveSeconds += diagnosis.seconds  // the time the caller waited for it
            return result
        }
        guard result.status.hasSolution else { return result }
        result.settlement = Self.settle(community, result)
        if standalone {
            var baseline = self
            if let limit = options.timeLimit {
                let left = limit - clock.seconds
                guard left > 0.02 * limit else {
                    result.standaloneStatus = .timeLimitNoSolution
                    result.message += (result.message.isEmpty ? "" : "; ") + "stand-alone baseline skipped: the time limit was used"
                    return result
                }
                baseline.options.timeLimit = left
            }
            let alone = try baseline.solveAlone(community)
            if alone.status == .timeLimitNoSolution {
                result.message += (result.message.isEmpty ? "" : "; ") + "stand-alone baseline: \(alone.message)"
            }
            result.standaloneStatus = alone.status
            if alone.status.hasSolution {
                let bills = Self.settle(community, alone).bills
                result.standaloneBills = bills
                result.standaloneCost = bills.reduce(0) { $0 + $1.bill }
            }
        }
        return result
    }

    /// The stand-alone baseline: each prosumer alone (no pool, no shared storage, no community limits) to a
    /// relative gap of 1e-6 (or the options' gap when smaller), one small model per prosumer. The prosumers are
    /// independent, so this is the optimum of the baseline as one model would give it; at N = 200 x 96 it takes
    /// about 1 s where the one model of 170,000 columns took 11 s, and a time limit is checked between prosumers.
    func solveAlone(_ community: Community) throws -> ScheduleResult {
        let clock = Stopwatch()
        var total = ScheduleResult(status: .optimal, solver: solver.name)
        for p in community.prosumers {
            var one = community
            one.prosumers = [p]
            one.sharedStorage = nil
            var alone = self
            if let limit = options.timeLimit {
                let left = limit - clock.seconds
                guard left > 0.01 * limit else {
                    var stopped = ScheduleResult(status: .timeLimitNoSolution, solver: solver.name)
                    stopped.message = "the time limit ran out at prosumer \(p.id)"
                    return stopped
                }
                alone.options.timeLimit = left
            }
            let r = try alone.solveRounds(one, coupled: false, gap: min(options.relativeGap, 1e-6))
            guard r.status.hasSolution, r.flows.count == 1 else {
                var failed = ScheduleResult(status: r.status, solver: solver.name)
                failed.message = "prosumer \(p.id): \(r.message)"
                return failed
            }
            if r.status != .optimal { total.status = r.status }
            total.flows.append(r.flows[0])
            total.buildSeconds += r.buildSeconds
            total.handoverSeconds += r.handoverSeconds
            total.solveSeconds += r.solveSeconds
        }
        return total
    }

    /// A plan's home decisions kept on `community` (the same community with what was metered on the day as load
    /// and PV): every prosumer's battery charge and discharge and its flexible loads' power in each period are held
    /// at the plan's values; the grid, the pool, curtailment and the shared storage (the community's, on the pool,
    /// which follows the pool's imbalance) are dispatched again at least cost, under every rule of
    /// spec/community.md. Its cost against the schedule optimized on the same data is what the plan's forecast
    /// errors cost. Infeasible when the kept decisions do not fit the day within the connections and the
    /// community's limits (no diagnosis; no stand-alone baseline).
    public func recourse(_ community: Community, keeping plan: ScheduleResult) throws -> ScheduleResult {
        let T = community.periods
        guard plan.flows.count == community.prosumers.count, plan.flows.allSatisfy({ $0.count == T }) else {
            throw ModelError.invalid("the plan has \(plan.flows.count) prosumers' flows, the community \(community.prosumers.count) of \(T) periods")
        }
        let held = ScheduleModel.Held(
            battery: zip(community.prosumers, plan.flows).map { p, f in
                p.battery == nil ? nil : (f.map(\.batteryCharge), f.map(\.batteryDischarge))
            },
            flexible: plan.flows.map { $0.map(\.flexible) })
        var result = try solveRounds(community, coupled: true, held: held)
        if result.status.hasSolution { result.settlement = Self.settle(community, result) }
        return result
    }

    /// Solves, adds a binary wherever the meter or battery rule is broken, and solves again until no rule is.
    /// `held`: home decisions fixed at a plan's values (``recourse(_:keeping:)``).
    func solveRounds(_ community: Community, coupled: Bool, gap: Double? = nil, held: ScheduleModel.Held? = nil) throws -> ScheduleResult {
        var spec = ScheduleModel(community: community)
        spec.coupled = coupled
        spec.held = held
        // Alone, a prosumer never gains by importing and exporting at once (export price <= import price):
        // netting repairs any such period, so the stand-alone model needs no meter binaries up front.
        if !coupled { spec.meterMode = .lazy }
        var opts = options
        if let gap { opts.relativeGap = gap }
        // GLPK's cuts, off by default, halve its search on the demo's community (SolverOptions.moreCuts).
        opts.moreCuts = true
        var result = ScheduleResult(status: .error, solver: solver.name)
        let clock = Stopwatch()
        for round in 1...25 {
            let build = Stopwatch()
            let (model, vars) = spec.build()
            result.buildSeconds += build.seconds
            guard let left = timeLeft(clock) else {
                result.status = .timeLimitNoSolution
                result.message = "time limit before any solution"
                return result
            }
            if options.timeLimit != nil { opts.timeLimit = left }
            let s = try solveRound(community, model, vars, coupled: coupled, options: &opts, clock: clock, result: &result)
            result.rounds = round
            result.variables = model.variableCount
            result.integerVariables = model.integerCount
            result.constraints = model.constraintCount
            result.status = s.status
            result.message = s.message
            guard s.status.hasSolution else { return result }
            var (flows, shared) = Self.extract(community, vars, s.values)
            Self.netOut(&flows)
            if Self.addBinariesWhereBroken(&spec, flows: flows, shared: shared) { continue }
            result.flows = flows
            result.shared = shared
            let cost = Self.cost(community, flows: flows, shared: shared)
            result.objective = cost
            result.bestBound = s.bestBound.map { min($0, cost) }
            result.gap = Solution.relativeGap(cost, result.bestBound)
            return result
        }
        result.status = .error
        result.message = "the meter and battery rules still needed new binaries after 25 rounds"
        return result
    }

    /// The time left of the limit (infinite without one); nil below 1 % of it: a solve is not started then, as
    /// even a stopped solve's set-up (CBC's presolve, for one) would overrun it.
    func timeLeft(_ clock: Stopwatch) -> Double? {
        guard let limit = options.timeLimit else { return .infinity }
        let left = limit - clock.seconds
        return left > 0.01 * limit ? left : nil
    }

    /// One round's solve: the LP-rounding start and its relaxation bound (coupled MILPs), then the search; a
    /// search stopped without an incumbent keeps the start.
    func solveRound(
        _ community: Community, _ model: Model, _ vars: ScheduleModel.Variables, coupled: Bool,
        options opts: inout SolverOptions, clock: Stopwatch, result: inout ScheduleResult
    ) throws -> Solution {
        var relaxationBound: Double?
        // GLPK takes the large models' path at every size: its simplex and search took 11.3 s on the schedule
        // benchmark's N = 10 community, the path 0.5 s at the same cost (its interior point, then a start that
        // ends the solve when it is within the gap).
        let sizeIsLarge = model.variableCount >= largeFrom
        let large = sizeIsLarge || solver.name == "glpk"
        if coupled && model.isMixedInteger {
            let heuristic = try Self.roundedStart(community, model, vars, solver: solver, options: opts, large: large)
            opts.initialSolution = heuristic.values
            relaxationBound = heuristic.relaxationBound
            result.solveSeconds += heuristic.seconds
            if heuristic.relaxationInfeasible {
                return Solution(status: .infeasible, solver: solver.name, message: "no feasible solution, even for the LP relaxation")
            }
            // The start's LPs count against the limit too: the MIP search gets what is left.
            if options.timeLimit != nil { opts.timeLimit = timeLeft(clock) ?? 0 }
            // A start within the gap of the relaxation's bound is already what the search would stop at.
            if large, let start = heuristic.values, let bound = heuristic.relaxationBound {
                let objective = model.objectiveValue(start)
                let gap = Solution.relativeGap(objective, bound) ?? .infinity
                if gap <= opts.relativeGap || objective - bound <= opts.absoluteGap {
                    return Solution(
                        status: .optimal, objective: objective, bestBound: bound, values: start, solver: solver.name,
                        message: "the LP-rounding start is within the gap of the relaxation's bound: no search needed")
                }
            }
        }
        var s =
            opts.timeLimit == 0
            ? Solution(status: .timeLimitNoSolution, solver: solver.name, message: "time limit before the search")
            : try solver.solve(model, options: opts)
        // The relaxation's optimum bounds this round's model (and so the community's) from below; a search stopped
        // early may know less.
        if let lpBound = relaxationBound, s.status.hasSolution || s.status == .timeLimitNoSolution {
            s.bestBound = max(s.bestBound ?? -.infinity, lpBound)
        }
        if let start = opts.initialSolution, start.count == model.variableCount,
            case let startCost = model.objectiveValue(start),
            s.status == .timeLimitNoSolution || (s.status == .feasible && startCost < (s.objective ?? .infinity) - 1e-9 * max(1, abs(startCost)))
        {
            // GLPK takes no start, so its search can stop at the limit without an incumbent of its own, or with one
            // worse than the start; the LP-rounding start is a feasible schedule of this very model: report it,
            // with the search's bound. Within the gap, that is a proof like any other.
            let better = s.objective.map { String(format: ", better than the search's best %.4f", $0) } ?? ""
            var kept = Solution(
                status: .feasible, objective: startCost, bestBound: s.bestBound, values: start,
                solver: s.solver, handoverSeconds: s.handoverSeconds, solveSeconds: s.solveSeconds,
                message: "LP-rounding start kept\(better); \(s.message)")
            if let gap = kept.gap, gap <= opts.relativeGap { kept.status = .optimal }
            s = kept
        }
        if s.status == .timeLimitNoSolution, sizeIsLarge, solver.name == "glpk" {
            s.message += "; \(Self.glpkOnLargeModels(model.variableCount))"
        }
        result.handoverSeconds += s.handoverSeconds
        result.solveSeconds += s.solveSeconds
        return s
    }

    /// Why GLPK stops without a schedule on a large model, and what to do (the schedule benchmark's N = 200, 170,491
    /// columns: GLPK 53 s since its relaxations went to its interior-point method, nothing within 120 s before; CBC 8 s).
    static func glpkOnLargeModels(_ columns: Int) -> String {
        "GLPK's simplex, which its search and the start's last LP use, can take minutes on a model this large (\(columns) "
            + "columns); --solver cbc is faster there"
    }

    /// Adds a meter binary wherever a prosumer draws and feeds at once, and a mode binary wherever a storage
    /// charges and discharges at once; returns whether any rule was broken.
    static func addBinariesWhereBroken(_ spec: inout ScheduleModel, flows: [[ProsumerPeriod]], shared: [StoragePeriod]) -> Bool {
        var broken = false
        for (i, row) in flows.enumerated() {
            for (t, f) in row.enumerated() {
                if f.gridImport + f.poolBuy > flowTolerance && f.gridExport + f.poolSell > flowTolerance {
                    spec.meterBinaries.insert(UnitPeriod(unit: i, period: t)); broken = true
                }
                if f.batteryCharge > flowTolerance && f.batteryDischarge > flowTolerance {
                    spec.storageBinaries.insert(UnitPeriod(unit: i, period: t)); broken = true
                }
            }
        }
        for (t, s) in shared.enumerated() where s.charge > flowTolerance && s.discharge > flowTolerance {
            spec.storageBinaries.insert(UnitPeriod(unit: -1, period: t)); broken = true
        }
        return broken
    }

    /// Columns from which a model is large for CBC: its LP-rounding start is found by barrier in two roundings, and
    /// it ends the solve when it is within the gap (``roundedStart(_:_:_:solver:options:large:)``). Below, CBC's
    /// whole search takes under a second (10 prosumers x 96 periods, 10,782 columns: 0.8 s); above, its root LP by
    /// dual simplex dominates (50 x 96, 47,411 columns: 12 s in all). GLPK takes that path at every size.
    static let largeModelColumns = 20_000

    /// A feasible start for the MIP search, in two roundings of the LP relaxation:
    /// 1. each flexible load runs in the periods of its largest relaxed values, and the LP is solved again with
    ///    those runs fixed (the meter and storage modes still relaxed);
    /// 2. from that LP's flows, draw mode where a prosumer draws at least what it feeds and charge mode where a
    ///    storage charges at least what it discharges; the LP that remains gives the start.
    /// The modes are rounded after the runs because they follow them: rounded from the first relaxation together
    /// with the runs, the 200-prosumer benchmark's start was 1.1e-4 above the bound; rounded after them, it is at
    /// the bound. The LPs are solved by CLP's barrier (``LPMethod``): the two that only rank or compare values
    /// without crossover, the last one with it, so the start is a vertex. GLPK has no crossover: its first two go
    /// to its interior-point method (the relaxation of 200 prosumers in seconds, where its simplex takes minutes),
    /// the last to its simplex. `nil` values when a rounded problem is infeasible or the time runs out; the
    /// relaxation's optimum (GLPK's interior point: the proven bound of its duals) is returned as a lower bound. `relaxationInfeasible` when the solver proved the relaxation infeasible: then so is the model, and
    /// no search is needed to say so.
    ///
    /// A small model solved by CBC (`large` false) keeps the rounding of earlier versions: both in one step from the
    /// relaxation, with the simplex. CBC's search from that start is fast there, and its schedules stay as they were
    /// (among equally cheap schedules, the one it picks depends on the start).
    static func roundedStart(
        _ c: Community, _ model: Model, _ v: ScheduleModel.Variables, solver: any LinearSolver,
        options: SolverOptions, large: Bool = true
    ) throws -> (values: [Double]?, relaxationBound: Double?, seconds: Double, relaxationInfeasible: Bool) {
        let clock = Stopwatch()
        var relaxed = model
        for j in 0..<model.variableCount where model.kinds[j] != .continuous { relaxed.setKind(Variable(index: j), .continuous) }
        var lpOptions = options
        lpOptions.initialSolution = nil
        var infeasible = false
        /// Solves an LP within what is left of the limit; nil when too little is left or it has no optimum.
        func solveLP(_ m: Model, _ method: LPMethod) throws -> Solution? {
            if let limit = options.timeLimit {
                let left = limit - clock.seconds
                guard left > 0.01 * limit else { return nil }
                lpOptions.timeLimit = left
            }
            lpOptions.lpMethod = method
            let s = try solver.solve(m, options: lpOptions)
            infeasible = s.status == .infeasible
            return s.status == .optimal ? s : nil
        }
        let runs = large && c.prosumers.contains { !$0.flexibleLoads.isEmpty }
        let method: (LPMethod) -> LPMethod = { large ? $0 : .simplex }
        // GLPK has an interior-point method but no crossover: its relaxations go to the former (seconds where its
        // simplex takes minutes), the start's last LP to its simplex, so that the start is a vertex.
        let glpk = solver.name == "glpk"
        guard let lp = try solveLP(relaxed, method(runs || glpk ? .barrierWithoutCrossover : .barrier)) else {
            return (nil, nil, clock.seconds, infeasible)
        }
        let bound = lp.bestBound ?? lp.objective
        var fixed = relaxed
        func fix(_ variable: Variable, _ value: Double) { fixed.setBounds(variable, lower: value, upper: value) }
        var x = lp.values
        for (i, p) in c.prosumers.enumerated() {
            for (k, f) in p.flexibleLoads.enumerated() {
                let u = v.flex[i][k]
                let on = Set(u.indices.sorted { x[u[$0].index] > x[u[$1].index] }.prefix(f.runPeriods))
                for (q, variable) in u.enumerated() { fix(variable, on.contains(q) ? 1 : 0) }
            }
        }
        if runs {
            guard let withRuns = try solveLP(fixed, .barrierWithoutCrossover) else { return (nil, bound, clock.seconds, false) }
            x = withRuns.values
        }
        for (key, z) in v.meter {
            let i = key.unit, t = key.period
            let draw = x[v.gi[i][t].index] + x[v.pb[i][t].index], feed = x[v.ge[i][t].index] + x[v.ps[i][t].index]
            fix(z, draw >= feed ? 1 : 0)
        }
        for (key, z) in v.storageMode {
            let t = key.period
            let (bc, bd) = key.unit < 0 ? (v.sc[t], v.sd[t]) : (v.bc[key.unit]![t], v.bd[key.unit]![t])
            fix(z, x[bc.index] >= x[bd.index] ? 1 : 0)
        }
        return (try solveLP(fixed, method(glpk ? .simplex : .barrier))?.values, bound, clock.seconds, false)
    }

    /// Reads the flows out of a solution; values below the tolerance become 0.
    static func extract(_ c: Community, _ v: ScheduleModel.Variables, _ x: [Double]) -> ([[ProsumerPeriod]], [StoragePeriod]) {
        func val(_ variable: Variable) -> Double {
            let a = x[variable.index]
            return abs(a) < flowTolerance ? 0 : a
        }
        var flows: [[ProsumerPeriod]] = []
        for (i, p) in c.prosumers.enumerated() {
            var row: [ProsumerPeriod] = []
            for t in 0..<c.periods {
                var f = ProsumerPeriod()
                f.load = p.loadKW[t]; f.pv = p.pvKW[t]
                f.curtail = val(v.cu[i][t])
                f.gridImport = val(v.gi[i][t]); f.gridExport = val(v.ge[i][t])
                f.poolBuy = val(v.pb[i][t]); f.poolSell = val(v.ps[i][t])
                if let bc = v.bc[i], let bd = v.bd[i], let e = v.e[i] {
                    f.batteryCharge = val(bc[t]); f.batteryDischarge = val(bd[t]); f.batterySoC = x[e[t].index]
                }
                for (k, fl) in p.flexibleLoads.enumerated() where fl.earliest <= t && t <= fl.latest {
                    if x[v.flex[i][k][t - fl.earliest].index] > 0.5 { f.flexible += fl.powerKW }
                }
                row.append(f)
            }
            flows.append(row)
        }
        let shared = v.sc.indices.map { t in StoragePeriod(charge: val(v.sc[t]), discharge: val(v.sd[t]), soc: x[v.se[t].index]) }
        return (flows, shared)
    }

    /// Removes simultaneous import and export, and simultaneous pool buy and sell, of one prosumer in one
    /// period. Both never lower the cost (export price <= import price, fee >= 0), keep every balance and keep
    /// the community sums within their limits.
    static func netOut(_ flows: inout [[ProsumerPeriod]]) {
        for i in flows.indices {
            for t in flows[i].indices {
                var f = flows[i][t]
                let grid = min(f.gridImport, f.gridExport)
                if grid > 0 { f.gridImport -= grid; f.gridExport -= grid }
                let pool = min(f.poolBuy, f.poolSell)
                if pool > 0 { f.poolBuy -= pool; f.poolSell -= pool }
                flows[i][t] = f
            }
        }
    }

    /// The spec's community cost of a schedule.
    public static func cost(_ c: Community, flows: [[ProsumerPeriod]], shared: [StoragePeriod]) -> Double {
        let dt = c.hoursPerPeriod
        var total = 0.0
        for (i, p) in c.prosumers.enumerated() {
            let deg = p.battery?.degradationCostPerKWh ?? 0
            for (t, f) in flows[i].enumerated() {
                total +=
                    dt
                    * (c.grid.importPrice[t] * f.gridImport - c.grid.exportPrice[t] * f.gridExport
                        + c.p2p.feePerKWh * f.poolBuy + deg * (f.batteryCharge + f.batteryDischarge))
            }
        }
        if let s = c.sharedStorage {
            for f in shared { total += dt * s.degradationCostPerKWh * (f.charge + f.discharge) }
        }
        return total
    }

    /// Bills at the pool price, the shared storage's settlement and the fees.
    public static func settle(_ c: Community, _ r: ScheduleResult, poolPrice: [Double]? = nil) -> Settlement {
        let dt = c.hoursPerPeriod
        let price = poolPrice ?? c.poolPrice
        var fees = 0.0
        var bills: [(String, Double)] = []
        for (i, p) in c.prosumers.enumerated() {
            let deg = p.battery?.degradationCostPerKWh ?? 0
            var bill = 0.0
            for (t, f) in r.flows[i].enumerated() {
                bill +=
                    dt
                    * (c.grid.importPrice[t] * f.gridImport - c.grid.exportPrice[t] * f.gridExport
                        + (price[t] + c.p2p.feePerKWh) * f.poolBuy - price[t] * f.poolSell
                        + deg * (f.batteryCharge + f.batteryDischarge))
                fees += dt * c.p2p.feePerKWh * f.poolBuy
            }
            bills.append((p.id, bill))
        }
        var storage = 0.0
        if let s = c.sharedStorage {
            for (t, f) in r.shared.enumerated() {
                storage += dt * (price[t] * (f.charge - f.discharge) + s.degradationCostPerKWh * (f.charge + f.discharge))
            }
        }
        return Settlement(poolPrice: price, bills: bills.map { (id: $0.0, bill: $0.1) }, storageSettlement: storage, feesCollected: fees)
    }

    /// At most this long for an infeasible community's diagnosis (with no time limit too): GLPK's search on the
    /// elastic copy can stall at a gap of a few percent with the right conflicts in hand (a 3 x 96 community of
    /// `community.py make --limit-factor 1.0 --seed 643` ran 5 minutes without ending; CBC proves it in 0.2 s).
    static let diagnosisSeconds = 20.0

    /// Solves the elastic copy and names the rule families and periods that need slack: first as an LP (without the
    /// meter and battery rules' binaries), then, when that needs no slack (the conflict is one those rules make,
    /// such as a shared storage that only a prosumer drawing and feeding at once could charge), with them.
    /// Within `seconds` in all: a search stopped there gives its best elastic schedule, one stopped without any
    /// gives the relaxation's (``InfeasibilityDiagnosis/Basis``).
    func diagnose(_ community: Community, within seconds: Double = diagnosisSeconds) throws -> InfeasibilityDiagnosis {
        let clock = Stopwatch()
        let relaxed = try diagnose(community, binaries: false, within: seconds)
        guard relaxed.conflicts.isEmpty else { return relaxed }
        return try diagnose(community, binaries: true, within: max(seconds - clock.seconds, 0))
    }

    func diagnose(_ community: Community, binaries: Bool, within seconds: Double) throws -> InfeasibilityDiagnosis {
        var spec = ScheduleModel(community: community)
        spec.elastic = true
        spec.elasticBinaries = binaries
        if binaries { spec.storageMode = .all }
        var (model, vars) = spec.build()
        var opts = options
        opts.relativeGap = 1e-6
        opts.timeLimit = max(seconds, 0.01)
        var s = try solver.solve(model, options: opts)
        var basis = InfeasibilityDiagnosis.Basis.proven
        if s.status == .feasible {
            basis = .stoppedSearch(seconds: opts.timeLimit ?? 0)
        } else if !s.status.hasSolution && model.isMixedInteger {
            // Stopped without an elastic schedule: the relaxation's slacks (every decision continuous) still
            // name where the rules conflict, by at least as much as it shows.
            for j in 0..<model.variableCount where model.kinds[j] != .continuous { model.setKind(Variable(index: j), .continuous) }
            opts.timeLimit = nil
            s = try solver.solve(model, options: opts)
            basis = .relaxation
        }
        guard s.status.hasSolution else { return InfeasibilityDiagnosis(conflicts: [], basis: basis) }
        var groups: [String: (periods: [Int], shortfall: Double, unit: String, order: Int)] = [:]
        for (k, slack) in vars.slacks.enumerated() {
            let amount = s.values[slack.variable.index]
            guard amount > 1e-6 else { continue }
            let key: String, period: Int?, unit: String
            switch slack.family {
            case let .importLimit(t): key = "import limit"; period = t; unit = "kW"
            case let .exportLimit(t): key = "export limit"; period = t; unit = "kW"
            case let .connection(i, t): key = "connection of \(community.prosumers[i].id)"; period = t; unit = "kW"
            case let .finalCharge(u):
                key = u < 0 ? "final state of charge of the shared storage" : "final state of charge of \(community.prosumers[u].id)'s battery"
                period = nil; unit = "kWh"
            }
            var g = groups[key] ?? ([], 0, unit, k)
            if let period { g.periods.append(period) }
            g.shortfall = max(g.shortfall, amount)
            groups[key] = g
        }
        let conflicts = groups.sorted { $0.value.order < $1.value.order }.map {
            InfeasibilityDiagnosis.Conflict(family: $0.key, periods: $0.value.periods, shortfall: $0.value.shortfall, unit: $0.value.unit)
        }
        return InfeasibilityDiagnosis(conflicts: conflicts, basis: basis)
    }
}
