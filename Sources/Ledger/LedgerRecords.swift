import Foundation
import Market
import Optimize

/// Turns what the models produce (a schedule, a market clearing, a storage pricing run) into ledger records.
/// Energies are rounded to whole Wh and prices to micro-units per kWh; flows below 0.5 Wh are not trades.
public enum LedgerRecords {
    /// The counterparties the settlement rule knows.
    public static let grid = "grid", pool = "pool", sharedStorage = "shared_storage", marketOperator = "market_operator"

    static func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded()) }

    static func price(_ p: Double, _ what: String) throws -> Int64 {
        guard let v = LedgerUnits.micro(p) else { throw LedgerError.badInput("\(what): price \(p) cannot be recorded") }
        return v
    }

    static func trade(
        _ kind: TradeKind, start: Int64, seconds: UInt32, seller: String, buyer: String, kWh: Double,
        price: Int64
    ) -> LedgerRecord? {
        guard let wh = LedgerUnits.wattHours(kWh: kWh), wh > 0 else { return nil }
        return .trade(
            TradeRecord(
                kind: kind, periodStart: start, periodSeconds: seconds, seller: seller, buyer: buyer,
                energyWh: wh, price: price))
    }

    /// A schedule's money flows: per period a tariff, then every prosumer's grid and pool trades and the shared
    /// storage's pool trades.
    public static func schedule(_ result: ScheduleResult, community: Community) throws -> [LedgerRecord] {
        guard let settlement = result.settlement, result.flows.count == community.prosumers.count else {
            throw LedgerError.badInput("the schedule has no solution to record")
        }
        let dt = community.hoursPerPeriod
        let seconds = UInt32(community.periodMinutes * 60)
        let fee = try price(community.p2p.feePerKWh, "pool fee")
        var records: [LedgerRecord] = []
        for t in 0..<community.periods {
            let start = Self.seconds(community.timestamp(t))
            let importPrice = try price(community.grid.importPrice[t], "import price, period \(t)")
            let exportPrice = try price(community.grid.exportPrice[t], "export price, period \(t)")
            let poolPrice = try price(settlement.poolPrice[t], "pool price, period \(t)")
            records.append(
                .tariff(
                    Tariff(
                        periodStart: start, periodSeconds: seconds, importPrice: importPrice,
                        exportPrice: exportPrice, poolPrice: poolPrice, poolFee: fee)))
            for (i, p) in community.prosumers.enumerated() {
                let f = result.flows[i][t]
                records += [
                    trade(
                        .grid, start: start, seconds: seconds, seller: grid, buyer: p.id, kWh: f.gridImport * dt,
                        price: importPrice),
                    trade(
                        .grid, start: start, seconds: seconds, seller: p.id, buyer: grid, kWh: f.gridExport * dt,
                        price: exportPrice),
                    trade(
                        .pool, start: start, seconds: seconds, seller: pool, buyer: p.id, kWh: f.poolBuy * dt,
                        price: poolPrice + fee),
                    trade(
                        .pool, start: start, seconds: seconds, seller: p.id, buyer: pool, kWh: f.poolSell * dt,
                        price: poolPrice)
                ].compactMap { $0 }
            }
            if t < result.shared.count {
                let s = result.shared[t]
                records += [
                    trade(
                        .pool, start: start, seconds: seconds, seller: pool, buyer: sharedStorage, kWh: s.charge * dt,
                        price: poolPrice),
                    trade(
                        .pool, start: start, seconds: seconds, seller: sharedStorage, buyer: pool,
                        kWh: s.discharge * dt, price: poolPrice)
                ].compactMap { $0 }
            }
        }
        return records
    }

    /// A market clearing's trades. A trade whose buyer and seller prices differ goes through the market operator
    /// (two trades); fees a mechanism charges (MUDA's) are `charge` records to the operator.
    public static func market(_ result: MarketResult, start: Date, periodMinutes: Int) throws -> [LedgerRecord] {
        let seconds = UInt32(periodMinutes * 60)
        var records: [LedgerRecord] = []
        for tr in result.trades {
            let begin = Self.seconds(start.addingTimeInterval(Double(tr.period * periodMinutes * 60)))
            let buy = try price(tr.buyerPrice, "trade \(tr.seller) -> \(tr.buyer)")
            let sell = try price(tr.sellerPrice, "trade \(tr.seller) -> \(tr.buyer)")
            if buy == sell {
                records += [
                    trade(
                        .market, start: begin, seconds: seconds, seller: tr.seller, buyer: tr.buyer,
                        kWh: tr.quantity, price: buy)
                ].compactMap { $0 }
            } else {
                records += [
                    trade(
                        .market, start: begin, seconds: seconds, seller: tr.seller, buyer: marketOperator,
                        kWh: tr.quantity, price: sell),
                    trade(
                        .market, start: begin, seconds: seconds, seller: marketOperator, buyer: tr.buyer,
                        kWh: tr.quantity, price: buy)
                ].compactMap { $0 }
            }
        }
        for p in result.payments where p.fees != 0 {
            guard let amount = LedgerUnits.micro(p.fees) else { throw LedgerError.badInput("fee of \(p.bidder)") }
            if amount != 0 {
                records.append(
                    .trade(
                        TradeRecord(
                            kind: .charge, periodStart: Self.seconds(start), periodSeconds: seconds,
                            seller: marketOperator, buyer: p.bidder, energyWh: 0, price: amount)))
            }
        }
        return records
    }

    /// A storage pricing run's service trades: each prosumer pays the storage operator the charge price per kWh
    /// charged and the discharge price per kWh discharged.
    public static func pricing(_ result: PricingResult, community: Community, storageOperator: String) throws
        -> [LedgerRecord]
    {
        guard !result.outcomes.isEmpty, !result.prices.isEmpty else {
            throw LedgerError.badInput("the pricing run has no solution to record")
        }
        let dt = community.hoursPerPeriod
        let seconds = UInt32(community.periodMinutes * 60)
        var records: [LedgerRecord] = []
        for o in result.outcomes {
            guard let path = result.prices.first(where: { $0.id == nil || $0.id == o.id })?.path else { continue }
            for t in 0..<min(community.periods, o.charge.count, path.charge.count) {
                let start = Self.seconds(community.timestamp(t))
                records += [
                    trade(
                        .storageService, start: start, seconds: seconds, seller: storageOperator, buyer: o.id,
                        kWh: o.charge[t] * dt, price: try price(path.charge[t], "charge price, period \(t)")),
                    trade(
                        .storageService, start: start, seconds: seconds, seller: storageOperator, buyer: o.id,
                        kWh: o.discharge[t] * dt, price: try price(path.discharge[t], "discharge price, period \(t)"))
                ].compactMap { $0 }
            }
        }
        return records
    }
}
