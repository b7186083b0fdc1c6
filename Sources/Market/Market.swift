import LinearProgramming

/// One bidder's account after clearing.
public struct BidderPayment: Sendable, Equatable {
    public var bidder: String
    public var boughtKWh = 0.0
    public var soldKWh = 0.0
    /// What it pays for energy bought.
    public var paid = 0.0
    /// What it receives for energy sold.
    public var received = 0.0
    /// Fees charged by the mechanism beyond the prices (MUDA).
    public var fees = 0.0
    /// `paid - received + fees`: positive means the bidder pays.
    public var net: Double { paid - received + fees }
}

/// One period's outcome, for reports.
public struct PeriodSummary: Sendable, Equatable {
    public var period: Int
    public var volume: Double
    /// Volume-weighted price buyers paid; `nil` when nothing traded.
    public var buyerPrice: Double?
    /// Volume-weighted price sellers received; `nil` when nothing traded.
    public var sellerPrice: Double?
}

/// A cleared market: trades, payments, the operator's surplus and welfare against the optimum.
public struct MarketResult: Sendable {
    public var mechanism: String
    public var trades: [Trade]
    public var payments: [BidderPayment]
    public var periods: [PeriodSummary]
    /// Payments in minus payments out, fees included (>= 0: weak budget balance).
    public var operatorSurplus: Double
    /// Gains from trade at the reported values: `sum q * (bid - ask)` over the trades.
    public var welfare: Double
    /// The welfare optimum on the same bids (an LP, or a MILP with indivisible bids); `nil` when not computed.
    public var welfareOptimum: Double?
    /// `welfare / welfareOptimum` (1 when the optimum is 0); `nil` when the optimum was not computed.
    public var welfareShare: Double? {
        guard let o = welfareOptimum else { return nil }
        return o > 1e-12 ? welfare / o : 1
    }
    /// Indivisible bids left out because the mechanism could fill them only in part (book indices).
    public var excludedIndivisible: [Int]
    public var seconds: Double
}

/// Clears a bid book with a mechanism, period by period.
public enum Market {
    /// Clears every period of `book` with `mechanism`. Indivisible bids trade whole or not at all: when the
    /// mechanism fills one in part, the least-filled such bid is left out and the period is cleared again.
    /// With `optimumSolver`, the welfare optimum on the same bids is computed as well (fees not counted).
    public static func clear(
        _ book: BidBook, mechanism: any ClearingMechanism,
        optimumSolver: (any LinearSolver)? = nil
    ) throws -> MarketResult {
        let clock = ContinuousClock.now
        var byPeriod = [[(index: Int, bid: Bid)]](repeating: [], count: book.periods)
        for (i, b) in book.bids.enumerated() { byPeriod[b.period].append((i, b)) }
        var trades: [Trade] = [], fees: [String: Double] = [:], excluded: [Int] = []
        var summaries: [PeriodSummary] = []
        for (t, bids) in byPeriod.enumerated() {
            let (c, out) = try clearPeriod(t, bids, mechanism)
            trades += c.trades
            excluded += out
            for (id, f) in c.fees { fees[id, default: 0] += f }
            let v = c.volume
            summaries.append(
                PeriodSummary(
                    period: t, volume: v,
                    buyerPrice: v > 0 ? c.trades.reduce(0) { $0 + $1.quantity * $1.buyerPrice } / v : nil,
                    sellerPrice: v > 0 ? c.trades.reduce(0) { $0 + $1.quantity * $1.sellerPrice } / v : nil))
        }
        var optimum: Double?
        if let optimumSolver {
            optimum = try byPeriod.enumerated().reduce(0.0) { total, e in
                total + (try welfareOptimum(PeriodBids(period: e.offset, bids: e.element), solver: optimumSolver))
            }
        }
        let payments = accounts(book, trades: trades, fees: fees)
        let surplus = payments.reduce(0) { $0 + $1.net }
        let welfare = trades.reduce(0) { $0 + $1.quantity * (book.bids[$1.buyBid].price - book.bids[$1.sellBid].price) }
        let elapsed = ContinuousClock.now - clock
        return MarketResult(
            mechanism: mechanism.name, trades: trades, payments: payments, periods: summaries,
            operatorSurplus: surplus, welfare: welfare, welfareOptimum: optimum,
            excludedIndivisible: excluded.sorted(),
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }

    /// One period, with indivisible bids made whole or left out.
    static func clearPeriod(_ t: Int, _ bids: [(index: Int, bid: Bid)], _ mechanism: any ClearingMechanism) throws
        -> (PeriodClearing, [Int])
    {
        var active = bids, excluded: [Int] = []
        while true {
            let c = try mechanism.clear(PeriodBids(period: t, bids: active))
            var fill: [Int: Double] = [:]
            for tr in c.trades {
                fill[tr.buyBid, default: 0] += tr.quantity
                fill[tr.sellBid, default: 0] += tr.quantity
            }
            let partial = active.filter { a in
                guard !a.bid.divisible, let f = fill[a.index] else { return false }
                return f > 0 && f < a.bid.quantity * (1 - 1e-9)
            }
            guard
                let worst = partial.min(by: { a, b in
                    let fa = fill[a.index]! / a.bid.quantity, fb = fill[b.index]! / b.bid.quantity
                    return (fa, a.bid.bidder, a.index) < (fb, b.bid.bidder, b.index)
                })
            else { return (c, excluded) }
            excluded.append(worst.index)
            active.removeAll { $0.index == worst.index }
        }
    }

    /// The most gains from trade the period's bids allow (an LP; a MILP when some bids are indivisible).
    public static func welfareOptimum(_ bids: PeriodBids, solver: any LinearSolver) throws -> Double {
        let pairs = profitablePairs(bids, fees: NetworkFees())
        guard !pairs.isEmpty else { return 0 }
        return try solveAllocation(bids, pairs: pairs, integerFor: { !$0.divisible }, solver: solver).objective
    }

    /// Every bidder's account, in order of first appearance in the book.
    static func accounts(_ book: BidBook, trades: [Trade], fees: [String: Double]) -> [BidderPayment] {
        var byId: [String: BidderPayment] = [:]
        for id in book.bidders { byId[id] = BidderPayment(bidder: id) }
        for t in trades {
            byId[t.buyer]?.boughtKWh += t.quantity
            byId[t.buyer]?.paid += t.quantity * t.buyerPrice
            byId[t.seller]?.soldKWh += t.quantity
            byId[t.seller]?.received += t.quantity * t.sellerPrice
        }
        for (id, f) in fees { byId[id]?.fees += f }
        return book.bidders.compactMap { byId[$0] }
    }

    /// The mechanism for a name; `k` for pay-as-clear, `seed` for MUDA, `fees` and `solver` for the bilateral market.
    public static func mechanism(
        _ name: MechanismName, k: Double = 0.5, seed: UInt64 = 1,
        fees: NetworkFees = NetworkFees(), solver: any LinearSolver
    ) -> any ClearingMechanism {
        switch name {
        case .payAsClear: return PayAsClear(k: k)
        case .payAsBid: return PayAsBid()
        case .huang: return HuangAuction()
        case .muda: return MUDA(seed: seed)
        case .bilateral: return BilateralMarket(fees: fees, solver: solver)
        }
    }
}
