import DataIO
import Foundation
import LinearProgramming
import Market
import Optimize
import Reports

/// The peer-to-peer market of a day-ahead run (`--market NAME`): bids derived from the forecast community, the
/// chosen mechanism's clearing, and every mechanism's bills beside the pool and stand-alone bills.
public struct DayAheadMarket: Sendable {
    public var mechanism: MechanismName
    public var book: BidBook
    /// Every mechanism's result, in ``MechanismName/allCases`` order.
    public var results: [MarketResult]
    /// Every mechanism's bills, same order.
    public var bills: [[ProsumerBill]]
    /// Price steps of the derived bids.
    public var steps: Int
    public var seconds: Double

    /// The chosen mechanism's result.
    public var chosen: MarketResult { results[MechanismName.allCases.firstIndex(of: mechanism)!] }

    /// Derives the bids, clears them with every mechanism and settles each. `pool` holds the central schedule's
    /// pool bills.
    public static func run(
        _ community: Community, mechanism: MechanismName, steps: Int, solver: any LinearSolver,
        pool: [String: Double]?, seed: UInt64 = 1
    ) throws -> DayAheadMarket {
        let clock = Stopwatch()
        let book = try BidDerivation(solver: solver, steps: steps).bids(for: community)
        let settlement = MarketSettlement(solver: solver)
        let standalone = try settlement.standaloneCosts(community)
        var results: [MarketResult] = [], bills: [[ProsumerBill]] = []
        for name in MechanismName.allCases {
            let m = Market.mechanism(name, seed: seed, fees: NetworkFees(defaultFee: community.p2p.feePerKWh), solver: solver)
            let r = try Market.clear(book, mechanism: m, optimumSolver: solver)
            results.append(r)
            bills.append(try settlement.bills(community, r, pool: pool, standalone: standalone))
        }
        return DayAheadMarket(mechanism: mechanism, book: book, results: results, bills: bills, steps: steps, seconds: clock.seconds)
    }

    /// `summary.json`'s `market` object.
    public var summary: JSON {
        let r = chosen
        return .object([
            ("mechanism", .string(mechanism.rawValue)), ("bids", .integer(book.bids.count)),
            ("trades", .integer(r.trades.count)), ("volume_kwh", .number(r.trades.reduce(0) { $0 + $1.quantity })),
            ("welfare", .number(r.welfare)), ("welfare_share", .number(r.welfareShare)),
            ("operator_surplus", .number(r.operatorSurplus)),
            (
                "bills_by_mechanism",
                .object(
                    zip(results, bills).map { res, b in
                        (res.mechanism, .number(b.reduce(0) { $0 + $1.market }))
                    })
            ),
            ("seconds", .number(seconds))
        ])
    }

    /// The report's market section.
    public func blocks(_ c: Community) -> [ReportDocument.Block] {
        let r = chosen, T = c.periods
        func money(_ x: Double?) -> String { x.map { String(format: "%.2f", abs($0) < 0.005 ? 0 : $0) } ?? "-" }
        let labels = (0..<T).map { DayAheadOutputs.hourLabel(c.timestamp($0)) }
        var out: [ReportDocument.Block] = [.heading("Peer-to-peer market (\(mechanism.rawValue))")]
        let volume = r.trades.reduce(0) { $0 + $1.quantity }
        out.append(
            .paragraph(
                String(
                    format:
                        "Every prosumer bids its own marginal value of energy (its problem re-solved at %d prices between the export and the import tariff of each period; %d bids). %@ clears %.2f kWh in %d trades; welfare %.3f, %.1f %% of the optimum on the same bids; the operator keeps %.3f.",
                    steps, book.bids.count, mechanism.rawValue, volume, r.trades.count, r.welfare,
                    100 * (r.welfareShare ?? 0), r.operatorSurplus)))
        // Supply and demand curves of the period where the most energy could trade (the short side is largest).
        func side(_ t: Int, _ sd: Side) -> Double { book.bids.filter { $0.period == t && $0.side == sd }.reduce(0) { $0 + $1.quantity } }
        let tradable = (0..<T).map { min(side($0, .buy), side($0, .sell)) }
        if let peak = tradable.indices.max(by: { tradable[$0] < tradable[$1] }), tradable[peak] > 0 {
            let bids = PeriodBids(period: peak, bids: book.bids.enumerated().filter { $0.element.period == peak }.map { ($0.offset, $0.element) })
            out.append(
                .chart(
                    name: "market-curves",
                    svg: SVGChart.stepCurves(
                        title: "Bids at \(labels[peak]): demand and supply",
                        curves: [
                            ("demand (buy bids)", bids.buys.map { ($0.bid.quantity, $0.bid.price) }, "#4e79a7"),
                            ("supply (sell bids)", bids.sells.map { ($0.bid.quantity, $0.bid.price) }, "#f28e2b")
                        ],
                        xLabel: "kWh", yLabel: "price per kWh")))
        }
        out.append(
            .chart(
                name: "market-prices",
                svg: SVGChart.line(
                    title: "Clearing price per period", xLabels: labels,
                    series: [
                        ChartSeries("import tariff", c.grid.importPrice, color: "#555555", dashed: true),
                        ChartSeries("export tariff", c.grid.exportPrice, color: "#999999", dashed: true),
                        ChartSeries("buyers pay", r.periods.map { $0.buyerPrice ?? .nan }, color: "#4e79a7"),
                        ChartSeries("sellers receive", r.periods.map { $0.sellerPrice ?? .nan }, color: "#59a14f")
                    ],
                    yLabel: "price")))
        out.append(
            .chart(
                name: "market-volume",
                svg: SVGChart.stackedBars(
                    title: "Energy traded per period, kWh", xLabels: labels, up: [ChartSeries("traded", r.periods.map(\.volume), color: "#76b7b2")],
                    yLabel: "kWh")))
        // Trade matrix over the day.
        let sellers = c.prosumers.map(\.id).filter { id in r.trades.contains { $0.seller == id } }
        let buyers = c.prosumers.map(\.id).filter { id in r.trades.contains { $0.buyer == id } }
        if !sellers.isEmpty {
            let rows = sellers.map { s in
                [s]
                    + buyers.map { b in
                        let q = r.trades.filter { $0.seller == s && $0.buyer == b }.reduce(0) { $0 + $1.quantity }
                        return q > 0 ? String(format: "%.2f", q) : ""
                    }
            }
            out.append(.table(header: ["seller \\ buyer"] + buyers, rows: rows, note: "kWh over the day."))
        }
        // Bills by mechanism.
        let names = results.map(\.mechanism)
        var billRows: [[String]] = []
        for (i, p) in c.prosumers.enumerated() {
            billRows.append([p.id, money(bills[0][i].standalone), money(bills[0][i].pool)] + bills.map { money($0[i].market) })
        }
        billRows.append(
            [
                "total", money(bills[0].reduce(0) { $0 + $1.standalone }),
                money(bills[0].allSatisfy { $0.pool != nil } ? bills[0].reduce(0) { $0 + ($1.pool ?? 0) } : nil)
            ]
                + bills.map { money($0.reduce(0) { $0 + $1.market }) })
        out.append(
            .table(
                header: ["prosumer", "stand-alone", "pool"] + names, rows: billRows,
                note:
                    "Bills: alone at the grid tariffs; in the pool at the mid-market price (the central schedule); with each market: market payments plus the prosumer's own schedule at the grid tariffs for what was not traded. Welfare shares: "
                    + results.map { "\($0.mechanism) " + String(format: "%.1f %%", 100 * ($0.welfareShare ?? 0)) }.joined(separator: ", ") + "."))
        return out
    }

}
