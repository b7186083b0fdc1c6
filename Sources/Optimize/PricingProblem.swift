import DataIO
import LinearProgramming

/// Why a pricing problem cannot be set up or answered: bad input (a missing section, prices of the wrong shape;
/// exit 2), or a prosumer with no feasible answer of its own (infeasible, exit 3).
public struct PricingInputError: PeerGridError, Sendable {
    /// JSON path of the offending field.
    public var path: String
    public var message: String
    public var kind: FailureKind = .badInput
    public var description: String { "\(path): \(message)" }
}

/// One follower of spec/pricing.md: a prosumer and its partition of the shared storage.
public struct PricingFollower: Sendable {
    public var id: String
    public var loadKW: [Double]
    public var pvKW: [Double]
    public var connectionKW: Double
    /// The prosumer's partition of the shared storage.
    public var capacityKWh: Double
    public var powerKW: Double

    /// Whether the partition can hold or move energy at all.
    public var hasStorage: Bool { capacityKWh > 0 && powerKW > 0 }
}

/// Prices per period, for one follower or for everyone (uniform mode).
public struct PricePath: Sendable, Equatable {
    public var charge: [Double]
    public var discharge: [Double]

    public init(charge: [Double], discharge: [Double]) {
        self.charge = charge
        self.discharge = discharge
    }

    /// The same price pair in every period.
    public static func constant(charge: Double, discharge: Double, periods: Int) -> PricePath {
        PricePath(charge: Array(repeating: charge, count: periods), discharge: Array(repeating: discharge, count: periods))
    }
}

/// A finite set of allowed prices (for the brute-force cross-check): every period's charge price is one of
/// `charge`, every discharge price one of `discharge`.
public struct PriceGrid: Sendable {
    public var charge: [Double]
    public var discharge: [Double]

    public init(charge: [Double], discharge: [Double]) {
        self.charge = charge
        self.discharge = discharge
    }
}

/// The data of the Stackelberg pricing game of spec/pricing.md: tariffs, the shared storage's physics, price caps
/// and the followers with their partitions.
public struct PricingProblem: Sendable {
    public var name: String
    public var periods: Int
    public var hoursPerPeriod: Double
    public var importPrice: [Double]
    public var exportPrice: [Double]
    /// The shared storage (efficiencies and state-of-charge fractions apply to every partition).
    public var storage: Storage
    public var mode: PricingSettings.Mode
    public var maxChargePrice: Double
    public var maxDischargePrice: Double
    public var operatorCostPerKWh: Double
    public var followers: [PricingFollower]

    /// The pricing problem of a community file's `pricing` section. `mode` overrides the file's mode.
    /// Throws ``PricingInputError`` when the file has no `pricing` section or no shared storage, or when an import
    /// price is negative.
    public init(community c: Community, mode: PricingSettings.Mode? = nil) throws {
        guard let settings = c.pricing else {
            throw PricingInputError(path: "pricing", message: "the community file has no pricing section (spec/pricing.md)")
        }
        guard let shared = c.sharedStorage else {
            throw PricingInputError(path: "shared_storage", message: "pricing needs a shared storage, but shared_storage is missing")
        }
        if let t = c.grid.importPrice.firstIndex(where: { $0 < 0 }) {
            // The KKT reformulation bounds every follower's duals with the largest import price, a bound that a
            // negative price breaks; the schedule supports negative prices, pricing does not yet.
            throw PricingInputError(
                path: "grid.import_price[\(t)]",
                message:
                    "is \(c.grid.importPrice[t]); pricing needs import prices >= 0 (its bounds on the followers' duals assume them); `peergrid schedule` supports negative prices"
            )
        }
        name = c.name
        periods = c.periods
        hoursPerPeriod = c.hoursPerPeriod
        importPrice = c.grid.importPrice
        exportPrice = c.grid.exportPrice
        storage = shared
        self.mode = mode ?? settings.mode
        maxChargePrice = settings.maxChargePrice
        maxDischargePrice = settings.maxDischargePrice
        operatorCostPerKWh = settings.operatorCostPerKWh
        let n = Double(c.prosumers.count)
        followers = c.prosumers.map { p in
            let part =
                settings.partitions.map { $0[p.id] ?? (capacityKWh: 0, powerKW: 0) }
                ?? (capacityKWh: shared.capacityKWh / n, powerKW: shared.powerKW / n)
            return PricingFollower(
                id: p.id, loadKW: p.loadKW, pvKW: p.pvKW, connectionKW: p.connectionKW,
                capacityKWh: part.capacityKWh, powerKW: part.powerKW)
        }
    }

    /// Lower and upper bound of the partition's energy in period `t` (the final period includes `final_min_soc`).
    func energyBounds(_ f: PricingFollower, _ t: Int) -> (lower: Double, upper: Double) {
        let lower = (t == periods - 1 ? max(storage.minSoC, storage.finalMinSoC) : storage.minSoC) * f.capacityKWh
        return (lower, storage.maxSoC * f.capacityKWh)
    }

