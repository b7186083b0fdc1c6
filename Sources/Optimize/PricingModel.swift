import LinearProgramming

/// The big-M values a pricing MILP used, for the report.
public struct PricingBigM: Sendable {
    /// Bound on the value of stored energy (the dual of each partition's energy balance), currency per kWh.
    public var storageDual: Double
    /// Bound added to the tariff range of the value of energy at the meter (the dual of each balance) where a
    /// connection limit can bind; 0 where the tariffs bound it exactly.
    public var balanceDual: Double
    /// The largest bound on a complementarity multiplier (derived from the dual bounds by interval arithmetic).
    public var largestMultiplier: Double
    /// The largest bound on a primal variable used in a complementarity (kW or kWh, from the data).
    public var largestPrimal: Double
}

/// The single-level MILP of spec/pricing.md: the leader's prices as variables, every follower's LP replaced by
/// its KKT conditions.
///
/// Follower i's LP is written as `min cᵀx, A x = b, l <= x <= u` with rows `balance_t` (dual `λ_t`) and
/// `energy_t` (dual `μ_t`). The KKT system is primal feasibility, reduced costs `r = c - Aᵀy = α - β` with
/// multipliers `α, β >= 0` for the lower and upper bounds, and complementarity `α (x - l) = 0`, `β (u - x) = 0`,
/// each by one binary and two big-M rows. The bilinear revenue `Σ dt (pc c + pd d)` is replaced by strong duality:
/// it equals the dual objective `bᵀy + lᵀα - uᵀβ` minus the follower's grid bill, which is linear.
///
/// Big-Ms: the dual bounds are the only assumed quantities. The meter dual `λ_t` lies exactly in
/// `[dt export_price, dt import_price]` where the connection cannot bind (dual feasibility of import and export);
/// the energy dual is bounded by `scale × (max import price + max charge price + max discharge price + max |export
/// price|) / (ηc ηd)`. Every multiplier bound follows by interval arithmetic from these and the price caps, every
/// primal bound from the data. ``StackelbergPricer`` checks each answer and widens `scale` when the check fails.
///
/// Valid rows (``mccormick``): the revenue is also the sum of the fee products `p x`, each within its McCormick
/// envelope; exact where x sits at a bound, they tie the follower's use to the prices long before every binary is
/// fixed.
///
/// Data-driven reductions (exact, see the README): an import or export bound that no netted answer can reach
/// (`connection >= load + power`, `connection >= pv + power`) is left out, and with it curtailment where the
/// export price is non-negative (exporting instead is never worse and leaves charge and discharge unchanged).
struct PricingModel {
    let problem: PricingProblem
    /// Followers in this model: all of them (uniform prices) or one (a personalized part).
    let followers: [Int]
    /// Multiplies the assumed dual bounds.
    var scale = 1.0
    var grid: PriceGrid?
    /// Each follower's bill when its partition stays idle (from ``FollowerProblem``), `nil` where idling is
    /// infeasible (final state of charge above the initial one). Used for a valid cut.
    var idleBills: [Int: Double] = [:]
    /// How many identical followers each follower in the model stands for (see ``PricingProblem/classes()``).
    var weights: [Int: Double] = [:]
    /// Each follower's best profit under personalized prices (an upper bound of what uniform prices earn from it).
    var profitCaps: [Int: Double] = [:]
    /// Best bounds of two-follower uniform problems: `(i, j, bound)`.
    var pairCaps: [(Int, Int, Double)] = []
    /// Adds the McCormick envelope of every fee product `p x` (valid rows that tighten the relaxation).
    var mccormick = true

    struct Handles {
        var charge: [Variable] = [], discharge: [Variable] = []
        var c: [[Variable]] = [], d: [[Variable]] = [], e: [[Variable]] = []
        /// Each complementarity binary with its column and the bound that the binary's 1 holds the column at.
        var complements: [(binary: Variable, column: Variable, bound: Double)] = []
        var bigM = PricingBigM(storageDual: 0, balanceDual: 0, largestMultiplier: 0, largestPrimal: 0)
    }

