/// A market-clearing rule for one period. Mechanisms see divisible bids only; ``Market`` makes indivisible bids
/// trade whole or not at all around them.
public protocol ClearingMechanism: Sendable {
    /// The name used on the command line and in outputs (`pay-as-clear`, `huang`, ...).
    var name: String { get }
    /// Clears one period. Every trade must pair a buy bid and a sell bid of `bids`, trade at most their
    /// quantities, and price so that the buyer pays at most its bid and the seller receives at least its ask.
    func clear(_ bids: PeriodBids) throws -> PeriodClearing
}

/// The mechanisms by name, for the command line.
public enum MechanismName: String, Sendable, CaseIterable {
    case payAsClear = "pay-as-clear"
    case payAsBid = "pay-as-bid"
    case huang
    case muda
    case bilateral
}

/// Walks buyers (best first) against sellers (best first) while the buyer's price reaches the seller's, each step
/// trading the smaller remaining quantity: the welfare-maximizing allocation of a single-period double auction
/// with divisible bids. Returns the matched pairs as (position in `buys`, position in `sells`, kWh).
func meritOrderMatch(buys: [Double], buyPrices: [Double], sells: [Double], sellPrices: [Double])
    -> [(b: Int, s: Int, q: Double)]
{
    var out: [(b: Int, s: Int, q: Double)] = []
    var i = 0, j = 0
    var rb = buys.first ?? 0, rs = sells.first ?? 0
    while i < buys.count, j < sells.count, buyPrices[i] >= sellPrices[j] {
        let q = min(rb, rs)
        if q > 0 { out.append((i, j, q)) }
        rb -= q
        rs -= q
        if rb <= 1e-12 * max(1, buys[i]) { i += 1; rb = i < buys.count ? buys[i] : 0 }
        if rs <= 1e-12 * max(1, sells[j]) { j += 1; rs = j < sells.count ? sells[j] : 0 }
    }
    return out
}

/// Pairs two lists of quantities in order (the n-th kWh of one side with the n-th kWh of the other): the trade
/// list of mechanisms that fix each bid's quantity first and pair afterwards.
func pairInOrder(_ a: [Double], _ b: [Double]) -> [(a: Int, b: Int, q: Double)] {
    var out: [(a: Int, b: Int, q: Double)] = []
    var i = 0, j = 0
    var ra = a.first ?? 0, rb = b.first ?? 0
    while i < a.count, j < b.count {
        if ra <= 1e-12 { i += 1; ra = i < a.count ? a[i] : 0; continue }
        if rb <= 1e-12 { j += 1; rb = j < b.count ? b[j] : 0; continue }
        let q = min(ra, rb)
        out.append((i, j, q))
        ra -= q
        rb -= q
    }
    return out
}
