import DataIO
import Foundation

/// The CSV files `peergrid ledger append` reads (docs/ledger-spec.md, "Trade files"):
/// trades `kind,period_start,period_minutes,seller,buyer,energy_kwh,price` (currency per kWh; for `charge`,
/// energy 0 and the amount as price) and tariffs `period_start,period_minutes,import_price,export_price,pool_price,
/// pool_fee`. Times are ISO 8601 UTC (`2026-06-01T12:00:00Z`).
public enum LedgerTradeFile {
    public static let tradeColumns = ["kind", "period_start", "period_minutes", "seller", "buyer", "energy_kwh", "price"]
    public static let tariffColumns = [
        "period_start", "period_minutes", "import_price", "export_price", "pool_price",
        "pool_fee"
    ]

    /// Reads a trades file (and an optional tariffs file, whose records come first).
    public static func read(trades path: String, tariffs tariffPath: String?) throws -> [LedgerRecord] {
        try records(trades: try CSVTable(contentsOf: path), tariffs: try tariffPath.map { try CSVTable(contentsOf: $0) })
    }

    /// The records of a trades table (and an optional tariffs table, whose records come first).
    public static func records(trades table: CSVTable, tariffs: CSVTable?) throws -> [LedgerRecord] {
        var records: [LedgerRecord] = []
        if let table = tariffs {
            let c = try columns(table, tariffColumns)
            var seen = Set<Int64>()
            for r in table.records {
                let f = Fields(table: table, record: r, columns: c)
                let minutes = try f.minutes(1)
                guard seen.insert(try f.time(0)).inserted else { throw f.fail(0, "a second tariff for this period") }
                records.append(
                    .tariff(
                        Tariff(
                            periodStart: try f.time(0), periodSeconds: minutes,
                            importPrice: try f.price(2), exportPrice: try f.price(3),
                            poolPrice: try f.price(4), poolFee: try f.price(5))))
            }
        }
        let c = try columns(table, tradeColumns)
        for r in table.records {
            let f = Fields(table: table, record: r, columns: c)
            guard let kind = TradeKind(name: f.text(0)) else {
                throw CSVError(
                    file: table.file, line: r.line,
                    message: "kind '\(f.text(0))' is not one of "
                        + TradeKind.allCases.map(\.name).joined(separator: ", "))
            }
            let energy = try f.number(5)
            guard let wh = LedgerUnits.wattHours(kWh: energy), kind == .charge ? wh == 0 : wh > 0 else {
                throw CSVError(
                    file: table.file, line: r.line,
                    message: kind == .charge
                        ? "a charge carries energy_kwh 0" : "energy_kwh \(energy) must be at least 0.0005 kWh (1 Wh) and at most 10^9")
            }
            let seller = f.text(3), buyer = f.text(4)
            for (i, party) in [(3, seller), (4, buyer)] where party.isEmpty || party.utf8.count > 200 {
                throw f.fail(i, "a party name has 1 to 200 bytes")
            }
            guard seller != buyer else { throw f.fail(4, "\(buyer) would trade with itself") }
            records.append(
                .trade(
                    TradeRecord(
                        kind: kind, periodStart: try f.time(1), periodSeconds: try f.minutes(2),
                        seller: seller, buyer: buyer, energyWh: wh, price: try f.price(6))))
        }
        guard !records.isEmpty else { throw CSVError(file: table.file, line: 0, message: "no trades") }
        return records
    }

    static func columns(_ table: CSVTable, _ names: [String]) throws -> [Int] {
        try names.map { name in
            guard let i = table.column(name) else {
                throw CSVError(file: table.file, line: 1, message: "no column '\(name)' (needs \(names.joined(separator: ",")))")
            }
            return i
        }
    }

    struct Fields {
        let table: CSVTable, record: CSVTable.Record, columns: [Int]
        func text(_ i: Int) -> String {
            let c = columns[i]
            return c < record.fields.count ? record.fields[c].trimmingCharacters(in: .whitespaces) : ""
        }
        func fail(_ i: Int, _ m: String) -> CSVError {
            CSVError(file: table.file, line: record.line, message: "\(LedgerTradeFile.name(i, table, columns)): \(m)")
        }
        func number(_ i: Int) throws -> Double {
            guard let v = Double(text(i)), v.isFinite else { throw fail(i, "'\(CSVText.field(text(i)))' is not a number") }
            return v
        }
        func price(_ i: Int) throws -> Int64 {
            let v = try number(i)
            guard let m = LedgerUnits.micro(v) else { throw fail(i, "\(v) is out of range") }
            return m
        }
        func minutes(_ i: Int) throws -> UInt32 {
            guard let m = UInt32(text(i)), m > 0, m <= 1440 else { throw fail(i, "must be whole minutes in 1...1440") }
            return m * 60
        }
        func time(_ i: Int) throws -> Int64 {
            guard let d = UTCTime.parse(text(i)) else {
                throw fail(i, "'\(CSVText.field(text(i)))' is not an ISO 8601 UTC time like 2026-06-01T12:00:00Z")
            }
            return Int64(d.timeIntervalSince1970)
        }
    }

    static func name(_ i: Int, _ table: CSVTable, _ columns: [Int]) -> String { table.header[columns[i]] }
}