    /// The bound of a linear expression over the model's variable bounds.
    static func range(_ e: LinearExpression, _ m: Model) -> (lower: Double, upper: Double) {
        var lo = e.constant, hi = e.constant
        for (j, a) in zip(e.indices, e.coefficients) {
            let l = m.columnLower[j], u = m.columnUpper[j]
            if a >= 0 { lo += a * l; hi += a * u } else { lo += a * u; hi += a * l }
        }
        return (lo, hi)
    }

    /// Which bounds period `t` of follower `f` needs: the import (export) bound is left out when no netted
    /// answer can reach it, curtailment when exporting instead is never worse.
    func reductions(_ f: PricingFollower, _ t: Int) -> (importFree: Bool, exportFree: Bool, withCurtail: Bool) {
        let ep = problem.exportPrice[t]
        let netted = ep <= problem.importPrice[t]
        let importFree = netted && f.connectionKW >= f.loadKW[t] + f.powerKW
        let exportFree = netted && f.connectionKW >= f.pvKW[t] + f.powerKW
        return (importFree, exportFree, f.pvKW[t] > 0 && !(exportFree && ep >= 0))
    }

    /// Groups followers whose KKT systems are identical, so that uniform prices need only one of each group
    /// (weighted by the group's size): the same partition, and in every period either the same load, PV and
    /// connection, or a net load the partition cannot cover (always importing) or a surplus it cannot absorb
    /// (always exporting), where the follower's choice of charge and discharge does not depend on the amount.
    static func classes(_ problem: PricingProblem, _ members: [Int]) -> [(representative: Int, members: [Int])] {
        let model = PricingModel(problem: problem, followers: members)
        var order: [String] = []
        var groups: [String: [Int]] = [:]
        for i in members {
            let f = problem.followers[i]
            var key = "\(f.capacityKWh)|\(f.powerKW)"
            for t in 0..<problem.periods {
                let (importFree, exportFree, withCurtail) = model.reductions(f, t)
                let net = f.loadKW[t] - f.pvKW[t]
                let exact = importFree && exportFree && !withCurtail
                if exact && net > f.powerKW + 1e-12 { key += "|I" }
                else if exact && -net > f.powerKW + 1e-12 { key += "|E" }
                else { key += "|\(f.loadKW[t]),\(f.pvKW[t]),\(f.connectionKW)" }
            }
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(i)
        }
        return order.map { (groups[$0]![0], groups[$0]!) }
    }

