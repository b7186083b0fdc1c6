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
///   import and export limits, each connection, each storage's final state of charge) for the diagnosis.
struct ScheduleModel {
    let community: Community
    var coupled = true
    var elastic = false
    var meterBinaries: Set<UnitPeriod> = []
    var storageBinaries: Set<UnitPeriod> = []
    /// Meter binaries: for every (prosumer, period) where both drawing and feeding are possible (default), or
    /// only where a previous round broke the rule (``meterBinaries``).
    enum BinaryMode { case all, lazy }
    var meterMode = BinaryMode.all
    var storageMode = BinaryMode.lazy
    /// Use the convex-hull (disaggregated) formulation of the meter rule instead of big-M alone.
    var hull = true

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
    }

    func build() -> (Model, Variables) {
        let c = community
        let T = c.periods, dt = c.hoursPerPeriod
        var m = Model(name: c.name.isEmpty ? "community" : c.name)
        var v = Variables()
        let pool = coupled && c.p2p.enabled
        var objective = LinearExpression()
        var importSum = [LinearExpression](repeating: LinearExpression(), count: T)
        var exportSum = [LinearExpression](repeating: LinearExpression(), count: T)
        var poolBalance = [LinearExpression](repeating: LinearExpression(), count: T)

        func storageVariables(_ s: Storage, unit: Int, name: String) -> (bc: [Variable], bd: [Variable], e: [Variable]) {
            let bc = (0..<T).map { m.addVariable(upper: s.powerKW, name: "\(name)_charge_\($0)") }
            let bd = (0..<T).map { m.addVariable(upper: s.powerKW, name: "\(name)_discharge_\($0)") }
            let lo = s.minSoC * s.capacityKWh, hi = s.maxSoC * s.capacityKWh
            let e = (0..<T).map { m.addVariable(lower: lo, upper: hi, name: "\(name)_soc_\($0)") }
            for t in 0..<T {
                // e_t - e_{t-1} - dt*eta_c*bc + dt/eta_d*bd = 0, e_{-1} = initial energy
                var row = LinearExpression(e[t])
                if t > 0 { row.add(-1, e[t - 1]) }
                row.add(-dt * s.chargeEfficiency, bc[t])
                row.add(dt / s.dischargeEfficiency, bd[t])
                m.add(row == (t == 0 ? s.initialEnergy : 0), name: "\(name)_energy_\(t)")
                objective.add(dt * s.degradationCostPerKWh, bc[t])
                objective.add(dt * s.degradationCostPerKWh, bd[t])
                if storageMode == .all || storageBinaries.contains(UnitPeriod(unit: unit, period: t)) {
                    let z = m.addVariable(kind: .binary, name: "\(name)_mode_\(t)")
                    v.storageMode[UnitPeriod(unit: unit, period: t)] = z
                    m.add(bc[t] - s.powerKW * z <= 0)
                    m.add(bd[t] + s.powerKW * z <= s.powerKW)
                }
            }
            let final = max(s.finalMinSoC, s.minSoC) * s.capacityKWh
            if elastic {
                let slack = m.addVariable(name: "\(name)_final_slack")
                m.add(e[T - 1] + slack >= final, name: "\(name)_final")
                v.slacks.append((.finalCharge(unit: unit), slack))
            } else {
                m.setBounds(e[T - 1], lower: max(lo, final), upper: hi)
            }
            return (bc, bd, e)
        }

        for (i, p) in c.prosumers.enumerated() {
            let C = p.connectionKW
            let connectionBound = elastic ? Double.infinity : C
            let gi = (0..<T).map { m.addVariable(upper: connectionBound, name: "\(p.id)_import_\($0)") }
            let ge = (0..<T).map { m.addVariable(upper: connectionBound, name: "\(p.id)_export_\($0)") }
            let pb = (0..<T).map { m.addVariable(upper: pool ? connectionBound : 0, name: "\(p.id)_pool_buy_\($0)") }
            let ps = (0..<T).map { m.addVariable(upper: pool ? connectionBound : 0, name: "\(p.id)_pool_sell_\($0)") }
            let cu = (0..<T).map { m.addVariable(upper: p.pvKW[$0], name: "\(p.id)_curtail_\($0)") }
            v.gi.append(gi); v.ge.append(ge); v.pb.append(pb); v.ps.append(ps); v.cu.append(cu)
            var battery: (bc: [Variable], bd: [Variable], e: [Variable])?
            if let b = p.battery { battery = storageVariables(b, unit: i, name: "\(p.id)_battery") }
            v.bc.append(battery?.bc); v.bd.append(battery?.bd); v.e.append(battery?.e)
            var flex: [[Variable]] = []
            for (k, f) in p.flexibleLoads.enumerated() {
                let u = (f.earliest...f.latest).map { m.addVariable(kind: .binary, name: "\(p.id)_\(f.id.isEmpty ? "flex\(k)" : f.id)_on_\($0)") }
                m.add(LinearExpression.sum(u) == Double(f.runPeriods), name: "\(p.id)_\(f.id)_runs")
                flex.append(u)
            }
            v.flex.append(flex)
            for t in 0..<T {
                // Balance: -cu + gi + pb + bd - ge - ps - bc - sum_k P_k u_k = load - pv
                var bal = LinearExpression()
                bal.add(-1, cu[t]); bal.add(1, gi[t]); bal.add(1, pb[t]); bal.add(-1, ge[t]); bal.add(-1, ps[t])
                if let b = battery { bal.add(1, b.bd[t]); bal.add(-1, b.bc[t]) }
                for (k, f) in p.flexibleLoads.enumerated() where f.earliest <= t && t <= f.latest {
                    bal.add(-f.powerKW, flex[k][t - f.earliest])
                }
                m.add(bal == p.loadKW[t] - p.pvKW[t], name: "\(p.id)_balance_\(t)")
                // Connection: draw and feed each within connection_kw.
                var draw = gi[t] + pb[t]
                if elastic {
                    let s = m.addVariable(name: "\(p.id)_connection_slack_\(t)")
                    draw.add(-1, s)
                    v.slacks.append((.connection(prosumer: i, period: t), s))
                }
                if pool || elastic { m.add(draw <= C, name: "\(p.id)_draw_\(t)") }
                if pool { m.add(ge[t] + ps[t] <= C, name: "\(p.id)_feed_\(t)") }
                // Valid inequalities implied by the meter rule and the balance: what a prosumer feeds comes from its
                // own PV and battery, what it draws goes to its own load, flexible loads and battery. They forbid
                // routing grid power through a prosumer into the pool (or pool power out to the grid) in the
                // relaxation, so few periods need the meter binary.
                if pool && !elastic && !hull {
                    var feed = ge[t] + ps[t] + cu[t]
                    if let b = battery { feed.add(-1, b.bd[t]) }
                    m.add(feed <= p.pvKW[t], name: "\(p.id)_feed_own_\(t)")
                    var draw = gi[t] + pb[t]
                    if let b = battery { draw.add(-1, b.bc[t]) }
                    for (k, f) in p.flexibleLoads.enumerated() where f.earliest <= t && t <= f.latest {
                        draw.add(-f.powerKW, flex[k][t - f.earliest])
                    }
                    m.add(draw <= p.loadKW[t], name: "\(p.id)_draw_own_\(t)")
                }
                // The meter rule with the tightest big-Ms the data give: a prosumer draws at most its load, its
                // flexible loads and its battery's power, and feeds at most its PV and its battery's power. Where
                // either is 0 the rule holds without a binary (e.g. no PV and no battery at night).
                let flexMax = p.flexibleLoads.filter { $0.earliest <= t && t <= $0.latest }.reduce(0) { $0 + $1.powerKW }
                let batteryPower = p.battery?.powerKW ?? 0
                let drawMax = min(C, p.loadKW[t] + flexMax + batteryPower)
                let feedMax = min(C, p.pvKW[t] + batteryPower)
                // Without a battery the mode is known where no flexible load can change it: a prosumer whose PV
                // exceeds its load never needs to draw (curtailing is free) unless importing pays (a negative
                // import price: then it may draw and curtail), and one whose load is at least its PV can only
                // draw. Fixing it removes symmetric routing choices.
                let flexActive = flexMax > 0
                let drawingPays = c.grid.importPrice[t] < 0 && p.pvKW[t] > p.loadKW[t]
                let modeKnown = p.battery == nil && (!flexActive || p.pvKW[t] <= p.loadKW[t]) && !drawingPays
                if !elastic && modeKnown {
                    if p.pvKW[t] > p.loadKW[t] {
                        m.setBounds(gi[t], lower: 0, upper: 0); m.setBounds(pb[t], lower: 0, upper: 0)
                    } else {
                        m.setBounds(ge[t], lower: 0, upper: 0); m.setBounds(ps[t], lower: 0, upper: 0)
                    }
                }
                let needsBinary = !modeKnown && (meterMode == .all || meterBinaries.contains(UnitPeriod(unit: i, period: t)))
                if !elastic && !(needsBinary && drawMax > 0 && feedMax > 0) {
                    // Valid without a binary: the meter rule and the balance imply these bounds.
                    if drawMax < C { m.add(gi[t] + pb[t] <= drawMax, name: "\(p.id)_draw_max_\(t)") }
                    if feedMax < C { m.add(ge[t] + ps[t] <= feedMax, name: "\(p.id)_feed_max_\(t)") }
                }
                if !elastic && needsBinary && drawMax > 0 && feedMax > 0 {
                    let z = m.addVariable(kind: .binary, name: "\(p.id)_draws_\(t)")
                    v.meter[UnitPeriod(unit: i, period: t)] = z
                    m.add(gi[t] + pb[t] - drawMax * z <= 0)
                    m.add(ge[t] + ps[t] + feedMax * z <= feedMax)
                    if hull {
                        // Convex hull of the disjunction "draw mode or feed mode" for this period: the feed-mode
                        // copies (suffix F) of curtailment, battery flows and flexible loads carry the feed-mode
                        // balance; the draw-mode copies are the originals minus them.
                        var feedBalance = ge[t] + ps[t]
                        func split(_ x: Variable, _ bound: Double, _ coefficient: Double, _ label: String) {
                            let xf = m.addVariable(upper: bound, name: "\(p.id)_\(label)F_\(t)")
                            m.add(xf + bound * z <= bound)          // xF <= bound (1 - z)
                            m.add(x - xf - bound * z <= 0)          // x - xF <= bound z
                            m.add(xf - x <= 0)                      // xF <= x
                            feedBalance.add(coefficient, xf)
                        }
                        if p.pvKW[t] > 0 { split(cu[t], p.pvKW[t], 1, "curtail") }
                        if let b = battery, let bat = p.battery {
                            split(b.bc[t], bat.powerKW, 1, "charge")
                            split(b.bd[t], bat.powerKW, -1, "discharge")
                        }
                        for (k, f) in p.flexibleLoads.enumerated() where f.earliest <= t && t <= f.latest && f.powerKW > 0 {
                            split(flex[k][t - f.earliest], 1, f.powerKW, "flex\(k)")
                        }
                        // ge + ps = (pv - load)(1 - z) - cuF + bdF - bcF - sum P uF
                        feedBalance.add(p.pvKW[t] - p.loadKW[t], z)
                        m.add(feedBalance == p.pvKW[t] - p.loadKW[t], name: "\(p.id)_feed_mode_\(t)")
                    }
                }
                objective.add(dt * c.grid.importPrice[t], gi[t])
                objective.add(-dt * c.grid.exportPrice[t], ge[t])
                if pool { objective.add(dt * c.p2p.feePerKWh, pb[t]) }
                importSum[t].add(1, gi[t]); exportSum[t].add(1, ge[t])
                if pool { poolBalance[t].add(1, ps[t]); poolBalance[t].add(-1, pb[t]) }
            }
        }
        if coupled {
            if let s = c.sharedStorage {
                let st = storageVariables(s, unit: -1, name: "shared")
                if !pool { for t in 0..<T { m.setBounds(st.bc[t], lower: 0, upper: 0); m.setBounds(st.bd[t], lower: 0, upper: 0) } }
                v.sc = st.bc; v.sd = st.bd; v.se = st.e
                if pool { for t in 0..<T { poolBalance[t].add(1, st.bd[t]); poolBalance[t].add(-1, st.bc[t]) } }
            }
            for t in 0..<T {
                if pool { m.add(poolBalance[t] == 0, name: "pool_\(t)") }
                var imp = importSum[t], exp = exportSum[t]
                if elastic {
                    let si = m.addVariable(name: "import_limit_slack_\(t)"), se = m.addVariable(name: "export_limit_slack_\(t)")
                    imp.add(-1, si); exp.add(-1, se)
                    v.slacks.append((.importLimit(period: t), si))
                    v.slacks.append((.exportLimit(period: t), se))
                }
                m.add(imp <= c.grid.importLimitKW, name: "import_limit_\(t)")
                m.add(exp <= c.grid.exportLimitKW, name: "export_limit_\(t)")
            }
        }
        if elastic {
            var penalty = LinearExpression()
            for s in v.slacks { penalty.add(1, s.variable) }
            m.setObjective(penalty, sense: .minimize)
        } else {
            m.setObjective(objective, sense: .minimize)
        }
        return (m, v)
    }
}