    /// The leader's profit from one follower's answer.
    func profit(_ prices: PricePath, charge c: [Double], discharge d: [Double]) -> Double {
        let k = operatorCostPerKWh
        var sum = 0.0
        for t in 0..<periods { sum += hoursPerPeriod * ((prices.charge[t] - k) * c[t] + (prices.discharge[t] - k) * d[t]) }
        return sum
    }
}

/// A follower's answer to given prices.
public struct FollowerAnswer: Sendable {
    /// The follower's bill (its objective): grid energy plus what it pays the storage operator.
    public var bill: Double
    /// Charge and discharge power per period (kW).
    public var charge: [Double]
    public var discharge: [Double]
    /// The leader's profit from this answer.
    public var profit: Double
}

/// The follower linear program of spec/pricing.md, solved on its own: for the check after every MILP solve, for
/// the bills without storage and for grid searches over prices.
public struct FollowerProblem: Sendable {
    public let problem: PricingProblem
    public let follower: PricingFollower

    public init(problem: PricingProblem, follower: PricingFollower) {
        self.problem = problem
        self.follower = follower
    }

    struct Columns {
        var gi: [Variable] = [], ge: [Variable] = [], cu: [Variable] = []
        var c: [Variable] = [], d: [Variable] = [], e: [Variable] = []
        var bill = LinearExpression()
        var profit = LinearExpression()
    }

    /// The follower's feasible set with its bill and the leader's profit as expressions. Without storage (or
    /// `withStorage == false`) there are no charge, discharge and energy columns.
    func build(prices: PricePath, withStorage: Bool) -> (Model, Columns) {
        let P = problem, f = follower, T = P.periods, dt = P.hoursPerPeriod
        var m = Model(name: "follower_\(f.id)")
        var v = Columns()
        let storage = withStorage && f.hasStorage
        for t in 0..<T {
            v.gi.append(m.addVariable(upper: f.connectionKW, name: "import_\(t)"))
            v.ge.append(m.addVariable(upper: f.connectionKW, name: "export_\(t)"))
            v.cu.append(m.addVariable(upper: f.pvKW[t], name: "curtail_\(t)"))
            v.bill.add(dt * P.importPrice[t], v.gi[t])
            v.bill.add(-dt * P.exportPrice[t], v.ge[t])
            if storage {
                let (lo, hi) = P.energyBounds(f, t)
                v.c.append(m.addVariable(upper: f.powerKW, name: "charge_\(t)"))
                v.d.append(m.addVariable(upper: f.powerKW, name: "discharge_\(t)"))
                v.e.append(m.addVariable(lower: lo, upper: hi, name: "energy_\(t)"))
                v.bill.add(dt * prices.charge[t], v.c[t])
                v.bill.add(dt * prices.discharge[t], v.d[t])
                v.profit.add(dt * (prices.charge[t] - P.operatorCostPerKWh), v.c[t])
                v.profit.add(dt * (prices.discharge[t] - P.operatorCostPerKWh), v.d[t])
            }
            // pv - cu + gi + d = load + ge + c
            var balance = v.gi[t] - v.ge[t] - v.cu[t]
            if storage { balance.add(1, v.d[t]); balance.add(-1, v.c[t]) }
            m.add(balance == f.loadKW[t] - f.pvKW[t], name: "balance_\(t)")
            if storage {
                var soc = LinearExpression(v.e[t])
                if t > 0 { soc.add(-1, v.e[t - 1]) }
                soc.add(-dt * P.storage.chargeEfficiency, v.c[t])
                soc.add(dt / P.storage.dischargeEfficiency, v.d[t])
                m.add(soc == (t == 0 ? P.storage.initialSoC * f.capacityKWh : 0), name: "energy_\(t)")
            }
        }
        return (m, v)
    }

    /// The follower's optimal answer to `prices`; among its optimal answers, the one best for the leader
    /// (the optimistic convention): minimize the bill, then maximize the leader's profit with the bill held at
    /// its minimum (within `1e-8` relative). `nil` when the follower's program has no solution.
    public func answer(
        _ prices: PricePath, withStorage: Bool = true, solver: any LinearSolver,
        options: SolverOptions = SolverOptions()
    ) throws -> FollowerAnswer? {
        var (m, v) = build(prices: prices, withStorage: withStorage)
        m.setObjective(v.bill, sense: .minimize)
        let first = try solver.solve(m, options: options)
        guard first.status == .optimal, let bill = first.objective else { return nil }
        var values = first.values
        if !v.c.isEmpty {
            m.add(v.bill <= bill + 1e-8 * max(1, abs(bill)), name: "optimal_bill")
            m.setObjective(v.profit, sense: .maximize)
            let second = try solver.solve(m, options: options)
            if second.status == .optimal { values = second.values }
        }
        let c = v.c.map { values[$0.index] }, d = v.d.map { values[$0.index] }
        let zeros = [Double](repeating: 0, count: problem.periods)
        return FollowerAnswer(
            bill: v.bill.evaluate(values), charge: c.isEmpty ? zeros : c,
            discharge: d.isEmpty ? zeros : d,
            profit: c.isEmpty ? 0 : problem.profit(prices, charge: c, discharge: d))
    }
}
