import LinearProgramming
import Optimize

/// A prosumer's bill three ways, so that a user sees who gains under which arrangement.
public struct ProsumerBill: Sendable, Equatable {
    public var id: String
    /// Alone: its own optimal schedule at the grid tariffs.
    public var standalone: Double
    /// In the community pool at the mid-market price (the central schedule's settlement); `nil` when not computed.
    public var pool: Double?
    /// With the market: its market payments (+ pays) plus the cost of its own optimal schedule at the grid tariffs
    /// for everything the market did not trade.
    public var market: Double
    /// The market payments alone (energy bought minus sold, fees included).
    public var marketPayments: Double
}

/// Settles a cleared market against the grid: what is not traded in the market goes to the grid at its tariffs.
///
/// Energy a prosumer bought in period t is added to its supply (as average power) and energy it sold to its demand;
/// it then re-solves its own problem at the grid tariffs (batteries and flexible loads re-planned around its
/// trades) and pays that cost plus its market payments. Its stand-alone bill is the same problem without trades;
/// its pool bill comes from the central community schedule (spec/community.md's settlement).
public struct MarketSettlement {
    public var solver: any LinearSolver
    public var options: SolverOptions

    /// Wall-clock limit for the central schedule behind ``poolBills(_:)`` (solved to `options`' gap, 1e-6 by
    /// default, which a hard community may not prove in minutes); `nil`: none. A schedule found by then is used.
    public var poolTimeLimit: Double?

    public init(solver: any LinearSolver, options: SolverOptions = SolverOptions(relativeGap: 1e-6)) {
        self.solver = solver
        self.options = options
    }

    /// The central schedule's bills at the pool price, by id. When the schedule has none, the bills are empty and
    /// `missing` says why: an infeasible community (with its diagnosis), or a solver stopped without a schedule.
    /// `unproven` says when the schedule is one stopped at ``poolTimeLimit`` before its gap was proven.
    public func poolBills(_ community: Community) throws -> (bills: [String: Double], missing: String?, unproven: String?) {
        var opts = options
        opts.timeLimit = poolTimeLimit
        let central = try CommunityScheduler(solver: solver, options: opts, standalone: false).schedule(community)
        guard let settlement = central.settlement else {
            let why = central.diagnosis?.sentence ?? central.message
            return ([:], "the central schedule is \(central.status.rawValue)\(why.isEmpty ? "" : " (\(why))")", nil)
        }
        let unproven =
            central.status == .optimal
            ? nil : String(format: "the central schedule stopped at the time limit at gap %.1e (asked: %.0e)", central.gap ?? .nan, opts.relativeGap)
        return (Dictionary(settlement.bills.map { ($0.id, $0.bill) }, uniquingKeysWith: { a, _ in a }), nil, unproven)
    }

    /// Every prosumer's own optimal cost at the grid tariffs, by id.
    public func standaloneCosts(_ community: Community) throws -> [String: Double] {
        let scheduler = CommunityScheduler(solver: solver, options: options, standalone: false)
        var out: [String: Double] = [:]
        for i in community.prosumers.indices {
            let problem = ProsumerProblem(community: community, index: i, scheduler: scheduler)
            out[community.prosumers[i].id] = try problem.solve(
                importPrice: community.grid.importPrice,
                exportPrice: community.grid.exportPrice
            ).cost
        }
        return out
    }

    /// Bills with the pool bills and stand-alone costs given (computed once for several mechanisms).
    public func bills(
        _ community: Community, _ result: MarketResult, pool: [String: Double]?,
        standalone: [String: Double]
    ) throws -> [ProsumerBill] {
        let T = community.periods, dt = community.hoursPerPeriod
        let scheduler = CommunityScheduler(solver: solver, options: options, standalone: false)
        let payments = Dictionary(result.payments.map { ($0.bidder, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [ProsumerBill] = []
        for (i, p) in community.prosumers.enumerated() {
            let problem = ProsumerProblem(community: community, index: i, scheduler: scheduler)
            let aloneCost =
                try standalone[p.id]
                ?? problem.solve(
                    importPrice: community.grid.importPrice,
                    exportPrice: community.grid.exportPrice
                ).cost
            var bought = [Double](repeating: 0, count: T), sold = bought
            for t in result.trades where t.period < T {
                if t.buyer == p.id { bought[t.period] += t.quantity / dt }
                if t.seller == p.id { sold[t.period] += t.quantity / dt }
            }
            let paid = payments[p.id]?.net ?? 0
            var market = aloneCost
            if bought.contains(where: { $0 > 0 }) || sold.contains(where: { $0 > 0 }) {
                market = try problem.solve(
                    importPrice: community.grid.importPrice, exportPrice: community.grid.exportPrice,
                    extraSupplyKW: bought, extraDemandKW: sold
                ).cost
            }
            out.append(
                ProsumerBill(
                    id: p.id, standalone: aloneCost, pool: pool?[p.id], market: market + paid,
                    marketPayments: paid))
        }
        return out
    }
}
