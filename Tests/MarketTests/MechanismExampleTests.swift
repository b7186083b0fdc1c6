import CbcSolver
import DataIO
import Foundation
import GLPKSolver
import LinearProgramming
import TestFixtures
@testable import Market
import Testing

/// Worked examples, by hand, for each mechanism.
struct MechanismExampleTests {
    static func book(_ rows: [(String, Side, Double, Double)], divisible: Bool = true) throws -> BidBook {
        try BidBook(bids: rows.map { Bid(bidder: $0.0, period: 0, side: $0.1, quantity: $0.2, price: $0.3, divisible: divisible) })
    }

    // Buyers 3 kWh at 0.30, 2 at 0.25, 2 at 0.10; sellers 2 at 0.05, 2 at 0.12, 3 at 0.28.
    static let rows: [(String, Side, Double, Double)] = [
        ("b1", .buy, 3, 0.30), ("b2", .buy, 2, 0.25), ("b3", .buy, 2, 0.10),
        ("s1", .sell, 2, 0.05), ("s2", .sell, 2, 0.12), ("s3", .sell, 3, 0.28)
    ]

    @Test func payAsClearTradesTheEfficientQuantityAtTheMidpoint() throws {
        let r = try Market.clear(Self.book(Self.rows), mechanism: PayAsClear())
        // Efficient: b1 and b2 (5 kWh) want, s1 and s2 (4 kWh) sell below 0.25; the last match is b2 with s2.
        #expect(abs(r.periods[0].volume - 4) < 1e-12)
        // lo = max(ask of s2 0.12, first rejected bid... b2 is partial, so b3 0.10) = 0.12; hi = min(0.25, 0.28) = 0.25.
        #expect(abs(r.periods[0].buyerPrice! - 0.185) < 1e-12)
        #expect(abs(r.operatorSurplus) < 1e-12)
        #expect(abs(r.welfare - (3 * 0.30 + 1 * 0.25 - 2 * 0.05 - 2 * 0.12)) < 1e-12)
    }

    @Test func payAsBidKeepsTheSpread() throws {
        let r = try Market.clear(Self.book(Self.rows), mechanism: PayAsBid())
        #expect(abs(r.operatorSurplus - r.welfare) < 1e-12)
        #expect(r.trades.allSatisfy { $0.buyerPrice >= $0.sellerPrice })
    }

    @Test func huangLeavesTheMarginalPairOut() throws {
        // pymarket's docstring example: buyers 1 kWh at 3 and 2 at 1, a seller of 2 at 2: the price setters are
        // the only bidders, so nothing trades.
        let none = try Market.clear(Self.book([("a", .buy, 1, 3), ("b", .buy, 2, 1), ("c", .sell, 2, 2)]), mechanism: HuangAuction())
        #expect(none.trades.isEmpty)
        // Adding a seller of 0.3 at 1 and a buyer of 0.2 at 3.3 (its second example): 0.2 kWh, buyer pays 3, seller gets 2.
        let some = try Market.clear(
            Self.book([
                ("a", .buy, 1, 3), ("b", .buy, 2, 1), ("c", .sell, 2, 2),
                ("d", .sell, 0.3, 1), ("e", .buy, 0.2, 3.3)
            ]), mechanism: HuangAuction())
        try #require(some.trades.count == 1)
        #expect(abs(some.trades[0].quantity - 0.2) < 1e-12)
        #expect(some.trades[0].buyer == "e" && some.trades[0].seller == "d")
        #expect(some.trades[0].buyerPrice == 3 && some.trades[0].sellerPrice == 2)
    }

    @Test func reduceLongSideMatchesPymarketsDoctests() {
        let a = reduceLongSide([1, 2, 3], gap: 0.6)
        #expect(zip(a, [0.8, 1.8, 2.8]).allSatisfy { abs($0 - $1) < 1e-12 })
        let b = reduceLongSide([1, 0.5, 2], gap: 1.8)
        #expect(zip(b, [0.35, 0, 1.35]).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func intersectStepwiseMatchesPymarketsDoctests() {
        // f = [[1, 3], [2, 2], [inf, 0]]... from pymarket: intersect_stepwise(f, g) == (1, 0, 0, 2)
        let f = StepCurve(points: [(1, 3), (2, 1), (.infinity, 0)])
        let g = StepCurve(points: [(1, 2), (2, 4), (.infinity, .infinity)])
        let r = intersectStepwise(f, g)
        #expect(r.quantity == 1 && r.fIndex == 0 && r.gIndex == 0 && r.price == 2.5 || r.price == 2)
    }

