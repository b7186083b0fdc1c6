import Foundation

/// Which side of the market a bid is on.
public enum Side: String, Sendable, CaseIterable {
    case buy, sell
}

/// One step of a bidder's price-quantity curve for one period: "buy up to `quantity` kWh at a price of at most
/// `price` per kWh" or "sell up to `quantity` kWh at a price of at least `price`". A bid that is not `divisible`
/// trades whole or not at all.
public struct Bid: Sendable, Equatable, Hashable {
    public var bidder: String
    /// Period, counted from 0.
    public var period: Int
    public var side: Side
    /// kWh, > 0.
    public var quantity: Double
    /// Money per kWh (the currency of the community file's tariffs).
    public var price: Double
    public var divisible: Bool

    public init(bidder: String, period: Int, side: Side, quantity: Double, price: Double, divisible: Bool = true) {
        self.bidder = bidder
        self.period = period
        self.side = side
        self.quantity = quantity
        self.price = price
        self.divisible = divisible
    }
}

/// The bids of one market: any number of bidders and periods.
public struct BidBook: Sendable, Equatable {
    public var bids: [Bid]
    /// Number of periods in the horizon (every bid's period is below it).
    public var periods: Int

    /// Makes a book and checks every rule of ``validate()``.
    public init(bids: [Bid], periods: Int? = nil) throws {
        self.bids = bids
        self.periods = periods ?? ((bids.map(\.period).max() ?? -1) + 1)
        try validate()
    }

    /// The rules every mechanism relies on: a bidder id that is non-empty and printable; a period in
    /// `0..<periods`; a finite quantity > 0 and at most 1e9 kWh; a finite price with |price| <= 1e6; no two bids of a
    /// bidder with the same period, side and price (merge them); and no bidder whose own buy price in a period
    /// reaches its own sell price there (it would trade with itself). Errors name the bid by its position.
    /// The longest horizon cleared at once: over two years of 15-minute periods. Every period is cleared and
    /// reported, so one bid at period 777,771 took 5 s and wrote an 88 MB summary.json (found by `make fuzz`).
    public static let maxPeriods = 100_000

    /// `file`: the source named in front of the horizon's message (the bids' own messages come from `describe`).
    public func validate(file: String? = nil, describe: (Int) -> String = { "bid \($0 + 1)" }) throws {
        guard periods >= 0, periods <= Self.maxPeriods else {
            throw MarketError.badInput(
                (file.map { "\($0): " } ?? "")
                    + "the horizon has \(periods) periods (the last bid's period + 1 when the file does not say); it must be 0 to \(Self.maxPeriods)")
        }
        var seen: [String: Int] = [:]
        var lowestSell: [String: Double] = [:], highestBuy: [String: Double] = [:]
        for (i, b) in bids.enumerated() {
            let at = describe(i)
            if b.bidder.isEmpty || b.bidder.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                throw MarketError.badInput("\(at): bidder must be a non-empty id without control characters")
            }
            if b.period < 0 || b.period >= periods {
                throw MarketError.badInput("\(at): period \(b.period) is outside the horizon 0...\(periods - 1)")
            }
            if !b.quantity.isFinite || b.quantity <= 0 || b.quantity > 1e9 {
                throw MarketError.badInput("\(at): quantity_kwh is \(b.quantity); it must be a number > 0 and <= 1e9")
            }
            if !b.price.isFinite || abs(b.price) > 1e6 {
                throw MarketError.badInput("\(at): price_per_kwh is \(b.price); it must be a finite number within +-1e6")
            }
            let key = "\(b.bidder)\u{1}\(b.period)\u{1}\(b.side.rawValue)\u{1}\(b.price)"
            if let j = seen[key] {
                throw MarketError.badInput("\(at): duplicate of \(describe(j)) (same bidder \(b.bidder), period, side and price; merge their quantities)")
            }
            seen[key] = i
            let pk = "\(b.bidder)\u{1}\(b.period)"
            switch b.side {
            case .buy: highestBuy[pk] = max(highestBuy[pk] ?? -.infinity, b.price)
            case .sell: lowestSell[pk] = min(lowestSell[pk] ?? .infinity, b.price)
            }
            if let hb = highestBuy[pk], let ls = lowestSell[pk], hb >= ls {
                throw MarketError.badInput("\(at): bidder \(b.bidder) bids to buy at \(hb) and to sell at \(ls) in period \(b.period); its own bids cross")
            }
        }
    }

    /// The bidders in order of first appearance.
    public var bidders: [String] {
        var seen = Set<String>(), out: [String] = []
        for b in bids where seen.insert(b.bidder).inserted { out.append(b.bidder) }
        return out
    }
}
