import DataIO
import Foundation
import LinearProgramming
import Optimize

/// The output files of `peergrid price` (spec/pricing.md, "Outputs").
public enum PricingReport {
    /// `prices.csv`: `period,timestamp,charge_price,discharge_price`, with a `prosumer` column first in
    /// personalized mode.
    public static func csv(_ c: Community, _ r: PricingResult) -> String {
        let stamps = (0..<c.periods).map { ScheduleReport.iso(c.timestamp($0)) }
        let personalized = r.mode == .personalized
        var out = (personalized ? "prosumer," : "") + "period,timestamp,charge_price,discharge_price\n"
        for (id, path) in r.prices {
            for t in 0..<c.periods {
                if personalized { out += CSV.field(id ?? "") + "," }
                out += "\(t),\(stamps[t]),\(price(path.charge[t])),\(price(path.discharge[t]))\n"
            }
        }
        return out
    }

    /// A price as the pricer found it (prices are snapped to 1e-9): nine decimals, trailing zeros dropped.
    /// Six decimals are not enough: the leader's best prices sit where a follower is indifferent (the optimistic
    /// convention), and a price rounded up by 5e-7 can tip that follower to another answer and change the profit.
    static func price(_ x: Double) -> String {
        if abs(x) < 5e-10 { return "0" }
        var s = String(format: "%.9f", x)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// `pricing.json`.
    public static func summary(_ c: Community, _ p: PricingProblem, _ r: PricingResult) -> JSON {
        var pairs: [(String, JSON)] = [
            ("community", .string(c.name)),
            ("mode", .string(r.mode.rawValue)),
            ("status", .string(r.status.rawValue)),
            ("profit", .number(r.profit)),
            ("best_bound", .number(r.bestBound)),
            ("gap", .number(r.gap)),
            ("solver", .string(r.solver)),
            ("build_seconds", .number(r.buildSeconds)),
            ("solve_seconds", .number(r.solveSeconds)),
            ("check_seconds", .number(r.checkSeconds)),
            ("check", r.check.map { .object([("passed", .bool($0.passed)), ("recomputed_profit", .number($0.recomputedProfit))]) } ?? .null),
            ("variables", .integer(r.variables)),
            ("integer_variables", .integer(r.integerVariables)),
            ("constraints", .integer(r.constraints))
        ]
        if let m = r.bigM {
            pairs.append(
                (
                    "big_m",
                    .object([
                        ("storage_dual", .number(m.storageDual)), ("balance_dual", .number(m.balanceDual)),
                        ("largest_multiplier", .number(m.largestMultiplier)), ("largest_primal", .number(m.largestPrimal))
                    ])
                ))
        }
        pairs.append(("widenings", .integer(r.widenings)))
        pairs.append(("operator_cost_per_kwh", .number(p.operatorCostPerKWh)))
        pairs.append(
            (
                "prosumers",
                .array(
                    r.outcomes.map { o in
                        .object([
                            ("id", .string(o.id)),
                            ("bill_with_storage", .number(o.billWithStorage)),
                            ("bill_without_storage", .number(o.billWithoutStorage)),
                            ("savings", .number(o.savings)),
                            ("charged_kwh", .number(o.chargedKWh)),
                            ("discharged_kwh", .number(o.dischargedKWh)),
                            ("profit", .number(o.profit))
                        ])
                    })
            ))
        pairs.append(("notes", .array(r.notes.map { .string($0) })))
        if !r.message.isEmpty { pairs.append(("message", .string(r.message))) }
        return .object(pairs)
    }

    /// The human summary printed by `peergrid price`.
    public static func text(_ c: Community, _ p: PricingProblem, _ r: PricingResult) -> String {
        func money(_ x: Double?) -> String { TextNumber.fixed(x, decimals: 4) }
        var lines = [
            "community \(c.name): \(counted(c.prosumers.count, "prosumer")), \(c.periods) periods, \(r.mode.rawValue) prices, \(r.solver)",
            "status    \(r.status.rawValue)\(r.message.isEmpty ? "" : " (\(r.message))")"
        ]
        guard r.status.hasSolution else { return lines.joined(separator: "\n") }
        lines.append("profit    \(money(r.profit))   bound \(money(r.bestBound))   gap \(r.gap.map { String(format: "%.2e", $0) } ?? "-")")
        if let ch = r.check {
            lines.append("check     \(ch.passed ? "passed" : "FAILED"): followers re-solved at these prices give profit \(money(ch.recomputedProfit))")
        }
        for (id, path) in r.prices {
            if let id { lines.append("prices of \(id)") }
            lines.append("charge    \(glance(path.charge))")
            lines.append("discharge \(glance(path.discharge))")
        }
        lines.append("prosumer        bill without   bill with     saves   charged kWh  discharged kWh")
        for o in r.outcomes {
            // A saving within the solver's tolerance of zero (the price that leaves a follower indifferent) is shown
            // as zero, and the bill with storage as the bill without, so that a row never reads as a follower paying
            // more for a service it chose (pricing.json keeps the exact values).
            let indifferent = abs(o.savings) < 1e-6
            lines.append(
                o.id.padding(toLength: 14, withPad: " ", startingAt: 0)
                    + String(
                        format: "%14.4f%11.4f%10.4f%14.3f%16.3f", o.billWithoutStorage, indifferent ? o.billWithoutStorage : o.billWithStorage,
                        indifferent ? 0.0 : o.savings, TextNumber.unsignedZero(o.chargedKWh, decimals: 3),
                        TextNumber.unsignedZero(o.dischargedKWh, decimals: 3)))
        }
        if let m = r.bigM {
            lines.append(
                String(
                    format: "big-M     energy dual %.4g, meter dual +%.4g, multipliers <= %.4g, primal <= %.4g%@",
                    m.storageDual, m.balanceDual, m.largestMultiplier, m.largestPrimal,
                    r.widenings > 0 ? " (widened \(r.widenings)x)" : ""))
        }
        if r.pricesGiven {
            lines.append(String(format: "time      evaluation %.3f s (given prices: no MILP)", r.solveSeconds))
        } else {
            lines.append(
                String(
                    format: "time      build %.3f s, solve %.3f s, check %.3f s; %d variables (%d integer), %d constraints",
                    r.buildSeconds, r.solveSeconds, r.checkSeconds, r.variables, r.integerVariables, r.constraints))
        }
        for n in r.notes { lines.append("note      \(n)") }
        return lines.joined(separator: "\n")
    }

    /// Prices at a glance: min, mean, max and where the maximum lies.
    static func glance(_ x: [Double]) -> String {
        guard let lo = x.min(), let hi = x.max() else { return "-" }
        let mean = x.reduce(0, +) / Double(x.count)
        let peaks = x.indices.filter { x[$0] >= hi - 1e-9 }
        let (a, b, c) = (TextNumber.unsignedZero(lo, decimals: 4), TextNumber.unsignedZero(mean, decimals: 4), TextNumber.unsignedZero(hi, decimals: 4))
        return String(format: "min %.4f  mean %.4f  max %.4f", a, b, c) + " at " + InfeasibilityDiagnosis.ranges(peaks)
    }
}
