import LinearProgramming

/// A (prosumer, period) pair; prosumer -1 is the shared storage.
struct UnitPeriod: Hashable, Sendable {
    var unit: Int
    var period: Int
}

/// The MILP of spec/community.md, built through `LinearProgramming`.
///
/// Formulation choices (documented in the README):
/// - The meter rule (draw or feed, never both) and the battery rule (never charge and discharge at once) get a
///   binary only where the solution of the model without it breaks the rule (``meterBinaries``,
///   ``storageBinaries``). The scheduler adds them lazily and solves again, so every printed schedule obeys
///   every rule and is optimal for the full model: the model without those binaries is a relaxation.
/// - Flexible loads always have one binary per period of their window.
/// - `coupled == false` builds the stand-alone baseline: no pool, no shared storage, no community limits.
/// - `elastic == true` adds penalized slack to the families that can make a community infeasible (community
///   import and export limits, each connection, each storage's final state of charge) for the diagnosis, and
///   each rule's largest slack, weighted ``largestSlackWeight``.
struct ScheduleModel {
    let community: Community
    var coupled = true
    var elastic = false
    /// With `elastic`: keep the meter rule's binaries (and the storage-mode binaries of ``storageMode``), for a
    /// community whose conflict the meter rule makes (the LP copy routes grid power through a prosumer instead).
    var elasticBinaries = false
    var meterBinaries: Set<UnitPeriod> = []
    var storageBinaries: Set<UnitPeriod> = []
    /// Meter binaries: for every (prosumer, period) where both drawing and feeding are possible (default), or
    /// only where a previous round broke the rule (``meterBinaries``).
    enum BinaryMode { case all, lazy }
    var meterMode = BinaryMode.all
    var storageMode = BinaryMode.lazy
    /// Use the convex-hull (disaggregated) formulation of the meter rule instead of big-M alone.
    var hull = true
    /// Decisions held at a plan's values (``CommunityScheduler/recourse(_:keeping:)``); nil: all free.
    var held: Held?

    /// A plan's home decisions: per prosumer its battery's charge and discharge (kW per period; nil without a
    /// battery) and its flexible loads' total power per period.
    struct Held {
        var battery: [(charge: [Double], discharge: [Double])?]
        var flexible: [[Double]]
    }

    /// Handles to the variables, by prosumer and period.
    struct Variables {
        var gi: [[Variable]] = [], ge: [[Variable]] = [], pb: [[Variable]] = [], ps: [[Variable]] = [], cu: [[Variable]] = []
        var bc: [[Variable]?] = [], bd: [[Variable]?] = [], e: [[Variable]?] = []
        /// flex[i][k][t - earliest]
        var flex: [[[Variable]]] = []
        var sc: [Variable] = [], sd: [Variable] = [], se: [Variable] = []
        /// Meter binaries (1 = draws) and storage-mode binaries (1 = may charge) by (unit, period).
        var meter: [UnitPeriod: Variable] = [:]
        var storageMode: [UnitPeriod: Variable] = [:]
        /// Elastic slacks by family, for the diagnosis.
        var slacks: [(family: SlackFamily, variable: Variable)] = []
    }

    enum SlackFamily: Hashable {
        case importLimit(period: Int)
        case exportLimit(period: Int)
        case connection(prosumer: Int, period: Int)
        case finalCharge(unit: Int)

        /// The rule the slack relaxes, whatever the period: the import limit, the export limit, one prosumer's
        /// connection, one storage's final charge.
        var period: Int? {
            switch self {
            case let .importLimit(t), let .exportLimit(t), let .connection(_, t): return t
            case .finalCharge: return nil
            }
        }

        var rule: String {
            switch self {
            case .importLimit: return "import"
            case .exportLimit: return "export"
            case let .connection(i, _): return "connection \(i)"
            case let .finalCharge(u): return "final \(u)"
            }
        }
    }

    /// The weight of each rule's largest slack in the elastic objective, against 1 for every slack: the diagnosis
    /// first makes each rule's largest shortfall as small as it can be (by how much the limit must rise, the same
    /// in every period, for a schedule to exist), then the total. With the total alone, two optimal solutions of
    /// an infeasible 200 x 24 community reported the import limit too low by 56.5 kW (CBC) and 104.1 kW (GLPK),
    /// and 50 kW more was already enough.
    static let largestSlackWeight = 1000.0
    /// How much more a unit of slack costs in the last period than in the first (a slack in period t weighs
    /// 1 + this x t / T): where a battery could move a shortfall between periods, several schedules have the same
    /// largest and total shortfall, and the solvers picked different ones (CBC reported the example's import limit
    /// short at periods 0-8, GLPK at 0-7). With this tie-break the shortfall sits as early as it can, the same for
    /// both. Moving a kWh later than that costs a battery more than this in losses, so the total stays the least.
    static let laterSlackWeight = 1e-4

