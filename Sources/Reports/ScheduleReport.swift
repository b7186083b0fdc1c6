import DataIO
import Foundation
import LinearProgramming
import Optimize

/// The output files of `peergrid schedule` (spec/community.md, "Outputs").
public enum ScheduleReport {
    /// ISO 8601 UTC, seconds precision.
    public static func iso(_ d: Date) -> String { UTCTime.string(d) }

    /// A flow for CSV: below 1e-6 in magnitude is written as 0.
    public static func num(_ x: Double) -> String {
        if abs(x) < 1e-6 { return "0" }
        return String(format: "%.6f", x)
    }

    /// `schedule.csv`: one row per (prosumer, period), then the shared storage's rows.
    public static func csv(_ c: Community, _ r: ScheduleResult) -> String {
        var out =
            "prosumer,period,timestamp,load_kw,pv_kw,curtail_kw,grid_import_kw,grid_export_kw,pool_buy_kw,pool_sell_kw,battery_charge_kw,battery_discharge_kw,battery_soc_kwh,flexible_kw\n"
        let stamps = (0..<c.periods).map { iso(c.timestamp($0)) }
        for (i, p) in c.prosumers.enumerated() {
            for (t, f) in r.flows[i].enumerated() {
                let soc = f.batterySoC.map(num) ?? ""
                out += "\(CSV.field(p.id)),\(t),\(stamps[t]),\(num(f.load)),\(num(f.pv)),\(num(f.curtail)),\(num(f.gridImport)),"
                out +=
                    "\(num(f.gridExport)),\(num(f.poolBuy)),\(num(f.poolSell)),\(num(f.batteryCharge)),\(num(f.batteryDischarge)),\(soc),\(num(f.flexible))\n"
            }
        }
        for (t, s) in r.shared.enumerated() {
            out += "shared_storage,\(t),\(stamps[t]),,,,,,,,\(num(s.charge)),\(num(s.discharge)),\(num(s.soc)),\n"
        }
        return out
    }

    /// `summary.json`.
    public static func summary(_ c: Community, _ r: ScheduleResult) -> JSON {
        var pairs: [(String, JSON)] = [
            ("community", .string(c.name)),
            ("status", .string(r.status.rawValue)),
            ("objective", .number(r.objective)),
            ("best_bound", .number(r.bestBound)),
            ("gap", .number(r.gap)),
            ("solver", .string(r.solver)),
            ("build_seconds", .number(r.buildSeconds)),
            ("handover_seconds", .number(r.handoverSeconds)),
            ("solve_seconds", .number(r.solveSeconds)),
            ("rounds", .integer(r.rounds)),
            ("variables", .integer(r.variables)),
            ("integer_variables", .integer(r.integerVariables)),
            ("constraints", .integer(r.constraints))
        ]
        if let s = r.settlement {
            pairs.append(("bills", .object(s.bills.map { ($0.id, .number($0.bill)) })))
            pairs.append(("pool_price", .array(s.poolPrice.map { .number($0) })))
            pairs.append(("storage_settlement", .number(s.storageSettlement)))
            pairs.append(("fees_collected", .number(s.feesCollected)))
        } else {
            pairs.append(("bills", .null))
            pairs.append(("pool_price", .array(c.poolPrice.map { .number($0) })))
        }
        pairs.append(("standalone_cost", .number(r.standaloneCost)))
        if let b = r.standaloneBills { pairs.append(("standalone_bills", .object(b.map { ($0.id, .number($0.bill)) }))) }
        pairs.append(("savings", .number(r.savings)))
        if let d = r.diagnosis { pairs.append(("diagnosis", .string(d.sentence))) }
        if !r.message.isEmpty { pairs.append(("message", .string(r.message))) }
        return .object(pairs)
    }

    /// The short human summary printed by `peergrid schedule`.
    public static func text(_ c: Community, _ r: ScheduleResult) -> String {
        func money(_ x: Double?) -> String { TextNumber.fixed(x, decimals: 4) }
        var lines = [
            "community \(c.name): \(counted(c.prosumers.count, "prosumer")), \(c.periods) periods of \(c.periodMinutes) min",
            "status    \(r.status.rawValue)\(r.message.isEmpty ? "" : " (\(r.message))")"
        ]
        if r.status.hasSolution {
            lines.append("cost      \(money(r.objective))   bound \(money(r.bestBound))   gap \(r.gap.map { String(format: "%.2e", $0) } ?? "-")")
            if let s = r.standaloneCost, let v = r.savings {
                let note = v < -1e-9 ? "  (negative: a community limit binds)" : ""
                lines.append("stand-alone \(money(s))   savings \(money(v))\(note)")
            }
        }
        if let d = r.diagnosis { lines.append("diagnosis \(d.sentence)") }
        lines.append("model     \(r.variables) variables (\(r.integerVariables) integer), \(r.constraints) constraints, \(r.rounds) round(s)")
        lines.append(String(format: "time      build %.3f s, hand-over %.3f s, solve %.3f s (%@)", r.buildSeconds, r.handoverSeconds, r.solveSeconds, r.solver))
        return lines.joined(separator: "\n")
    }
}
