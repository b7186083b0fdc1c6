import Foundation

/// Huang, Scheller-Wolf and Sycara (2002), "Design of a multi-unit double auction e-market": trade reduction.
/// The marginal buyer and the marginal seller at the intersection of the curves do not trade and set the prices:
/// the remaining buyers pay the marginal buyer's bid, the remaining sellers receive the marginal seller's ask, and
/// the long side's quantities are cut equally (smallest bids dropped first, the paper's footnote) to match the
/// short side. Truthful in price and budget balanced (the operator keeps the price gap times the volume).
/// Follows pymarket 0.7.6's `huang_auction` step by step, so both give the same trades and prices.
public struct HuangAuction: ClearingMechanism {
    public var name: String { MechanismName.huang.rawValue }

    public init() {}

    public func clear(_ bids: PeriodBids) throws -> PeriodClearing {
        let buys = bids.buys, sells = bids.sells
        let cross = intersectStepwise(StepCurve.demand(buys.map(\.bid)), StepCurve.supply(sells.map(\.bid)))
        guard let nb = cross.fIndex, let ns = cross.gIndex, nb > 0, ns > 0, nb < buys.count, ns < sells.count
        else { return PeriodClearing() }
        let priceBuy = buys[nb].bid.price, priceSell = sells[ns].bid.price
        guard priceBuy >= priceSell else { return PeriodClearing() }
        var qb = buys[..<nb].map(\.bid.quantity), qs = sells[..<ns].map(\.bid.quantity)
        let gap = qs.reduce(0, +) - qb.reduce(0, +)
        if gap > 0 { qs = reduceLongSide(qs, gap: gap) } else { qb = reduceLongSide(qb, gap: -gap) }
        let trades = pairInOrder(qb, qs).map { m in
            Trade(
                buyer: buys[m.a].bid.bidder, seller: sells[m.b].bid.bidder, period: bids.period, quantity: m.q,
                buyerPrice: priceBuy, sellerPrice: priceSell, buyBid: buys[m.a].index, sellBid: sells[m.b].index)
        }
        return PeriodClearing(trades: trades, price: priceBuy)
    }
}

/// Cuts the long side's quantities by `gap` in total, equally, dropping bids smaller than their share first
/// (pymarket's `update_quantity`, the footnote on page 8 of Huang et al.).
func reduceLongSide(_ quantity: [Double], gap total: Double) -> [Double] {
    var q: [Double?] = quantity
    var gap = total, n = quantity.count
    while n > 0 {
        guard
            let (iMin, vMin) = q.enumerated().compactMap({ e in e.element.map { (e.offset, $0) } })
                .min(by: { $0.1 < $1.1 })
        else { break }
        if vMin < gap / Double(n) {
            q[iMin] = nil
            n -= 1
            gap -= vMin
        } else {
            break
        }
    }
    guard n > 0 else { return quantity.map { _ in 0 } }
    let share = gap / Double(n)
    let reduced = q.map { ($0 ?? 0) - share }
    let top = reduced.max() ?? 0
    return reduced.map { min(max($0, 0), top) }
}