    /// The model and its variable handles: one step per constraint family (see ``Builder``).
    func build() -> (Model, Variables) {
        var b = Builder(spec: self)
        for (i, p) in community.prosumers.enumerated() { b.prosumer(i, p) }
        if coupled {
            b.sharedStorage()
            b.communityLimits()
        }
        return b.finish()
    }

    /// The model under construction, with the sums that the coupling rows collect across prosumers. Variables and
    /// rows are added in a fixed order (prosumer by prosumer, period by period, then the community's rows), so
    /// the same community always gives the same model.
    struct Builder {
        let spec: ScheduleModel
        let c: Community
        let T: Int, dt: Double
        let pool: Bool
        var m: Model
        var v = Variables()
        var objective = LinearExpression()
        var importSum: [LinearExpression], exportSum: [LinearExpression], poolBalance: [LinearExpression]

        init(spec: ScheduleModel) {
            self.spec = spec
            c = spec.community
            T = c.periods
            dt = c.hoursPerPeriod
            pool = spec.coupled && c.p2p.enabled
            m = Model(name: c.name.isEmpty ? "community" : c.name)
            importSum = [LinearExpression](repeating: LinearExpression(), count: T)
            exportSum = importSum
            poolBalance = importSum
        }

        /// One prosumer's handles for one period's rows.
        struct Unit {
            var gi: [Variable], ge: [Variable], pb: [Variable], ps: [Variable], cu: [Variable]
            var battery: (bc: [Variable], bd: [Variable], e: [Variable])?
            var flex: [[Variable]]
        }

        /// A storage's variables, its energy balance (`e_t - e_{t-1} - dt eta_c bc + dt / eta_d bd = 0`), its
        /// degradation cost, its mode binaries where asked for and its final state of charge.
        mutating func storage(_ s: Storage, unit: Int, name: String) -> (bc: [Variable], bd: [Variable], e: [Variable]) {
            let bc = (0..<T).map { m.addVariable(upper: s.powerKW, name: "\(name)_charge_\($0)") }
            let bd = (0..<T).map { m.addVariable(upper: s.powerKW, name: "\(name)_discharge_\($0)") }
            if let held = spec.held, unit >= 0, let powers = held.battery[unit] {
                for t in 0..<T {
                    m.setBounds(bc[t], lower: powers.charge[t], upper: powers.charge[t])
                    m.setBounds(bd[t], lower: powers.discharge[t], upper: powers.discharge[t])
                }
            }
            let lo = s.minSoC * s.capacityKWh, hi = s.maxSoC * s.capacityKWh
            let e = (0..<T).map { m.addVariable(lower: lo, upper: hi, name: "\(name)_soc_\($0)") }
            for t in 0..<T {
                var row = LinearExpression(e[t])
                if t > 0 { row.add(-1, e[t - 1]) }
                row.add(-dt * s.chargeEfficiency, bc[t])
                row.add(dt / s.dischargeEfficiency, bd[t])
                m.add(row == (t == 0 ? s.initialEnergy : 0), name: "\(name)_energy_\(t)")
                objective.add(dt * s.degradationCostPerKWh, bc[t])
                objective.add(dt * s.degradationCostPerKWh, bd[t])
                if spec.storageMode == .all || spec.storageBinaries.contains(UnitPeriod(unit: unit, period: t)) {
                    let z = m.addVariable(kind: .binary, name: "\(name)_mode_\(t)")
                    v.storageMode[UnitPeriod(unit: unit, period: t)] = z
                    m.add(bc[t] - s.powerKW * z <= 0)
                    m.add(bd[t] + s.powerKW * z <= s.powerKW)
                }
            }
            let final = max(s.finalMinSoC, s.minSoC) * s.capacityKWh
            if spec.elastic {
                let slack = m.addVariable(name: "\(name)_final_slack")
                m.add(e[T - 1] + slack >= final, name: "\(name)_final")
                v.slacks.append((.finalCharge(unit: unit), slack))
            } else {
                m.setBounds(e[T - 1], lower: max(lo, final), upper: hi)
            }
            return (bc, bd, e)
        }

