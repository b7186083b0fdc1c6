import LinearProgramming
import Optimize

/// Derives every prosumer's bids from its own optimization: its marginal value of energy per period.
///
/// For a ladder of `steps` prices strictly between the export and the import tariff of each period,
/// `price_k = export + (import - export) * k / (steps + 1)`, the prosumer re-solves its own problem (battery,
/// flexible loads and meter rule included) as if it could buy and sell at `price_k` in every period; its net
/// position `x_t(k)` (kWh, + buys) is what it wants at that price. Positions are made non-increasing in price
/// (a running minimum), and each change becomes a step: at price `price_k` it bids to buy
/// `max(0, x(k)) - max(0, x(k+1))` (the last step keeps all of `max(0, x(steps))`) and to sell
/// `max(0, -x(k)) - max(0, -x(k-1))`. Above the import tariff it buys from the grid, below the export tariff it
/// sells to it, so no bid leaves that band.
public struct BidDerivation {
    public var solver: any LinearSolver
    public var steps: Int
    public var options: SolverOptions

    public init(solver: any LinearSolver, steps: Int = 5, options: SolverOptions = SolverOptions(relativeGap: 1e-6)) {
        self.solver = solver
        self.steps = steps
        self.options = options
    }

    /// The bids of every prosumer of `community`, in prosumer then period then price order.
    /// `progress` is called after each prosumer with (done, total).
    public func bids(for community: Community, progress: ((Int, Int) -> Void)? = nil) throws -> BidBook {
        guard steps >= 1, steps <= 50 else { throw MarketError.badInput("--steps is \(steps); it must be 1 to 50") }
        let T = community.periods
        let scheduler = CommunityScheduler(solver: solver, options: options, standalone: false)
        var bids: [Bid] = []
        for i in community.prosumers.indices {
            let problem = ProsumerProblem(community: community, index: i, scheduler: scheduler)
            var positions: [[Double]] = []  // [k][t]
            for k in 1...steps {
                let price = ladder(community, k)
                positions.append(try problem.solve(importPrice: price, exportPrice: price).net)
            }
            for t in 0..<T {
                var x = positions.map { $0[t] }
                for k in 1..<x.count { x[k] = min(x[k], x[k - 1]) }
                bids += curve(x, prosumer: community.prosumers[i].id, period: t, prices: (1...steps).map { ladder(community, $0)[t] })
            }
            progress?(i + 1, community.prosumers.count)
        }
        return try BidBook(bids: bids, periods: T)
    }

    /// The ladder's k-th price per period.
    func ladder(_ c: Community, _ k: Int) -> [Double] {
        zip(c.grid.importPrice, c.grid.exportPrice).map { imp, exp in exp + (imp - exp) * Double(k) / Double(steps + 1) }
    }

    /// The buy and sell steps of one period from the non-increasing positions `x` at ascending `prices`.
    func curve(_ x: [Double], prosumer: String, period: Int, prices: [Double]) -> [Bid] {
        var out: [Bid] = []
        let tiny = 1e-6
        for k in x.indices {
            let buy = max(0, x[k]) - (k + 1 < x.count ? max(0, x[k + 1]) : 0)
            if buy > tiny {
                out.append(Bid(bidder: prosumer, period: period, side: .buy, quantity: buy, price: prices[k]))
            }
            let sell = max(0, -x[k]) - (k > 0 ? max(0, -x[k - 1]) : 0)
            if sell > tiny {
                out.append(Bid(bidder: prosumer, period: period, side: .sell, quantity: sell, price: prices[k]))
            }
        }
        return out
    }
}
