import DataIO
import Foundation

/// Per-kWh network fees between pairs of bidders for the bilateral market (Sorin, Bobo and Pinson 2019's product
/// differentiation: a buyer may prefer a near seller). A pair not listed pays `defaultFee`.
public struct NetworkFees: Sendable, Equatable {
    public var defaultFee: Double
    /// Fee per (buyer, seller).
    public var pairs: [String: Double]

    public init(defaultFee: Double = 0, pairs: [String: Double] = [:]) {
        self.defaultFee = defaultFee
        self.pairs = pairs
    }

    static func key(_ buyer: String, _ seller: String) -> String { buyer + "\u{1}" + seller }

    /// The fee per kWh from `seller` to `buyer`.
    public func fee(buyer: String, seller: String) -> Double { pairs[NetworkFees.key(buyer, seller)] ?? defaultFee }

    /// Reads a fee file: CSV with the header `buyer,seller,fee_per_kwh` (fees finite and >= 0, no pair twice).
    public static func read(_ path: String, defaultFee: Double = 0) throws -> NetworkFees {
        let table: CSVTable
        do { table = try CSVTable(contentsOf: path) } catch let e as CSVError { throw MarketError.badInput(e.description) }
        guard let b = table.column("buyer"), let s = table.column("seller"), let f = table.column("fee_per_kwh") else {
            throw MarketError.badInput("\(path):1: the header must hold buyer,seller,fee_per_kwh")
        }
        var fees = NetworkFees(defaultFee: defaultFee)
        for r in table.records {
            let buyer = r.fields[b].trimmingCharacters(in: .whitespaces), seller = r.fields[s].trimmingCharacters(in: .whitespaces)
            guard let fee = Double(r.fields[f].trimmingCharacters(in: .whitespaces)), fee.isFinite, fee >= 0, fee <= 1e6 else {
                throw MarketError.badInput("\(path):\(r.line): fee_per_kwh must be a number from 0 to 1e6")
            }
            guard !buyer.isEmpty, !seller.isEmpty else { throw MarketError.badInput("\(path):\(r.line): buyer and seller must not be empty") }
            let k = key(buyer, seller)
            if fees.pairs[k] != nil { throw MarketError.badInput("\(path):\(r.line): the pair \(buyer), \(seller) is listed twice") }
            fees.pairs[k] = fee
        }
        return fees
    }
}
