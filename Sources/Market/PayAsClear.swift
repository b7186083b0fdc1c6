/// Uniform-price double auction (pay-as-clear) with the k-pricing rule: the welfare-maximizing merit-order
/// allocation, and one price for everyone in the period,
/// `p = k * hi + (1 - k) * lo`, where `[lo, hi]` is the interval of prices that clear the market: `lo` the higher of
/// the last accepted ask and the first rejected bid, `hi` the lower of the last accepted bid and the first
/// rejected ask. k = 0.5 (the default) splits the marginal surplus evenly; k = 1 favours sellers, k = 0 buyers.
/// Budget balance is exact; no bidder pays more than its bid or receives less than its ask.
public struct PayAsClear: ClearingMechanism {
    public var k: Double
    public var name: String { MechanismName.payAsClear.rawValue }

    public init(k: Double = 0.5) { self.k = k }

    public func clear(_ bids: PeriodBids) throws -> PeriodClearing {
        let buys = bids.buys, sells = bids.sells
        let match = meritOrderMatch(
            buys: buys.map(\.bid.quantity), buyPrices: buys.map(\.bid.price),
            sells: sells.map(\.bid.quantity), sellPrices: sells.map(\.bid.price))
        guard let last = match.last else { return PeriodClearing() }
        let kb = last.b, ks = last.s
        var lo = sells[ks].bid.price, hi = buys[kb].bid.price
        if kb + 1 < buys.count { lo = max(lo, buys[kb + 1].bid.price) }
        if ks + 1 < sells.count { hi = min(hi, sells[ks + 1].bid.price) }
        let price = k * hi + (1 - k) * lo
        let trades = match.map { m in
            Trade(
                buyer: buys[m.b].bid.bidder, seller: sells[m.s].bid.bidder, period: bids.period, quantity: m.q,
                buyerPrice: price, sellerPrice: price, buyBid: buys[m.b].index, sellBid: sells[m.s].index)
        }
        return PeriodClearing(trades: trades, price: price)
    }
}

/// Pay-as-bid (discriminatory) double auction: the same merit-order allocation as pay-as-clear, but every buyer pays
/// its own bid and every seller receives its own ask; the spread goes to the operator (weak budget balance).
public struct PayAsBid: ClearingMechanism {
    public var name: String { MechanismName.payAsBid.rawValue }

    public init() {}

    public func clear(_ bids: PeriodBids) throws -> PeriodClearing {
        let buys = bids.buys, sells = bids.sells
        let match = meritOrderMatch(
            buys: buys.map(\.bid.quantity), buyPrices: buys.map(\.bid.price),
            sells: sells.map(\.bid.quantity), sellPrices: sells.map(\.bid.price))
        let trades = match.map { m in
            Trade(
                buyer: buys[m.b].bid.bidder, seller: sells[m.s].bid.bidder, period: bids.period, quantity: m.q,
                buyerPrice: buys[m.b].bid.price, sellerPrice: sells[m.s].bid.price,
                buyBid: buys[m.b].index, sellBid: sells[m.s].index)
        }
        return PeriodClearing(trades: trades)
    }
}
