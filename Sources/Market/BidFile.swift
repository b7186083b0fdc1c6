import DataIO
import Foundation

/// Bid files: CSV with the header `bidder,period,side,quantity_kwh,price_per_kwh,divisible` (RFC 4180, any
/// column order, CRLF and a BOM accepted; `divisible` may be left out, or a field of it left empty, for true), or
/// JSON: `{"periods": T, "bids": [{"bidder": ..., "period": ..., "side": ..., "quantity_kwh": ...,
/// "price_per_kwh": ..., "divisible": ...}]}` (or the array alone; `divisible` defaults to true in JSON). Errors
/// name the file and line (CSV) or the JSON path.
public enum BidFile {
    /// The CSV header, in the order written.
    public static let header = ["bidder", "period", "side", "quantity_kwh", "price_per_kwh", "divisible"]

    /// Reads a bid file (JSON when the name ends in `.json` or the text starts with `{` or `[`).
    /// `periods` is the horizon (a bid outside it is refused); `nil` takes the file's `periods` or the last bid's.
    public static func read(_ path: String, periods: Int? = nil) throws -> BidBook {
        let data: Data
        do { data = try InputFiles.data(path) } catch { throw MarketError.badInput("\(path): \(error)") }
        return try parse(data, file: path, periods: periods)
    }

    /// Parses the bytes of a bid file named `file` (for messages; a name ending in `.json` or text starting with
    /// `{` or `[` is JSON, anything else CSV).
    public static func parse(_ data: Data, file path: String, periods: Int? = nil) throws -> BidBook {
        let table: CSVTable
        guard let text = String(data: data, encoding: .utf8) else { throw MarketError.badInput("\(path): not UTF-8 text") }
        let trimmed = text.drop { $0 == "\u{FEFF}" || $0.isWhitespace }
        if path.lowercased().hasSuffix(".json") || trimmed.first == "{" || trimmed.first == "[" {
            return try parseJSON(data, file: path, periods: periods)
        }
        do { table = try CSVTable(text: text, file: path) } catch let e as CSVError { throw MarketError.badInput(e.description) }
        return try parseCSV(table, periods: periods)
    }

    /// Parses a CSV table with the bid header.
    public static func parseCSV(_ table: CSVTable, periods: Int? = nil) throws -> BidBook {
        var columns: [Int?] = []
        for name in header {
            guard let c = table.column(name) else {
                if name == "divisible" { columns.append(nil); continue }
                throw MarketError.badInput(
                    "\(table.file):1: missing column \(name) (the header must hold \(header.dropLast().joined(separator: ",")) and may hold divisible)")
            }
            columns.append(c)
        }
        var bids: [Bid] = []
        bids.reserveCapacity(table.records.count)
        for r in table.records {
            func field(_ k: Int) -> String { columns[k].map { r.fields[$0].trimmingCharacters(in: .whitespaces) } ?? "" }
            func fail(_ k: Int, _ why: String) -> MarketError {
                .badInput("\(table.file):\(r.line): \(header[k]) \(why)")
            }
            guard let period = Int(field(1)) else { throw fail(1, "is not an integer") }
            guard let side = Side(rawValue: field(2).lowercased()) else { throw fail(2, "must be buy or sell") }
            guard let q = Double(field(3)) else { throw fail(3, "is not a number") }
            guard let p = Double(field(4)) else { throw fail(4, "is not a number") }
            let d: Bool
            switch field(5).lowercased() {
            case "true", "1", "yes", "": d = true
            case "false", "0", "no": d = false
            default: throw fail(5, "must be true or false")
            }
            bids.append(Bid(bidder: field(0), period: period, side: side, quantity: q, price: p, divisible: d))
        }
        let lines = table.records.map(\.line)
        let book = BidBook(unchecked: bids, periods: periods ?? ((bids.map(\.period).max() ?? -1) + 1))
        try book.validate(file: table.file) { "\(table.file):\(lines[$0])" }
        return book
    }

    static func parseJSON(_ data: Data, file: String, periods: Int?) throws -> BidBook {
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch {
            throw MarketError.badInput("\(file): not valid JSON (\(JSONText.position(of: error, in: data)))")
        }
        var list: [Any]
        var horizon = periods
        if let object = root as? [String: Any] {
            guard let b = object["bids"] as? [Any] else { throw MarketError.badInput("\(file): bids: missing or not an array") }
            list = b
            if horizon == nil, let p = object["periods"] {
                guard let n = (p as? NSNumber).flatMap({ Int(exactly: $0.doubleValue) }) else {
                    throw MarketError.badInput("\(file): periods: must be an integer")
                }
                horizon = n
            }
        } else if let array = root as? [Any] {
            list = array
        } else {
            throw MarketError.badInput("\(file): the top level must be an object with bids, or an array of bids")
        }
        var bids: [Bid] = []
        for (i, item) in list.enumerated() {
            let at = "\(file): bids[\(i)]"
            guard let o = item as? [String: Any] else { throw MarketError.badInput("\(at): must be an object") }
            func number(_ key: String) throws -> Double {
                guard let n = o[key] as? NSNumber, !(o[key] is Bool) || String(cString: n.objCType) != "c" else {
                    throw MarketError.badInput("\(at).\(key): missing or not a number")
                }
                return n.doubleValue
            }
            guard let bidder = o["bidder"] as? String else { throw MarketError.badInput("\(at).bidder: missing or not a string") }
            let periodValue = try number("period")
            guard let period = Int(exactly: periodValue) else { throw MarketError.badInput("\(at).period: must be an integer") }
            guard let s = o["side"] as? String, let side = Side(rawValue: s) else {
                throw MarketError.badInput("\(at).side: must be \"buy\" or \"sell\"")
            }
            var divisible = true
            if let d = o["divisible"] {
                guard let flag = d as? Bool else { throw MarketError.badInput("\(at).divisible: must be true or false") }
                divisible = flag
            }
            bids.append(
                Bid(
                    bidder: bidder, period: period, side: side, quantity: try number("quantity_kwh"),
                    price: try number("price_per_kwh"), divisible: divisible))
        }
        let book = BidBook(unchecked: bids, periods: horizon ?? ((bids.map(\.period).max() ?? -1) + 1))
        try book.validate(file: file) { "\(file): bids[\($0)]" }
        return book
    }

    /// The bids as CSV text (the header above; prices and quantities with full precision).
    public static func csv(_ book: BidBook) -> String {
        var out = header.joined(separator: ",") + "\n"
        for b in book.bids {
            out += "\(CSVText.field(b.bidder)),\(b.period),\(b.side.rawValue),\(b.quantity),\(b.price),\(b.divisible)\n"
        }
        return out
    }
}

extension BidBook {
    /// A book whose rules the caller checks next.
    init(unchecked bids: [Bid], periods: Int) {
        self.bids = bids
        self.periods = periods
    }
}