        /// Prosumer `i`: its variables, battery, flexible loads (one binary per period of the window, run length
        /// fixed) and, period by period, its balance, connection, meter rule and tariff terms.
        mutating func prosumer(_ i: Int, _ p: Prosumer) {
            let bound = spec.elastic ? Double.infinity : p.connectionKW
            let gi = (0..<T).map { m.addVariable(upper: bound, name: "\(p.id)_import_\($0)") }
            let ge = (0..<T).map { m.addVariable(upper: bound, name: "\(p.id)_export_\($0)") }
            let pb = (0..<T).map { m.addVariable(upper: pool ? bound : 0, name: "\(p.id)_pool_buy_\($0)") }
            let ps = (0..<T).map { m.addVariable(upper: pool ? bound : 0, name: "\(p.id)_pool_sell_\($0)") }
            let cu = (0..<T).map { m.addVariable(upper: p.pvKW[$0], name: "\(p.id)_curtail_\($0)") }
            v.gi.append(gi); v.ge.append(ge); v.pb.append(pb); v.ps.append(ps); v.cu.append(cu)
            var battery: (bc: [Variable], bd: [Variable], e: [Variable])?
            if let b = p.battery { battery = storage(b, unit: i, name: "\(p.id)_battery") }
            v.bc.append(battery?.bc); v.bd.append(battery?.bd); v.e.append(battery?.e)
            var flex: [[Variable]] = []
            for (k, f) in p.flexibleLoads.enumerated() {
                let u = (f.earliest...f.latest).map { m.addVariable(kind: .binary, name: "\(p.id)_\(f.id.isEmpty ? "flex\(k)" : f.id)_on_\($0)") }
                m.add(LinearExpression.sum(u) == Double(f.runPeriods), name: "\(p.id)_\(f.id)_runs")
                flex.append(u)
            }
            if let held = spec.held, !flex.isEmpty {
                // The plan's flexible power in each period (which load runs then is free, so that any assignment of
                // the same total is kept).
                for t in 0..<T {
                    var row = LinearExpression()
                    for (k, f) in p.flexibleLoads.enumerated() where (f.earliest...f.latest).contains(t) { row.add(f.powerKW, flex[k][t - f.earliest]) }
                    m.add(row == held.flexible[i][t], name: "\(p.id)_held_flexible_\(t)")
                }
            }
            v.flex.append(flex)
            let unit = Unit(gi: gi, ge: ge, pb: pb, ps: ps, cu: cu, battery: battery, flex: flex)
            for t in 0..<T {
                balance(p, unit, t)
                connection(i, p, unit, t)
                if pool && !spec.elastic && !spec.hull { ownFlows(p, unit, t) }
                meterRule(i, p, unit, t)
                tariffs(unit, t)
            }
        }

        /// Balance: `-cu + gi + pb + bd - ge - ps - bc - sum_k P_k u_k = load - pv`.
        mutating func balance(_ p: Prosumer, _ u: Unit, _ t: Int) {
            var bal = LinearExpression()
            bal.add(-1, u.cu[t]); bal.add(1, u.gi[t]); bal.add(1, u.pb[t]); bal.add(-1, u.ge[t]); bal.add(-1, u.ps[t])
            if let b = u.battery { bal.add(1, b.bd[t]); bal.add(-1, b.bc[t]) }
            for (k, f) in p.flexibleLoads.enumerated() where f.earliest <= t && t <= f.latest {
                bal.add(-f.powerKW, u.flex[k][t - f.earliest])
            }
            m.add(bal == p.loadKW[t] - p.pvKW[t], name: "\(p.id)_balance_\(t)")
        }

        /// Connection: draw and feed each within `connection_kw` (elastic: the draw gets a penalized slack).
        mutating func connection(_ i: Int, _ p: Prosumer, _ u: Unit, _ t: Int) {
            var draw = u.gi[t] + u.pb[t]
            if spec.elastic {
                let s = m.addVariable(name: "\(p.id)_connection_slack_\(t)")
                draw.add(-1, s)
                v.slacks.append((.connection(prosumer: i, period: t), s))
            }
            if pool || spec.elastic { m.add(draw <= p.connectionKW, name: "\(p.id)_draw_\(t)") }
            if pool { m.add(u.ge[t] + u.ps[t] <= p.connectionKW, name: "\(p.id)_feed_\(t)") }
        }

