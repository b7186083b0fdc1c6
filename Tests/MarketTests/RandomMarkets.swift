import DataIO
@testable import Market

/// Seeded random bid books for the property tests: a few buyers and sellers per period, prices on a coarse grid
/// (so that ties are common), some bids indivisible, and now and then the degenerate books that broke other
/// libraries: empty sides, curves that never cross, every price equal; and books priced below zero (negative
/// import prices make negative bids).
enum RandomMarkets {
    static func book(_ rng: inout SeededGenerator, maxBidders: Int = 6, periods: Int = 2) -> BidBook {
        let shape = Int(rng.next() % 10)
        var bids: [Bid] = []
        for t in 0..<periods {
            let buyers = Int(rng.next() % UInt64(maxBidders + 1)), sellers = Int(rng.next() % UInt64(maxBidders + 1))
            for i in 0..<buyers {
                var price = (rng.uniform(0.05, 0.40) * 40).rounded() / 40
                if shape == 0 { price = 0.2 }  // every price equal
                if shape == 1 { price = rng.uniform(0.01, 0.10) }  // buyers below every seller: no crossing
                if shape == 2 { price -= 0.25 }  // negative prices
                bids.append(
                    Bid(
                        bidder: "b\(i)", period: t, side: .buy, quantity: quantity(&rng), price: price,
                        divisible: rng.next() % 4 != 0))
            }
            for j in 0..<sellers {
                var price = (rng.uniform(0.02, 0.35) * 40).rounded() / 40
                if shape == 0 { price = 0.2 }
                if shape == 1 { price = rng.uniform(0.15, 0.30) }
                if shape == 2 { price -= 0.25 }
                bids.append(
                    Bid(
                        bidder: "s\(j)", period: t, side: .sell, quantity: quantity(&rng), price: price,
                        divisible: rng.next() % 4 != 0))
            }
        }
        return try! BidBook(bids: bids, periods: periods)
    }

    static func quantity(_ rng: inout SeededGenerator) -> Double {
        rng.next() % 3 == 0 ? Double(1 + rng.next() % 4) : (rng.uniform(0.1, 5) * 1000).rounded() / 1000
    }

    /// The same bids in another order.
    static func shuffled(_ book: BidBook, _ rng: inout SeededGenerator) -> BidBook {
        var b = book
        b.bids.shuffle(using: &rng)
        return b
    }
}
