import DataIO
@testable import Market
import Testing

/// Huang's trade reduction and MUDA are meant to be truthful in price: no bidder gains by reporting another price.
/// Searched exhaustively on a price grid for every bidder of small seeded random markets.
struct TruthfulnessTests {
    static func utility(_ r: MarketResult, bidder: String, value: Double) -> Double {
        var u = 0.0
        for t in r.trades {
            if t.buyer == bidder { u += t.quantity * (value - t.buyerPrice) }
            if t.seller == bidder { u += t.quantity * (t.sellerPrice - value) }
        }
        return u - (r.payments.first { $0.bidder == bidder }?.fees ?? 0)
    }

    /// The search has the power to find a manipulation: pay-as-clear, which is not truthful, must show one.
    @Test func theSearchFindsPayAsClearsKnownManipulation() throws {
        #expect(try Self.largestGain(PayAsClear(), markets: 30) > 1e-6)
    }

    @Test(arguments: [MechanismName.huang, .muda]) func noMisreportOnAPriceGridPays(name: MechanismName) throws {
        let mechanism: any ClearingMechanism = name == .huang ? HuangAuction() : MUDA(seed: 11)
        #expect(try Self.largestGain(mechanism, markets: 150) <= 1e-9)
    }

    /// The largest utility gain any bidder of `markets` random markets gets from any misreport on the grid.
    static func largestGain(_ mechanism: any ClearingMechanism, markets: Int) throws -> Double {
        var largest = -Double.infinity
        var rng = SeededGenerator(seed: 5)
        let grid = (0...50).map { Double($0) / 100 }
        var searched = 0
        for _ in 0..<markets {
            let buyers = 2 + Int(rng.next() % 3), sellers = 2 + Int(rng.next() % 3)
            var bids: [Bid] = []
            for i in 0..<buyers {
                bids.append(
                    Bid(
                        bidder: "b\(i)", period: 0, side: .buy, quantity: (rng.uniform(0.5, 3) * 10).rounded() / 10,
                        price: grid[5 + Int(rng.next() % 45)]))
            }
            for j in 0..<sellers {
                bids.append(
                    Bid(
                        bidder: "s\(j)", period: 0, side: .sell, quantity: (rng.uniform(0.5, 3) * 10).rounded() / 10,
                        price: grid[Int(rng.next() % 45)]))
            }
            let truth = try BidBook(bids: bids)
            let honest = try Market.clear(truth, mechanism: mechanism)
            for (k, bid) in bids.enumerated() {
                let u0 = Self.utility(honest, bidder: bid.bidder, value: bid.price)
                for p in grid where p != bid.price {
                    var lie = bids
                    lie[k].price = p
                    let r = try Market.clear(try BidBook(bids: lie), mechanism: mechanism)
                    let u = Self.utility(r, bidder: bid.bidder, value: bid.price)
                    searched += 1
                    largest = max(largest, u - u0)
                }
            }
        }
        #expect(searched > 1000)
        return largest
    }
}