        /// Valid inequalities implied by the meter rule and the balance (the big-M formulation's cuts): what a
        /// prosumer feeds comes from its own PV and battery, what it draws goes to its own load, flexible loads and
        /// battery. They forbid routing grid power through a prosumer into the pool (or pool power out to the
        /// grid) in the relaxation, so few periods need the meter binary.
        mutating func ownFlows(_ p: Prosumer, _ u: Unit, _ t: Int) {
            var feed = u.ge[t] + u.ps[t] + u.cu[t]
            if let b = u.battery { feed.add(-1, b.bd[t]) }
            m.add(feed <= p.pvKW[t], name: "\(p.id)_feed_own_\(t)")
            var draw = u.gi[t] + u.pb[t]
            if let b = u.battery { draw.add(-1, b.bc[t]) }
            for (k, f) in p.flexibleLoads.enumerated() where f.earliest <= t && t <= f.latest {
                draw.add(-f.powerKW, u.flex[k][t - f.earliest])
            }
            m.add(draw <= p.loadKW[t], name: "\(p.id)_draw_own_\(t)")
        }

        /// The meter rule (draw or feed, never both) with the tightest big-Ms the data give: a prosumer draws at
        /// most its load, its flexible loads and its battery's power, and feeds at most its PV and its battery's
        /// power. Where either is 0 the rule holds without a binary (e.g. no PV and no battery at night).
        mutating func meterRule(_ i: Int, _ p: Prosumer, _ u: Unit, _ t: Int) {
            // The elastic copy's connection is soft (a slack), so it does not bound the big-Ms there.
            let C = spec.elastic ? Double.infinity : p.connectionKW
            let rule = !spec.elastic || spec.elasticBinaries
            let flexMax = p.flexibleLoads.filter { $0.earliest <= t && t <= $0.latest }.reduce(0) { $0 + $1.powerKW }
            let batteryPower = p.battery?.powerKW ?? 0
            let drawMax = min(C, p.loadKW[t] + flexMax + batteryPower)
            let feedMax = min(C, p.pvKW[t] + batteryPower)
            // Without a battery the mode is known where no flexible load can change it: a prosumer whose PV
            // exceeds its load never needs to draw (curtailing is free) unless importing pays (a negative
            // import price: then it may draw and curtail), and one whose load is at least its PV can only
            // draw. Fixing it removes symmetric routing choices.
            let drawingPays = c.grid.importPrice[t] < 0 && p.pvKW[t] > p.loadKW[t]
            let modeKnown = p.battery == nil && (flexMax <= 0 || p.pvKW[t] <= p.loadKW[t]) && !drawingPays
            if rule && modeKnown {
                if p.pvKW[t] > p.loadKW[t] {
                    m.setBounds(u.gi[t], lower: 0, upper: 0); m.setBounds(u.pb[t], lower: 0, upper: 0)
                } else {
                    m.setBounds(u.ge[t], lower: 0, upper: 0); m.setBounds(u.ps[t], lower: 0, upper: 0)
                }
            }
            let needsBinary = !modeKnown && (spec.meterMode == .all || spec.meterBinaries.contains(UnitPeriod(unit: i, period: t)))
            let binary = rule && needsBinary && drawMax > 0 && feedMax > 0
            if rule && !binary {
                // Valid without a binary: the meter rule and the balance imply these bounds.
                if drawMax < C { m.add(u.gi[t] + u.pb[t] <= drawMax, name: "\(p.id)_draw_max_\(t)") }
                if feedMax < C { m.add(u.ge[t] + u.ps[t] <= feedMax, name: "\(p.id)_feed_max_\(t)") }
            }
            guard binary else { return }
            let z = m.addVariable(kind: .binary, name: "\(p.id)_draws_\(t)")
            v.meter[UnitPeriod(unit: i, period: t)] = z
            m.add(u.gi[t] + u.pb[t] - drawMax * z <= 0)
            m.add(u.ge[t] + u.ps[t] + feedMax * z <= feedMax)
            if spec.hull { meterHull(p, u, t, z) }
        }

