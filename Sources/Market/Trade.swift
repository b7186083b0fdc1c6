/// One cleared trade: `quantity` kWh from `seller` to `buyer` in `period`. The buyer pays `buyerPrice` per kWh
/// and the seller receives `sellerPrice`; the difference (if any) goes to the market operator.
public struct Trade: Sendable, Equatable {
    public var buyer: String
    public var seller: String
    public var period: Int
    public var quantity: Double
    public var buyerPrice: Double
    public var sellerPrice: Double
    /// Indices into the bid book of the buy and the sell bid that trade.
    public var buyBid: Int
    public var sellBid: Int

    public init(
        buyer: String, seller: String, period: Int, quantity: Double, buyerPrice: Double, sellerPrice: Double,
        buyBid: Int, sellBid: Int
    ) {
        self.buyer = buyer
        self.seller = seller
        self.period = period
        self.quantity = quantity
        self.buyerPrice = buyerPrice
        self.sellerPrice = sellerPrice
        self.buyBid = buyBid
        self.sellBid = sellBid
    }
}

/// What a mechanism returns for one period.
public struct PeriodClearing: Sendable, Equatable {
    public var trades: [Trade]
    /// Charges beyond the trade prices, per bidder (MUDA's Vickrey fees); they go to the operator.
    public var fees: [String: Double]
    /// The price a report shows for the period (the uniform price, or the buyers' price where buyers and sellers
    /// face different prices); `nil` when nothing traded and no price was formed.
    public var price: Double?

    public init(trades: [Trade] = [], fees: [String: Double] = [:], price: Double? = nil) {
        self.trades = trades
        self.fees = fees
        self.price = price
    }

    /// The energy traded in the period.
    public var volume: Double { trades.reduce(0) { $0 + $1.quantity } }
}

/// One period's bids in the order mechanisms need: buyers by price descending, sellers by price ascending; ties by
/// bidder id, then by position in the book, so that clearing is deterministic whatever order the file lists them.
public struct PeriodBids: Sendable {
    public var period: Int
    /// (index into the book, bid), best first.
    public var buys: [(index: Int, bid: Bid)]
    public var sells: [(index: Int, bid: Bid)]

    public init(period: Int, bids: [(index: Int, bid: Bid)]) {
        self.period = period
        buys = bids.filter { $0.bid.side == .buy }.sorted {
            ($0.bid.price, $1.bid.bidder, $1.index) > ($1.bid.price, $0.bid.bidder, $0.index)
        }
        sells = bids.filter { $0.bid.side == .sell }.sorted {
            ($0.bid.price, $0.bid.bidder, $0.index) < ($1.bid.price, $1.bid.bidder, $1.index)
        }
    }
}
