import DataIO
import CbcSolver
import GLPKSolver
import LinearProgramming
@testable import Market
import Testing

/// Properties every mechanism must keep, each checked on 10,000 seeded random books per mechanism.
@Suite(.serialized) struct MarketPropertyTests {
    static let cases = 10_000
    static let tolerance = 1e-9

    static func mechanisms() -> [any ClearingMechanism] {
        [
            PayAsClear(), PayAsClear(k: 0), PayAsClear(k: 1), PayAsBid(), HuangAuction(), MUDA(seed: 7),
            BilateralMarket(fees: NetworkFees(defaultFee: 0.01), solver: GLPKSolver()),
            BilateralMarket(fees: NetworkFees(defaultFee: 0.01), solver: CbcSolver())
        ]
    }

    /// A key that does not depend on the order of the book.
    static func signature(_ r: MarketResult, _ book: BidBook) -> [String] {
        r.trades.map { t in
            let b = book.bids[t.buyBid], s = book.bids[t.sellBid]
            return "\(t.period) \(t.buyer)@\(b.price) \(t.seller)@\(s.price) \(t.quantity) \(t.buyerPrice) \(t.sellerPrice)"
        }.sorted()
    }

    @Test(arguments: 0..<8) func propertiesHold(mechanismIndex: Int) throws {
        let mechanism = Self.mechanisms()[mechanismIndex]
        var rng = SeededGenerator(seed: 2026 + UInt64(mechanismIndex))
        let cases = mechanismIndex == 7 ? Self.cases / 20 : Self.cases
        for n in 0..<cases {
            let book = RandomMarkets.book(&rng)
            let result = try Market.clear(book, mechanism: mechanism)
            try check(result, book, mechanism.name, case: n)
            // Determinism, ties included: the same bids in another order clear the same way.
            let shuffled = RandomMarkets.shuffled(book, &rng)
            let again = try Market.clear(shuffled, mechanism: mechanism)
            #expect(
                Self.signature(result, book) == Self.signature(again, shuffled),
                "\(mechanism.name) case \(n): clearing depends on the order of the bids")
        }
    }

    func check(_ r: MarketResult, _ book: BidBook, _ name: String, case n: Int) throws {
        let eps = Self.tolerance
        var fill = [Double](repeating: 0, count: book.bids.count)
        for t in r.trades {
            let b = book.bids[t.buyBid], s = book.bids[t.sellBid]
            #expect(b.side == .buy && s.side == .sell && b.period == t.period && s.period == t.period, "\(name) case \(n): a trade pairs the wrong bids")
            #expect(t.quantity > 0, "\(name) case \(n): empty trade")
            #expect(t.buyerPrice <= b.price + eps, "\(name) case \(n): \(t.buyer) pays \(t.buyerPrice) above its bid \(b.price)")
            #expect(t.sellerPrice >= s.price - eps, "\(name) case \(n): \(t.seller) receives \(t.sellerPrice) below its ask \(s.price)")
            #expect(t.buyerPrice >= t.sellerPrice - eps, "\(name) case \(n): the operator pays into a trade")
            fill[t.buyBid] += t.quantity
            fill[t.sellBid] += t.quantity
        }
        for (i, b) in book.bids.enumerated() {
            #expect(fill[i] <= b.quantity * (1 + eps) + eps, "\(name) case \(n): bid \(i) traded \(fill[i]) of \(b.quantity)")
            if !b.divisible {
                #expect(
                    fill[i] < eps || abs(fill[i] - b.quantity) <= 1e-7 * b.quantity,
                    "\(name) case \(n): indivisible bid \(i) traded \(fill[i]) of \(b.quantity)")
            }
        }
        // Energy balance per period: bought equals sold.
        for t in 0..<book.periods {
            let bought = r.trades.filter { $0.period == t }.reduce(0) { $0 + $1.quantity }
            #expect(abs(bought - r.periods[t].volume) <= eps * max(1, bought))
        }
        // Individual rationality with fees: nobody ends worse off than not bidding.
        for p in r.payments {
            let value = r.trades.reduce(0.0) { acc, t in
                var a = acc
                if t.buyer == p.bidder { a += t.quantity * book.bids[t.buyBid].price }
                if t.seller == p.bidder { a -= t.quantity * book.bids[t.sellBid].price }
                return a
            }
            #expect(value - p.net >= -1e-7, "\(name) case \(n): \(p.bidder) loses \(p.net - value) by taking part")
        }
        #expect(r.operatorSurplus >= -1e-7, "\(name) case \(n): budget deficit \(r.operatorSurplus)")
        if name == MechanismName.payAsClear.rawValue {
            #expect(abs(r.operatorSurplus) <= 1e-7, "\(name) case \(n): pay-as-clear is not budget balanced (\(r.operatorSurplus))")
        }
    }

    @Test func welfareNeverAboveTheOptimum() throws {
        var rng = SeededGenerator(seed: 99)
        let solver = GLPKSolver()
        for n in 0..<300 {
            let book = RandomMarkets.book(&rng)
            for m in Self.mechanisms() {
                let r = try Market.clear(book, mechanism: m, optimumSolver: solver)
                let optimum = try #require(r.welfareOptimum)
                #expect(r.welfare <= optimum + 1e-7, "\(m.name) case \(n): welfare \(r.welfare) above the optimum \(optimum)")
                let divisible = book.bids.allSatisfy(\.divisible)
                if divisible && (m is PayAsClear || m is PayAsBid) {
                    #expect(abs(r.welfare - optimum) <= 1e-7 * max(1, optimum), "\(m.name) case \(n): not efficient")
                }
            }
        }
    }
}