        /// Convex hull of the disjunction "draw mode or feed mode" for one period: the feed-mode copies (suffix F)
        /// of curtailment, battery flows and flexible loads carry the feed-mode balance; the draw-mode copies are
        /// the originals minus them.
        mutating func meterHull(_ p: Prosumer, _ u: Unit, _ t: Int, _ z: Variable) {
            var feedBalance = u.ge[t] + u.ps[t]
            func split(_ x: Variable, _ bound: Double, _ coefficient: Double, _ label: String) {
                let xf = m.addVariable(upper: bound, name: "\(p.id)_\(label)F_\(t)")
                m.add(xf + bound * z <= bound)  // xF <= bound (1 - z)
                m.add(x - xf - bound * z <= 0)  // x - xF <= bound z
                m.add(xf - x <= 0)  // xF <= x
                feedBalance.add(coefficient, xf)
            }
            if p.pvKW[t] > 0 { split(u.cu[t], p.pvKW[t], 1, "curtail") }
            if let b = u.battery, let bat = p.battery {
                split(b.bc[t], bat.powerKW, 1, "charge")
                split(b.bd[t], bat.powerKW, -1, "discharge")
            }
            for (k, f) in p.flexibleLoads.enumerated() where f.earliest <= t && t <= f.latest && f.powerKW > 0 {
                split(u.flex[k][t - f.earliest], 1, f.powerKW, "flex\(k)")
            }
            // ge + ps = (pv - load)(1 - z) - cuF + bdF - bcF - sum P uF
            feedBalance.add(p.pvKW[t] - p.loadKW[t], z)
            m.add(feedBalance == p.pvKW[t] - p.loadKW[t], name: "\(p.id)_feed_mode_\(t)")
        }

        /// The grid tariffs and the pool fee in the objective; the period's community sums.
        mutating func tariffs(_ u: Unit, _ t: Int) {
            objective.add(dt * c.grid.importPrice[t], u.gi[t])
            objective.add(-dt * c.grid.exportPrice[t], u.ge[t])
            if pool { objective.add(dt * c.p2p.feePerKWh, u.pb[t]) }
            importSum[t].add(1, u.gi[t]); exportSum[t].add(1, u.ge[t])
            if pool { poolBalance[t].add(1, u.ps[t]); poolBalance[t].add(-1, u.pb[t]) }
        }

        /// The shared storage (its flows fixed at 0 without a pool) and its place in the pool balance.
        mutating func sharedStorage() {
            guard let s = c.sharedStorage else { return }
            let st = storage(s, unit: -1, name: "shared")
            if !pool { for t in 0..<T { m.setBounds(st.bc[t], lower: 0, upper: 0); m.setBounds(st.bd[t], lower: 0, upper: 0) } }
            v.sc = st.bc; v.sd = st.bd; v.se = st.e
            if pool { for t in 0..<T { poolBalance[t].add(1, st.bd[t]); poolBalance[t].add(-1, st.bc[t]) } }
        }

        /// The pool balance and the community's import and export limits (elastic: with penalized slacks).
        mutating func communityLimits() {
            for t in 0..<T {
                if pool { m.add(poolBalance[t] == 0, name: "pool_\(t)") }
                var imp = importSum[t], exp = exportSum[t]
                if spec.elastic {
                    let si = m.addVariable(name: "import_limit_slack_\(t)"), se = m.addVariable(name: "export_limit_slack_\(t)")
                    imp.add(-1, si); exp.add(-1, se)
                    v.slacks.append((.importLimit(period: t), si))
                    v.slacks.append((.exportLimit(period: t), se))
                }
                m.add(imp <= c.grid.importLimitKW, name: "import_limit_\(t)")
                m.add(exp <= c.grid.exportLimitKW, name: "export_limit_\(t)")
            }
        }

        /// The objective (elastic: the total slack) and the finished model.
        mutating func finish() -> (Model, Variables) {
            if spec.elastic {
                var penalty = LinearExpression()
                var largest: [String: Variable] = [:]
                for s in v.slacks {
                    penalty.add(1 + ScheduleModel.laterSlackWeight * Double(s.family.period ?? 0) / Double(max(T, 1)), s.variable)
                    let rule = s.family.rule
                    let z = largest[rule] ?? m.addVariable(name: "largest_slack_\(largest.count)")
                    if largest[rule] == nil {
                        largest[rule] = z
                        penalty.add(ScheduleModel.largestSlackWeight, z)
                    }
                    m.add(s.variable - z <= 0, name: "largest_slack_bound_\(m.constraintCount)")
                }
                m.setObjective(penalty, sense: .minimize)
            } else {
                m.setObjective(objective, sense: .minimize)
            }
            return (m, v)
        }
    }
}