    func build() -> (Model, Handles) {
        let P = problem, T = P.periods, dt = P.hoursPerPeriod
        let etaC = P.storage.chargeEfficiency, etaD = P.storage.dischargeEfficiency
        var m = Model(name: "pricing_\(P.name)")
        var h = Handles()
        var profit = LinearExpression()
        var owns: [Int: LinearExpression] = [:]
        let tiny = 1e-12

        // Leader: prices, continuous in [0, cap] or one of the grid's values.
        func price(_ name: String, cap: Double, values: [Double]?) -> Variable {
            guard let values else { return m.addVariable(upper: cap, name: name) }
            let p = m.addVariable(lower: values.min() ?? 0, upper: values.max() ?? 0, name: name)
            let w = values.indices.map { m.addVariable(kind: .binary, name: "\(name)_is_\($0)") }
            m.add(LinearExpression.sum(w) == 1, name: "\(name)_one")
            var e = LinearExpression(p)
            for (k, g) in values.enumerated() { e.add(-g, w[k]) }
            m.add(e == 0, name: "\(name)_grid")
            return p
        }
        func prices(_ tag: String) -> (charge: [Variable], discharge: [Variable]) {
            ((0..<T).map { price("charge_price\(tag)_\($0)", cap: P.maxChargePrice, values: grid?.charge) },
             (0..<T).map { price("discharge_price\(tag)_\($0)", cap: P.maxDischargePrice, values: grid?.discharge) })
        }

        let maxImport = P.importPrice.max() ?? 0
        let maxAbsExport = P.exportPrice.map(abs).max() ?? 0
        let chargeCap = grid?.charge.max() ?? P.maxChargePrice
        let dischargeCap = grid?.discharge.max() ?? P.maxDischargePrice
        let energyDual = scale * (maxImport + chargeCap + dischargeCap + maxAbsExport) / (etaC * etaD)
        h.bigM.storageDual = energyDual

        let shared = followers.count > 1 || P.mode == .uniform ? prices("") : nil
        for i in followers {
            let f = P.followers[i]
            let (pc, pd) = shared ?? prices("_\(f.id)")
            if shared == nil || h.charge.isEmpty { h.charge = pc; h.discharge = pd }
            guard f.hasStorage else { h.c.append([]); h.d.append([]); h.e.append([]); continue }
            let name = f.id
            var dual = LinearExpression()      // bᵀy + lᵀα - uᵀβ
            var gridBill = LinearExpression()  // Σ dt (ip gi - ep ge)

            /// Adds the multipliers and complementarity of a column `x` in `[l, u]` (u = nil: no upper bound
            /// in the LP; `xmax` bounds x for the big-M) with reduced cost `r`.
            func complement(_ x: Variable, lower l: Double, upper u: Double?, xmax: Double, r: LinearExpression, _ tag: String,
                            positive: Bool = false) {
                let (rlo, rhi) = Self.range(r, m)
                // The sign of r decides the state: r > 0 everywhere puts x at its lower bound, r < 0 at its upper.
                if rlo > tiny { m.setBounds(x, lower: l, upper: l) }
                if rhi < -tiny, let u { m.setBounds(x, lower: u, upper: u) }
                var row = r
                var alpha: (Variable, Double)?, beta: (Variable, Double)?
                if rhi > tiny {
                    let a = m.addVariable(upper: rhi, name: "\(tag)_lower_mult")
                    row.add(-1, a); alpha = (a, rhi)
                    dual.add(l, a)
                }
                if let u, -rlo > tiny {
                    let b = m.addVariable(upper: -rlo, name: "\(tag)_upper_mult")
                    row.add(1, b); beta = (b, -rlo)
                    dual.add(-u, b)
                }
                m.add(row == 0, name: "\(tag)_stationarity")
                let top = u ?? xmax
                h.bigM.largestPrimal = max(h.bigM.largestPrimal, top - l)
                var atLower: Variable?
                // x above its lower bound in every feasible answer: α = 0, no binary.
                if let (a, _) = alpha, positive {
                    m.setBounds(a, lower: 0, upper: 0)
                    alpha = nil
                }
                if rlo > tiny || (rhi < -tiny && u != nil) { return }
                if let (a, M) = alpha {
                    h.bigM.largestMultiplier = max(h.bigM.largestMultiplier, M)
                    let z = m.addVariable(kind: .binary, name: "\(tag)_at_lower")
                    m.add(a - M * z <= 0)               // α > 0 only if z = 1
                    m.add(x + (top - l) * z <= top)     // z = 1 puts x at its lower bound
                    atLower = z
                    h.complements.append((z, x, l))
                }
                if let (b, M) = beta {
                    h.bigM.largestMultiplier = max(h.bigM.largestMultiplier, M)
                    let w = m.addVariable(kind: .binary, name: "\(tag)_at_upper")
                    m.add(b - M * w <= 0)               // β > 0 only if w = 1
                    m.add(-1 * x + (top - l) * w <= -l) // w = 1 puts x at its upper bound
                    h.complements.append((w, x, top))
                    if let z = atLower { m.add(z + w <= 1) }
                }
            }

            var c: [Variable] = [], d: [Variable] = [], e: [Variable] = []
            var lambda: [Variable] = [], mu: [Variable] = []
            for t in 0..<T {
                let ip = P.importPrice[t], ep = P.exportPrice[t]
                let (importFree, exportFree, withCurtail) = reductions(f, t)
                let exact = importFree && exportFree && !withCurtail
                let slackM = exact ? 0 : dt * energyDual
                h.bigM.balanceDual = max(h.bigM.balanceDual, slackM)
                lambda.append(m.addVariable(lower: dt * min(ep, 0) - slackM, upper: dt * max(ip, ep, 0) + slackM,
                                            name: "\(name)_meter_dual_\(t)"))
                if exact { m.setBounds(lambda[t], lower: dt * ep, upper: dt * ip) }
                // Net load beyond what the partition can cover forces import (surplus beyond what it can absorb
                // forces export) in every feasible answer: the meter dual is then the tariff itself.
                let net = f.loadKW[t] - f.pvKW[t]
                if exact && net > f.powerKW + tiny { m.setBounds(lambda[t], lower: dt * ip, upper: dt * ip) }
                if exact && -net > f.powerKW + tiny { m.setBounds(lambda[t], lower: dt * ep, upper: dt * ep) }
                mu.append(m.addVariable(lower: -energyDual, upper: energyDual, name: "\(name)_energy_dual_\(t)"))
            }
            for t in 0..<T {
                let ip = P.importPrice[t], ep = P.exportPrice[t]
                let (lo, hi) = P.energyBounds(f, t)
                let (importFree, exportFree, withCurtail) = reductions(f, t)
                let gi = m.addVariable(upper: importFree ? f.loadKW[t] + f.powerKW : f.connectionKW, name: "\(name)_import_\(t)")
                let ge = m.addVariable(upper: exportFree ? f.pvKW[t] + f.powerKW : f.connectionKW, name: "\(name)_export_\(t)")
                let cu = withCurtail ? m.addVariable(upper: f.pvKW[t], name: "\(name)_curtail_\(t)") : nil
                c.append(m.addVariable(upper: f.powerKW, name: "\(name)_charge_\(t)"))
                d.append(m.addVariable(upper: f.powerKW, name: "\(name)_discharge_\(t)"))
                e.append(m.addVariable(lower: lo, upper: hi, name: "\(name)_energy_\(t)"))
                gridBill.add(dt * ip, gi)
                gridBill.add(-dt * ep, ge)
                // Primal rows.
                var balance = gi - ge + d[t] - c[t]
                if let cu { balance.add(-1, cu) }
                let net = f.loadKW[t] - f.pvKW[t]
                m.add(balance == net, name: "\(name)_balance_\(t)")
                dual.add(net, lambda[t])
                var soc = LinearExpression(e[t])
                if t > 0 { soc.add(-1, e[t - 1]) }
                soc.add(-dt * etaC, c[t])
                soc.add(dt / etaD, d[t])
                let initial = t == 0 ? P.storage.initialSoC * f.capacityKWh : 0
                m.add(soc == initial, name: "\(name)_energy_\(t)")
                if initial != 0 { dual.add(initial, mu[t]) }
                // Reduced costs r = c - Aᵀy and complementarity.
                complement(gi, lower: 0, upper: importFree ? nil : f.connectionKW, xmax: f.loadKW[t] + f.powerKW,
                           r: LinearExpression(constant: dt * ip) - lambda[t], "\(name)_import_\(t)",
                           positive: net - f.powerKW > tiny)
                complement(ge, lower: 0, upper: exportFree ? nil : f.connectionKW, xmax: f.pvKW[t] + f.powerKW,
                           r: LinearExpression(constant: -dt * ep) + lambda[t], "\(name)_export_\(t)",
                           positive: cu == nil && -net - f.powerKW > tiny)
                if let cu {
                    complement(cu, lower: 0, upper: f.pvKW[t], xmax: f.pvKW[t], r: LinearExpression(lambda[t]), "\(name)_curtail_\(t)")
                }
                var rc = dt * pc[t] + lambda[t]
                rc.add(dt * etaC, mu[t])
                complement(c[t], lower: 0, upper: f.powerKW, xmax: f.powerKW, r: rc, "\(name)_charge_\(t)")
                var rd = dt * pd[t] - lambda[t]
                rd.add(-dt / etaD, mu[t])
                complement(d[t], lower: 0, upper: f.powerKW, xmax: f.powerKW, r: rd, "\(name)_discharge_\(t)")
            }
            for t in 0..<T {
                let (lo, hi) = P.energyBounds(f, t)
                var re = -mu[t]
                if t + 1 < T { re.add(1, mu[t + 1]) }
                if hi - lo > tiny {
                    complement(e[t], lower: lo, upper: hi, xmax: hi, r: re, "\(name)_energy_\(t)")
                } else {
                    dual.add(re, scale: lo)  // a fixed column: its free multiplier is r itself
                }
            }
            // Valid rows: the revenue Σ dt (pc c + pd d), which strong duality gives as `dual - gridBill`, is also
            // the sum of the products `v = p x`, each held within its McCormick envelope over the bounds of p and
            // x. The envelope is exact wherever x sits at a bound, which is where the complementarity binaries
            // put it, so the search prunes nodes that its big-M rows alone keep open (the benchmark's N = 5 is
            // proven within 60 s with them and was open after 60 s without; see the README).
            if mccormick {
                var revenue = LinearExpression()
                for t in 0..<T {
                    for (p, x) in [(pc[t], c[t]), (pd[t], d[t])] {
                        let pL = m.columnLower[p.index], pU = m.columnUpper[p.index]
                        let xL = m.columnLower[x.index], xU = m.columnUpper[x.index]
                        if xU - xL <= tiny { revenue.add(dt * xL, p); continue }
                        let v = m.addVariable(lower: min(pL * xL, pU * xL), upper: max(pU * xU, pL * xU),
                                              name: "\(m.columnName(x.index))_fee")
                        m.add(v - pL * x - xL * p >= -pL * xL)
                        m.add(v - pU * x - xU * p >= -pU * xU)
                        m.add(v - pU * x - xL * p <= -pU * xL)
                        m.add(v - pL * x - xU * p <= -pL * xU)
                        revenue.add(dt, v)
                    }
                }
                m.add(dual - gridBill - revenue == 0, name: "\(name)_revenue_products")
            }
            // The leader's profit from this follower: revenue by strong duality minus the operating cost.
            var own = dual - gridBill
            for t in 0..<T { own.add(-dt * P.operatorCostPerKWh, c[t]); own.add(-dt * P.operatorCostPerKWh, d[t]) }
            // Valid cut: the follower's optimal bill (the dual objective, by strong duality) is at most its bill
            // without using the partition, whenever leaving the partition idle is feasible.
            if let idle = idleBills[i] { m.add(dual <= idle, name: "\(name)_no_worse_than_idle") }
            // Valid cut: the leader earns from a follower at most what personalized prices would earn.
            if let cap = profitCaps[i] { m.add(own <= cap, name: "\(name)_personalized_cap") }
            profit.add(own, scale: weights[i] ?? 1)
            owns[i] = own
            h.c.append(c); h.d.append(d); h.e.append(e)
        }
        // Valid cuts: uniform prices earn from two followers together at most the best bound of the two-follower
        // uniform problem.
        for (i, j, cap) in pairCaps {
            guard let a = owns[i], let b = owns[j] else { continue }
            m.add(a + b <= cap, name: "pair_cap_\(i)_\(j)")
        }
        m.setObjective(profit, sense: .maximize)
        return (m, h)
    }
}
