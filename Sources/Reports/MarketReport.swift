import DataIO
import Foundation
import Market

/// The output files and the text summary of `peergrid market clear`.
public enum MarketReport {
    static func num(_ x: Double) -> String {
        if abs(x) < 1e-9 { return "0" }
        return String(format: "%.6f", x)
    }

    /// `trades.csv`: `buyer,seller,period,quantity_kwh,buyer_price,seller_price` (what the buyer pays and the
    /// seller receives per kWh), in period order.
    public static func tradesCSV(_ r: MarketResult) -> String {
        var out = "buyer,seller,period,quantity_kwh,buyer_price,seller_price\n"
        for t in r.trades.sorted(by: { ($0.period, $0.buyBid, $0.sellBid) < ($1.period, $1.buyBid, $1.sellBid) }) {
            out += "\(CSV.field(t.buyer)),\(CSV.field(t.seller)),\(t.period),\(num(t.quantity)),\(num(t.buyerPrice)),\(num(t.sellerPrice))\n"
        }
        return out
    }

    /// `payments.csv`: one row per bidder: energy bought and sold, money paid and received, fees, the net payment
    /// (+ pays), and with a community the stand-alone, pool and market bills.
    public static func paymentsCSV(_ r: MarketResult, bills: [ProsumerBill]? = nil) -> String {
        let byId = Dictionary((bills ?? []).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var out = "bidder,bought_kwh,sold_kwh,paid,received,fees,net_payment"
        if bills != nil { out += ",standalone_bill,pool_bill,market_bill" }
        out += "\n"
        for p in r.payments {
            out += "\(CSV.field(p.bidder)),\(num(p.boughtKWh)),\(num(p.soldKWh)),\(num(p.paid)),\(num(p.received)),\(num(p.fees)),\(num(p.net))"
            if bills != nil {
                let b = byId[p.bidder]
                out += ",\(b.map { num($0.standalone) } ?? ""),\(b?.pool.map(num) ?? ""),\(b.map { num($0.market) } ?? "")"
            }
            out += "\n"
        }
        return out
    }

    /// `summary.json`: the mechanism and its settings, volume, welfare and its share of the optimum, the operator's
    /// surplus, per-period prices and volumes, bills totals.
    public static func summary(_ r: MarketResult, book: BidBook, settings: [(String, JSON)], bills: [ProsumerBill]?) -> JSON {
        var pairs: [(String, JSON)] = [
            ("mechanism", .string(r.mechanism)),
            ("settings", .object(settings)),
            ("bids", .integer(book.bids.count)),
            ("bidders", .integer(book.bidders.count)),
            ("periods", .integer(book.periods)),
            ("trades", .integer(r.trades.count)),
            ("volume_kwh", .number(r.trades.reduce(0) { $0 + $1.quantity })),
            ("welfare", .number(r.welfare)),
            ("welfare_optimum", .number(r.welfareOptimum)),
            ("welfare_share", .number(r.welfareShare)),
            ("operator_surplus", .number(r.operatorSurplus)),
            ("excluded_indivisible_bids", .array(r.excludedIndivisible.map { .integer($0) })),
            ("clearing_seconds", .number(r.seconds)),
            (
                "per_period",
                .array(
                    r.periods.map { p in
                        .object([
                            ("period", .integer(p.period)), ("volume_kwh", .number(p.volume)),
                            ("buyer_price", .number(p.buyerPrice)), ("seller_price", .number(p.sellerPrice))
                        ])
                    })
            )
        ]
        if let bills {
            pairs.append(
                (
                    "bills",
                    .object([
                        ("standalone", .number(bills.reduce(0) { $0 + $1.standalone })),
                        ("pool", .number(bills.allSatisfy { $0.pool != nil } ? bills.reduce(0) { $0 + ($1.pool ?? 0) } : nil)),
                        ("market", .number(bills.reduce(0) { $0 + $1.market }))
                    ])
                ))
        }
        return .object(pairs)
    }

    /// The text summary printed by the command.
    public static func text(_ r: MarketResult, book: BidBook, bills: [ProsumerBill]?) -> String {
        let volume = r.trades.reduce(0) { $0 + $1.quantity }
        var lines = [
            "market    \(r.mechanism): \(counted(book.bids.count, "bid")) from \(counted(book.bidders.count, "bidder")) over \(counted(book.periods, "period"))",
            "cleared   \(counted(r.trades.count, "trade")), " + String(format: "%.3f kWh in %.3f s", volume, r.seconds),
            "welfare   " + TextNumber.fixed(r.welfare, decimals: 4)
                + (r.welfareOptimum.map {
                    // No bids, or none that cross (after any fee): there is nothing to recover, so no share.
                    $0 <= 1e-9
                        ? " (no trade could add welfare: no buy bid is priced above a sell bid in the same period)"
                        : " of an optimum of " + TextNumber.fixed($0, decimals: 4)
                            + String(format: " (%.2f %%)", 100 * (r.welfareShare ?? 0))
                } ?? ""),
            "operator  surplus " + TextNumber.fixed(abs(r.operatorSurplus) < 5e-5 ? 0 : r.operatorSurplus, decimals: 4)
        ]
        if !r.excludedIndivisible.isEmpty {
            lines.append("          \(r.excludedIndivisible.count) indivisible bid(s) left out (they could trade only in part)")
        }
        if let bills {
            // `%-9@` ignores its width on Linux, so the text columns are padded here.
            func row(_ id: String, _ standalone: Double, _ pool: String, _ market: Double) -> String {
                "          " + id.padding(toLength: max(9, id.count), withPad: " ", startingAt: 0) + String(format: " %10.4f ", standalone)
                    + String(repeating: " ", count: max(0, 9 - pool.count)) + pool + String(format: " %9.4f", market)
            }
            lines.append("bills     prosumer  standalone      pool    market")
            for b in bills { lines.append(row(b.id, b.standalone, b.pool.map { String(format: "%.4f", $0) } ?? "-", b.market)) }
            lines.append(
                row(
                    "total", bills.reduce(0) { $0 + $1.standalone },
                    bills.allSatisfy { $0.pool != nil } ? String(format: "%.4f", bills.reduce(0) { $0 + ($1.pool ?? 0) }) : "-",
                    bills.reduce(0) { $0 + $1.market }))
        }
        return lines.joined(separator: "\n")
    }
}
