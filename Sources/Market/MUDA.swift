import DataIO

/// MUDA, Segal-Halevi, Hassidim and Aumann (2018), "MUDA: a truthful multi-unit double-auction mechanism", in
/// its Vickrey variant: the bidders of a period are split at random into a left and a right half; each half's
/// competitive price is computed, and each half trades at the *other* half's price, so that no bidder's report
/// moves the price it trades at. On the long side of each half, bids trade best first and every bidder that
/// trades there pays a fee equal to the gains it displaces from the other bidders (the Vickrey fee), which makes
/// over-bidding for priority unprofitable. Prices, rationing and fees follow pymarket 0.7.6's `muda` step by step.
///
/// The split is deterministic for a seed: each bidder draws one uniform number from a ``SeededGenerator`` seeded
/// by (seed, period), in order of bidder id, and goes left when it is above 0.5.
public struct MUDA: ClearingMechanism {
    public var seed: UInt64
    public var name: String { MechanismName.muda.rawValue }

    public init(seed: UInt64 = 1) { self.seed = seed }

    /// The left-half membership of each bidder of `bids` (by id) for this seed and period.
    public func split(_ bids: PeriodBids) -> [String: Bool] {
        let ids = Set(bids.buys.map(\.bid.bidder) + bids.sells.map(\.bid.bidder)).sorted()
        var rng = SeededGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(truncatingIfNeeded: bids.period))
        var left: [String: Bool] = [:]
        for id in ids { left[id] = rng.uniform(0, 1) > 0.5 }
        return left
    }

    public func clear(_ bids: PeriodBids) throws -> PeriodClearing {
        let left = split(bids)
        func half(_ isLeft: Bool) -> PeriodBids {
            var h = bids
            h.buys = bids.buys.filter { left[$0.bid.bidder] == isLeft }
            h.sells = bids.sells.filter { left[$0.bid.bidder] == isLeft }
            return h
        }
        let l = half(true), r = half(false)
        let priceLeft = competitivePrice(l), priceRight = competitivePrice(r)
        var out = PeriodClearing()
        for (side, price) in [(l, priceRight), (r, priceLeft)] {
            let cleared = clearAtPrice(side, price: price)
            out.trades += cleared.trades
            for (id, fee) in cleared.fees { out.fees[id] = fee }
        }
        return out
    }

    /// The half's own competitive price (pymarket's `find_competitive_price`); +inf for a half without bids.
    func competitivePrice(_ h: PeriodBids) -> Double {
        intersectStepwise(StepCurve.demand(h.buys.map(\.bid)), StepCurve.supply(h.sells.map(\.bid))).price
    }

    /// One row of a side of the market: a bid, or part of a bid split at the marginal quantity.
    struct Row {
        var position: Int
        var bidder: String
        var quantity: Double
        var price: Double
    }

    /// Clears one half at an outside price (pymarket's `solve_market_side_with_exogenous_price`): every bid
    /// willing at `price` joins; the short side trades all, the long side best first up to the short side's
    /// quantity, and its trading bidders pay Vickrey fees.
    func clearAtPrice(_ h: PeriodBids, price: Double) -> PeriodClearing {
        guard !h.buys.isEmpty, !h.sells.isEmpty else { return PeriodClearing() }
        let demand = h.buys.enumerated().filter { $0.element.bid.price >= price }
        let supply = h.sells.enumerated().filter { $0.element.bid.price <= price }
        let dq = demand.reduce(0) { $0 + $1.element.bid.quantity }
        let sq = supply.reduce(0) { $0 + $1.element.bid.quantity }
        let total = min(dq, sq)
        guard total > 0 else { return PeriodClearing() }
        func rows(_ s: [(offset: Int, element: (index: Int, bid: Bid))]) -> [Row] {
            s.map { Row(position: $0.offset, bidder: $0.element.bid.bidder, quantity: $0.element.bid.quantity, price: $0.element.bid.price) }
        }
        let supplyLong = sq > dq
        let (longRows, longLast) = tradingRows(rows(supplyLong ? supply : demand), total: total)
        var fees: [String: Double] = [:]
        for u in Set(longRows[...longLast].map(\.bidder)).sorted() {
            fees[u] = vickreyFee(longRows, last: longLast, bidder: u, total: total, price: price)
        }
        let longQ = longRows[...longLast].map(\.quantity)
        let longPos = longRows[...longLast].map(\.position)
        let shortSide = supplyLong ? demand : supply
        let shortQ = shortSide.map(\.element.bid.quantity)
        let (bq, bp, sqs, sp) =
            supplyLong
            ? (shortQ, shortSide.map(\.offset), longQ, longPos)
            : (longQ, longPos, shortQ, shortSide.map(\.offset))
        let trades = pairInOrder(bq, sqs).map { m -> Trade in
            let b = h.buys[bp[m.a]], s = h.sells[sp[m.b]]
            return Trade(
                buyer: b.bid.bidder, seller: s.bid.bidder, period: h.period, quantity: m.q,
                buyerPrice: price, sellerPrice: price, buyBid: b.index, sellBid: s.index)
        }
        return PeriodClearing(trades: trades, fees: fees.filter { $0.value > 0 })
    }

    /// The long side's rows with the marginal bid split at `total` (pymarket's `get_trading_bids`), and the
    /// position of the last trading row.
    func tradingRows(_ side: [Row], total: Double) -> ([Row], Int) {
        var cumulative = 0.0
        var last = side.count - 1
        if side.reduce(0, { $0 + $1.quantity }) > total {
            for (i, r) in side.enumerated() {
                cumulative += r.quantity
                if cumulative >= total { last = i; break }
            }
        }
        let before = side[..<last].reduce(0) { $0 + $1.quantity }
        let diff = total - before
        guard diff < side[last].quantity else { return (side, last) }
        var out = Array(side[..<last])
        var head = side[last], tail = side[last]
        head.quantity = diff
        tail.quantity -= diff
        out.append(head)
        out.append(tail)
        out += side[(last + 1)...]
        return (out, last)
    }

    /// The gains that `bidder`'s trades displace on its side: what the next bids in line would have gained at
    /// `price` had it not bid (pymarket's `compute_fee`).
    func vickreyFee(_ rows: [Row], last: Int, bidder: String, total: Double, price: Double) -> Double {
        let others = rows.enumerated().filter { $0.element.bidder != bidder }
        guard !others.isEmpty else { return 0 }
        var newIndex = others.count - 1
        if others.reduce(0, { $0 + $1.element.quantity }) > total {
            var c = 0.0
            for (i, o) in others.enumerated() {
                c += o.element.quantity
                if c >= total { newIndex = i; break }
            }
        }
        var winning = Array(others[...newIndex])
        let diff = total - winning.dropLast().reduce(0) { $0 + $1.element.quantity }
        if diff < winning[newIndex].element.quantity { winning[newIndex].element.quantity = diff }
        let fee = winning.filter { $0.offset > last }.reduce(0) { $0 + ($1.element.price - price) * $1.element.quantity }
        return abs(fee)
    }
}
