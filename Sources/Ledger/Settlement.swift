import DataIO
/// The settlement "smart contract": deterministic integer code that turns a clearing's trades into bills. Every
/// entry names the rule version it was made under, and replay applies that version.
///
/// Rule 1: a trade's value is energy (Wh) x price (micro-units per kWh) / 1000, rounded half away from zero. A
/// party's bill for a clearing is the value of what it bought minus the value of what it sold, over the clearing's
/// trades; every party that appears in a trade (the grid, the pool and the storage operator included) gets one,
/// in byte order of the party names. The bills of a clearing add up to exactly zero. Grid and pool trades must be
/// priced at the clearing's tariff of their period: grid import (seller `grid`) at the import price, grid export
/// (buyer `grid`) at the export price, pool purchases (seller `pool`) at pool price + fee (the shared storage,
/// `shared_storage`, pays no fee), pool sales (buyer `pool`) at the pool price. A `charge` trade is worth its price.
public enum SettlementRule {
    public static let current: UInt16 = 1
    public static let supported: Set<UInt16> = [1]

    /// The bills of one clearing's trades.
    public static func bills(for trades: [TradeRecord]) -> [BillRecord] {
        var amount: [String: Int64] = [:]
        var count: [String: UInt32] = [:]
        for t in trades {
            let v = t.value
            amount[t.buyer, default: 0] &+= v
            amount[t.seller, default: 0] &-= v
            count[t.buyer, default: 0] += 1
            count[t.seller, default: 0] += 1
        }
        return amount.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }.map {
            BillRecord(party: $0, amount: amount[$0]!, trades: count[$0]!)
        }
    }

    /// The tariff price a grid or pool trade must carry, or nil when the rule sets none (market and storage
    /// service trades, and trades that involve neither `grid` nor `pool` as counterparty).
    static func requiredPrice(_ t: TradeRecord, tariff: Tariff) -> Int64? {
        switch t.kind {
        case .grid: t.seller == "grid" ? tariff.importPrice : (t.buyer == "grid" ? tariff.exportPrice : nil)
        case .pool:
            t.seller == "pool"
                ? tariff.poolPrice + (t.buyer == "shared_storage" ? 0 : tariff.poolFee)
                : (t.buyer == "pool" ? tariff.poolPrice : nil)
        case .market, .storageService, .charge: nil
        }
    }
}

/// One clearing as replay saw it.
public struct ReplayedClearing: Sendable {
    public var clearing: String
    public var ruleVersion: UInt16
    public var trades: Int
    public var bills: [BillRecord]
    /// Sum of the logged bills (0 when the rule holds).
    public var total: Int64
}

/// Recomputes every bill from the logged trades and tariffs and compares it with the logged bill.
public enum LedgerReplay {
    /// Entries in ledger order. Throws `LedgerError.replay` naming the clearing, party and entry at the first
    /// difference.
    public static func run(_ entries: [(index: Int, entry: LedgerEntry)]) throws -> [ReplayedClearing] {
        var order: [String] = []
        var trades: [String: [TradeRecord]] = [:]
        var tariffs: [String: [Int64: Tariff]] = [:]
        var bills: [String: [(index: Int, bill: BillRecord)]] = [:]
        var rules: [String: UInt16] = [:]
        for (index, e) in entries {
            if case .key = e.record { continue }
            guard SettlementRule.supported.contains(e.ruleVersion) else {
                throw LedgerError.replay("entry \(index): settlement rule \(e.ruleVersion) is unknown to this version")
            }
            if rules[e.clearing] == nil { order.append(e.clearing); rules[e.clearing] = e.ruleVersion }
            guard rules[e.clearing] == e.ruleVersion else {
                throw LedgerError.replay("entry \(index): clearing \(e.clearing) mixes settlement rules")
            }
            switch e.record {
            case .trade(let t):
                guard bills[e.clearing] == nil else {
                    throw LedgerError.replay("entry \(index): a trade of clearing \(e.clearing) after its bills")
                }
                trades[e.clearing, default: []].append(t)
                if t.kind == .grid || t.kind == .pool {
                    guard let tariff = tariffs[e.clearing]?[t.periodStart] else {
                        throw LedgerError.replay(
                            "entry \(index): \(t.kind.name) trade with no tariff for its period in "
                                + "clearing \(e.clearing)")
                    }
                    if let price = SettlementRule.requiredPrice(t, tariff: tariff), price != t.price {
                        throw LedgerError.replay(
                            "entry \(index): \(t.kind.name) trade \(t.seller) -> \(t.buyer) at "
                                + "\(t.price) micro-units per kWh; the tariff says \(price)")
                    }
                }
            case .tariff(let t):
                tariffs[e.clearing, default: [:]][t.periodStart] = t
            case .bill(let b):
                bills[e.clearing, default: []].append((index, b))
            case .key:
                break
            }
        }
        var out: [ReplayedClearing] = []
        for clearing in order {
            let logged = bills[clearing] ?? []
            let ts = trades[clearing] ?? []
            let expected = SettlementRule.bills(for: ts)
            if logged.count != expected.count {
                throw LedgerError.replay(
                    "clearing \(clearing): \(counted(logged.count, "bill")) logged, the rule gives "
                        + "\(expected.count)")
            }
            for (have, want) in zip(logged, expected) where have.bill != want {
                throw LedgerError.replay(
                    "clearing \(clearing), entry \(have.index): bill of \(have.bill.party) is "
                        + "\(LedgerUnits.currency(have.bill.amount)); replay gives \(want.party) "
                        + "\(LedgerUnits.currency(want.amount))")
            }
            let total = logged.reduce(Int64(0)) { $0 &+ $1.bill.amount }
            out.append(
                ReplayedClearing(
                    clearing: clearing, ruleVersion: rules[clearing]!, trades: ts.count,
                    bills: logged.map(\.bill), total: total))
        }
        return out
    }
}
