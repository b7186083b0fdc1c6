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
                if exact && net > f.powerKW + 1e-12 {
                    key += "|I"
                } else if exact && -net > f.powerKW + 1e-12 {
                    key += "|E"
                } else {
                    key += "|\(f.loadKW[t]),\(f.pvKW[t]),\(f.connectionKW)"
                }
            }
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(i)
        }
        return order.map { (groups[$0]![0], groups[$0]!) }
    }

    /// The single-level MILP and its handles: the leader's prices, then each follower's KKT system in named steps
    /// (see ``Builder``), then the valid cuts across followers.
    func build() -> (Model, Handles) {
        var b = Builder(spec: self)
        let shared = followers.count > 1 || problem.mode == .uniform ? b.prices("") : nil
        for i in followers {
            let f = problem.followers[i]
            let (pc, pd) = shared ?? b.prices("_\(f.id)")
            if shared == nil || b.h.charge.isEmpty { b.h.charge = pc; b.h.discharge = pd }
            guard f.hasStorage else { b.h.c.append([]); b.h.d.append([]); b.h.e.append([]); continue }
            b.follower(i, f, charge: pc, discharge: pd)
        }
        b.pairCuts()
        b.m.setObjective(b.profit, sense: .maximize)
        return (b.m, b.h)
    }

    /// The pricing model under construction. Rows and columns are added in a fixed order, so the same problem
    /// always gives the same model.
    struct Builder {
        let spec: PricingModel
        let P: PricingProblem
        let T: Int, dt: Double, etaC: Double, etaD: Double
        /// The bound on the energy duals (see ``PricingBigM/storageDual``).
        let energyDual: Double
        let tiny = 1e-12
        var m: Model
        var h = Handles()
        var profit = LinearExpression()
        var owns: [Int: LinearExpression] = [:]
        /// The current follower's dual objective `bᵀy + lᵀα - uᵀβ` and grid bill `Σ dt (ip gi - ep ge)`.
        var dual = LinearExpression(), gridBill = LinearExpression()

        init(spec: PricingModel) {
            self.spec = spec
            P = spec.problem
            T = P.periods
            dt = P.hoursPerPeriod
            etaC = P.storage.chargeEfficiency
            etaD = P.storage.dischargeEfficiency
            m = Model(name: "pricing_\(P.name)")
            let maxImport = P.importPrice.max() ?? 0
            let maxAbsExport = P.exportPrice.map(abs).max() ?? 0
            let chargeCap = spec.grid?.charge.max() ?? P.maxChargePrice
            let dischargeCap = spec.grid?.discharge.max() ?? P.maxDischargePrice
            energyDual = spec.scale * (maxImport + chargeCap + dischargeCap + maxAbsExport) / (etaC * etaD)
            h.bigM.storageDual = energyDual
        }

        /// Leader: a price, continuous in [0, cap] or one of the grid's values.
        mutating func price(_ name: String, cap: Double, values: [Double]?) -> Variable {
            guard let values else { return m.addVariable(upper: cap, name: name) }
            let p = m.addVariable(lower: values.min() ?? 0, upper: values.max() ?? 0, name: name)
            let w = values.indices.map { m.addVariable(kind: .binary, name: "\(name)_is_\($0)") }
            m.add(LinearExpression.sum(w) == 1, name: "\(name)_one")
            var e = LinearExpression(p)
            for (k, g) in values.enumerated() { e.add(-g, w[k]) }
            m.add(e == 0, name: "\(name)_grid")
            return p
        }

        /// The charge and discharge prices of every period.
        mutating func prices(_ tag: String) -> (charge: [Variable], discharge: [Variable]) {
            let charge = (0..<T).map { price("charge_price\(tag)_\($0)", cap: P.maxChargePrice, values: spec.grid?.charge) }
            let discharge = (0..<T).map { price("discharge_price\(tag)_\($0)", cap: P.maxDischargePrice, values: spec.grid?.discharge) }
            return (charge, discharge)
        }

        /// Adds the multipliers and complementarity of a column `x` in `[l, u]` (u = nil: no upper bound in the
        /// LP; `xmax` bounds x for the big-M) with reduced cost `r`.
        mutating func complement(
            _ x: Variable, lower l: Double, upper u: Double?, xmax: Double, r: LinearExpression, _ tag: String,
            positive: Bool = false
        ) {
            let (rlo, rhi) = PricingModel.range(r, m)
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
                m.add(a - M * z <= 0)  // α > 0 only if z = 1
                m.add(x + (top - l) * z <= top)  // z = 1 puts x at its lower bound
                atLower = z
                h.complements.append((z, x, l))
            }
            if let (b, M) = beta {
                h.bigM.largestMultiplier = max(h.bigM.largestMultiplier, M)
                let w = m.addVariable(kind: .binary, name: "\(tag)_at_upper")
                m.add(b - M * w <= 0)  // β > 0 only if w = 1
                m.add(-1 * x + (top - l) * w <= -l)  // w = 1 puts x at its upper bound
                h.complements.append((w, x, top))
                if let z = atLower { m.add(z + w <= 1) }
            }
        }

        /// Follower `i`'s KKT system, its valid rows and cuts, and its share of the leader's profit.
        mutating func follower(_ i: Int, _ f: PricingFollower, charge pc: [Variable], discharge pd: [Variable]) {
            dual = LinearExpression()
            gridBill = LinearExpression()
            let (lambda, mu) = duals(f)
            var c: [Variable] = [], d: [Variable] = [], e: [Variable] = []
            for t in 0..<T {
                let x = period(f, t, lambda: lambda[t], mu: mu[t], chargePrice: pc[t], dischargePrice: pd[t], energyBefore: e.last)
                c.append(x.charge); d.append(x.discharge); e.append(x.energy)
            }
            energyStationarity(f, energy: e, mu: mu)
            if spec.mccormick { mccormick(f.id, charge: c, discharge: d, chargePrice: pc, dischargePrice: pd) }
            followerCuts(i, f, charge: c, discharge: d)
            h.c.append(c); h.d.append(d); h.e.append(e)
        }

        /// The duals of the balance (`λ_t`, exactly the tariff range where the connection cannot bind, the tariff
        /// itself where the net load forces import or export) and of the energy balance (`μ_t`).
        mutating func duals(_ f: PricingFollower) -> (lambda: [Variable], mu: [Variable]) {
            var lambda: [Variable] = [], mu: [Variable] = []
            for t in 0..<T {
                let ip = P.importPrice[t], ep = P.exportPrice[t]
                let (importFree, exportFree, withCurtail) = spec.reductions(f, t)
                let exact = importFree && exportFree && !withCurtail
                let slackM = exact ? 0 : dt * energyDual
                h.bigM.balanceDual = max(h.bigM.balanceDual, slackM)
                lambda.append(
                    m.addVariable(
                        lower: dt * min(ep, 0) - slackM, upper: dt * max(ip, ep, 0) + slackM,
                        name: "\(f.id)_meter_dual_\(t)"))
                if exact { m.setBounds(lambda[t], lower: dt * ep, upper: dt * ip) }
                let net = f.loadKW[t] - f.pvKW[t]
                if exact && net > f.powerKW + tiny { m.setBounds(lambda[t], lower: dt * ip, upper: dt * ip) }
                if exact && -net > f.powerKW + tiny { m.setBounds(lambda[t], lower: dt * ep, upper: dt * ep) }
                mu.append(m.addVariable(lower: -energyDual, upper: energyDual, name: "\(f.id)_energy_dual_\(t)"))
            }
            return (lambda, mu)
        }

        /// Period `t` of a follower: its columns, primal rows (balance, energy), and the reduced costs and
        /// complementarity of import, export, curtailment, charge and discharge.
        mutating func period(
            _ f: PricingFollower, _ t: Int, lambda: Variable, mu: Variable, chargePrice: Variable,
            dischargePrice: Variable, energyBefore: Variable?
        ) -> (charge: Variable, discharge: Variable, energy: Variable) {
            let name = f.id
            let ip = P.importPrice[t], ep = P.exportPrice[t]
            let (lo, hi) = P.energyBounds(f, t)
            let (importFree, exportFree, withCurtail) = spec.reductions(f, t)
            let gi = m.addVariable(upper: importFree ? f.loadKW[t] + f.powerKW : f.connectionKW, name: "\(name)_import_\(t)")
            let ge = m.addVariable(upper: exportFree ? f.pvKW[t] + f.powerKW : f.connectionKW, name: "\(name)_export_\(t)")
            let cu = withCurtail ? m.addVariable(upper: f.pvKW[t], name: "\(name)_curtail_\(t)") : nil
            let c = m.addVariable(upper: f.powerKW, name: "\(name)_charge_\(t)")
            let d = m.addVariable(upper: f.powerKW, name: "\(name)_discharge_\(t)")
            let e = m.addVariable(lower: lo, upper: hi, name: "\(name)_energy_\(t)")
            gridBill.add(dt * ip, gi)
            gridBill.add(-dt * ep, ge)
            var balance = gi - ge + d - c
            if let cu { balance.add(-1, cu) }
            let net = f.loadKW[t] - f.pvKW[t]
            m.add(balance == net, name: "\(name)_balance_\(t)")
            dual.add(net, lambda)
            var soc = LinearExpression(e)
            if let before = energyBefore { soc.add(-1, before) }
            soc.add(-dt * etaC, c)
            soc.add(dt / etaD, d)
            let initial = t == 0 ? P.storage.initialSoC * f.capacityKWh : 0
            m.add(soc == initial, name: "\(name)_energy_\(t)")
            if initial != 0 { dual.add(initial, mu) }
            complement(
                gi, lower: 0, upper: importFree ? nil : f.connectionKW, xmax: f.loadKW[t] + f.powerKW,
                r: LinearExpression(constant: dt * ip) - lambda, "\(name)_import_\(t)",
                positive: net - f.powerKW > tiny)
            complement(
                ge, lower: 0, upper: exportFree ? nil : f.connectionKW, xmax: f.pvKW[t] + f.powerKW,
                r: LinearExpression(constant: -dt * ep) + lambda, "\(name)_export_\(t)",
                positive: cu == nil && -net - f.powerKW > tiny)
            if let cu {
                complement(cu, lower: 0, upper: f.pvKW[t], xmax: f.pvKW[t], r: LinearExpression(lambda), "\(name)_curtail_\(t)")
            }
            var rc = dt * chargePrice + lambda
            rc.add(dt * etaC, mu)
            complement(c, lower: 0, upper: f.powerKW, xmax: f.powerKW, r: rc, "\(name)_charge_\(t)")
            var rd = dt * dischargePrice - lambda
            rd.add(-dt / etaD, mu)
            complement(d, lower: 0, upper: f.powerKW, xmax: f.powerKW, r: rd, "\(name)_discharge_\(t)")
            return (c, d, e)
        }

        /// Stationarity and complementarity of the state of charge (`r_t = μ_{t+1} - μ_t`); a fixed column's free
        /// multiplier is `r` itself.
        mutating func energyStationarity(_ f: PricingFollower, energy e: [Variable], mu: [Variable]) {
            for t in 0..<T {
                let (lo, hi) = P.energyBounds(f, t)
                var re = -mu[t]
                if t + 1 < T { re.add(1, mu[t + 1]) }
                if hi - lo > tiny {
                    complement(e[t], lower: lo, upper: hi, xmax: hi, r: re, "\(f.id)_energy_\(t)")
                } else {
                    dual.add(re, scale: lo)
                }
            }
        }

        /// Valid rows: the revenue Σ dt (pc c + pd d), which strong duality gives as `dual - gridBill`, is also the
        /// sum of the products `v = p x`, each held within its McCormick envelope over the bounds of p and x. The
        /// envelope is exact wherever x sits at a bound, which is where the complementarity binaries put it, so
        /// the search prunes nodes that its big-M rows alone keep open (the benchmark's N = 5 is proven within 60 s
        /// with them and was open after 60 s without; see the README).
        mutating func mccormick(
            _ name: String, charge c: [Variable], discharge d: [Variable], chargePrice pc: [Variable],
            dischargePrice pd: [Variable]
        ) {
            var revenue = LinearExpression()
            for t in 0..<T {
                for (p, x) in [(pc[t], c[t]), (pd[t], d[t])] {
                    let pL = m.columnLower[p.index], pU = m.columnUpper[p.index]
                    let xL = m.columnLower[x.index], xU = m.columnUpper[x.index]
                    if xU - xL <= tiny { revenue.add(dt * xL, p); continue }
                    let v = m.addVariable(
                        lower: min(pL * xL, pU * xL), upper: max(pU * xU, pL * xU),
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

        /// The leader's profit from follower `i` (revenue by strong duality minus the operating cost) and two
        /// valid cuts: the follower's optimal bill is at most its bill with the partition idle (when idling is
        /// feasible), and the leader earns from it at most what personalized prices would earn.
        mutating func followerCuts(_ i: Int, _ f: PricingFollower, charge c: [Variable], discharge d: [Variable]) {
            var own = dual - gridBill
            for t in 0..<T { own.add(-dt * P.operatorCostPerKWh, c[t]); own.add(-dt * P.operatorCostPerKWh, d[t]) }
            if let idle = spec.idleBills[i] { m.add(dual <= idle, name: "\(f.id)_no_worse_than_idle") }
            if let cap = spec.profitCaps[i] { m.add(own <= cap, name: "\(f.id)_personalized_cap") }
            profit.add(own, scale: spec.weights[i] ?? 1)
            owns[i] = own
        }

        /// Valid cuts: uniform prices earn from two followers together at most the best bound of the two-follower
        /// uniform problem.
        mutating func pairCuts() {
            for (i, j, cap) in spec.pairCaps {
                guard let a = owns[i], let b = owns[j] else { continue }
                m.add(a + b <= cap, name: "pair_cap_\(i)_\(j)")
            }
        }
    }
}