    @Test func mudaTradesEachHalfAtTheOtherHalfsPrice() throws {
        let r = try Market.clear(Self.book(Self.rows), mechanism: MUDA(seed: 3))
        let split = MUDA(seed: 3).split(PeriodBids(period: 0, bids: Array(try Self.book(Self.rows).bids.enumerated().map { ($0.offset, $0.element) })))
        for t in r.trades { #expect(split[t.buyer] == split[t.seller], "MUDA trades only within a half") }
        #expect(r.operatorSurplus >= 0)
    }

    /// GLPK gives the allocation LP's row duals; CBC's C API does not, so the dual LP is solved: both price alike.
    @Test(arguments: ["glpk", "cbc"]) func bilateralPricesDifferByTheFee(solver: String) throws {
        let fees = NetworkFees(defaultFee: 0.02, pairs: ["b1\u{1}s1": 0.2])
        let backend: any LinearSolver = solver == "glpk" ? GLPKSolver() : CbcSolver()
        let r = try Market.clear(Self.book(Self.rows), mechanism: BilateralMarket(fees: fees, solver: backend))
        #expect(!r.trades.isEmpty)
        for t in r.trades {
            #expect(abs(t.buyerPrice - t.sellerPrice - fees.fee(buyer: t.buyer, seller: t.seller)) < 1e-9)
            #expect(!(t.buyer == "b1" && t.seller == "s1"), "the expensive pair does not trade")
        }
    }

    @Test func indivisibleBidsTradeWholeOrNotAtAll() throws {
        let book = try BidBook(bids: [
            Bid(bidder: "b1", period: 0, side: .buy, quantity: 3, price: 0.3, divisible: false),
            Bid(bidder: "s1", period: 0, side: .sell, quantity: 2, price: 0.1),
            Bid(bidder: "s2", period: 0, side: .sell, quantity: 0.5, price: 0.2)
        ])
        let r = try Market.clear(book, mechanism: PayAsClear(), optimumSolver: GLPKSolver())
        #expect(r.trades.isEmpty && r.excludedIndivisible == [0])
        #expect(r.welfareOptimum == 0)
    }

    @Test func emptyAndOneSidedBooksClearToNothing() throws {
        for m in MarketPropertyTests.mechanisms() {
            #expect(try Market.clear(try BidBook(bids: [], periods: 3), mechanism: m).trades.isEmpty)
            #expect(try Market.clear(try Self.book([("a", .buy, 1, 0.3)]), mechanism: m).trades.isEmpty)
        }
    }
}

/// The bilateral market's fee file goes through DataIO's reader: Windows files read, refusals name the line.
struct NetworkFeeFileTests {
    @Test func readsWindowsFilesAndNamesBadLines() throws {
        let dir = try TestScratch.directory("pg-fees")
        let file = dir.appendingPathComponent("fees.csv")
        try "\u{FEFF}\"buyer\",seller,fee_per_kwh\r\n\"b,1\",s1,0.02\r\nb2,s1,0.01\r\n".write(to: file, atomically: true, encoding: .utf8)
        let fees = try NetworkFees.read(file.path, defaultFee: 0.5)
        #expect(fees.fee(buyer: "b,1", seller: "s1") == 0.02 && fees.fee(buyer: "b2", seller: "s1") == 0.01)
        #expect(fees.fee(buyer: "x", seller: "y") == 0.5)
        for (text, message) in [
            ("buyer,seller,fee_per_kwh\r\nb,s,-1\r\n", "fees.csv:2: fee_per_kwh must be a number from 0 to 1e6"),
            ("buyer,seller,fee_per_kwh\nb,s,0.1\nb,s,0.2\n", "fees.csv:3: the pair b, s is listed twice"),
            ("buyer,seller\nb,s\n", "fees.csv:1: the header must hold buyer,seller,fee_per_kwh")
        ] {
            try text.write(to: file, atomically: true, encoding: .utf8)
            #expect { try NetworkFees.read(file.path) } throws: { ($0 as? MarketError)?.description.hasSuffix(message) == true }
        }
    }
}

/// Bid CSV files may leave out the `divisible` column (every bid divisible, as in JSON) or leave a field of it empty.
struct BidFileTests {
    @Test func divisibleMayBeLeftOutOrEmpty() throws {
        let withoutColumn = try BidFile.parse(
            Data("bidder,period,side,quantity_kwh,price_per_kwh\r\nb,0,buy,2,0.3\r\ns,0,sell,1,0.1\r\n".utf8), file: "a.csv")
        #expect(withoutColumn.bids.count == 2 && withoutColumn.bids.allSatisfy(\.divisible))
        let emptyField = try BidFile.parse(
            Data("bidder,period,side,quantity_kwh,price_per_kwh,divisible\nb,0,buy,2,0.3,\ns,0,sell,1,0.1,false\n".utf8), file: "b.csv")
        #expect(emptyField.bids.map(\.divisible) == [true, false])
        // A spreadsheet's export: a BOM, CRLF, quoted fields (a comma in a name), columns in another order.
        let excel = try BidFile.parse(
            Data("\u{FEFF}\"price_per_kwh\",\"bidder\",period,side,quantity_kwh\r\n0.3,\"b, flat 2\",0,buy,2\r\n0.1,s,0,sell,1\r\n".utf8),
            file: "e.csv")
        #expect(excel.bids.map(\.bidder) == ["b, flat 2", "s"] && excel.bids.allSatisfy(\.divisible))
        // Without the column, refusals still name the file and line.
        for (text, message) in [
            ("bidder,period,side,quantity_kwh,price_per_kwh\r\nb,0,buy,2,0.3\r\ns,0,sell,-1,0.1\r\n", "d.csv:3: quantity_kwh is -1.0"),
            ("bidder,period,side,quantity_kwh,price_per_kwh\nb,0,buy,2,0.3,true\n", "d.csv:2: 6 fields where the header has 5"),
            ("bidder,period,side,quantity_kwh,price_per_kwh\nb,0,buy,\"2,0.3\n", "d.csv:2: a quoted field is never closed")
        ] {
            #expect {
                try BidFile.parse(Data(text.utf8), file: "d.csv")
            } throws: { ($0 as? MarketError)?.description.hasPrefix(message) == true }
        }
        #expect {
            try BidFile.parse(Data("bidder,period,side,price_per_kwh\nb,0,buy,0.3\n".utf8), file: "c.csv")
        } throws: {
            ($0 as? MarketError)?.description
                == "c.csv:1: missing column quantity_kwh (the header must hold bidder,period,side,quantity_kwh,price_per_kwh and may hold divisible)"
        }
    }
}
