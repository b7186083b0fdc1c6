import Control
import Foundation

/// The comparison of battery controllers on held-out days: a text table, its JSON (per policy: cost, the
/// CityLearn KPIs and `share_of_optimal_savings`) and a chart of cost by policy.
public enum ControlReport {
    /// One line per policy: cost, share of the perfect-foresight savings and the KPIs (ratios to no battery).
    public static func table(_ c: ControlComparison) -> String {
        let t = TextTable([
            .init("policy", max(18, (c.scores.map(\.name.count).max() ?? 0) + 2), left: true), .init("cost", 11), .init("share", 8, gap: 1),
            .init("cost/base", 10, gap: 1),
            .init("daily peak", 11, gap: 1), .init("peak", 7, gap: 1), .init("ramping", 8, gap: 1), .init("1-load f.", 10, gap: 1)
        ])
        func f(_ x: Double, _ format: String = "%.3f") -> String { x.isFinite ? String(format: format, x) : "-" }
        var rows = [["no-battery", f(c.baseline.cost, "%.4f"), "0.000", "1.000", "1.000", "1.000", "1.000", "1.000"]]
        for s in c.scores {
            let k = s.kpis
            rows.append([
                s.name, f(s.run.cost, "%.4f"), f(k.shareOfOptimalSavings), f(k.cost), f(k.dailyPeak), f(k.allTimePeak), f(k.ramping),
                f(k.oneMinusLoadFactor)
            ])
        }
        return t.render(rows)
    }

    /// The comparison as JSON.
    public static func json(_ c: ControlComparison, extra: [(String, JSON)] = []) -> JSON {
        .object(
            [
                ("prosumer", .string(c.prosumer)), ("test_days", .array(c.dayLabels.map { .string($0) })),
                ("no_battery_cost", .number(c.baseline.cost)), ("perfect_foresight_cost", .number(c.optimalCost)),
                ("days_below_optimum", .integer(c.belowOptimum.count)),
                (
                    "policies",
                    .array(
                        c.scores.map { s in
                            .object([
                                ("name", .string(s.name)), ("cost", .number(s.run.cost)),
                                ("share_of_optimal_savings", .number(s.kpis.shareOfOptimalSavings)),
                                (
                                    "kpis",
                                    .object([
                                        ("cost", .number(s.kpis.cost)), ("daily_peak", .number(s.kpis.dailyPeak)),
                                        ("all_time_peak", .number(s.kpis.allTimePeak)), ("ramping", .number(s.kpis.ramping)),
                                        ("one_minus_load_factor", .number(s.kpis.oneMinusLoadFactor))
                                    ])
                                ),
                                ("daily_cost", .array(s.run.dailyCost.map { .number($0) })),
                                ("clamped_actions", .integer(s.run.clamped))
                            ])
                        })
                )
            ] + extra)
    }

    /// Grouped bars: each policy's cost on the test days per prosumer, as a share of the no-battery cost.
    public static func costChart(_ comparisons: [ControlComparison]) -> String {
        let names = comparisons.first?.scores.map(\.name) ?? []
        return SVGChart.groupedBars(
            title: "Cost on held-out days, relative to no battery (lower is better)", categories: comparisons.map(\.prosumer),
            series: names.enumerated().map { k, n in
                ChartSeries(n, comparisons.map { c in c.scores.first { $0.name == n }?.kpis.cost ?? .nan }, color: SVGChart.palette[k % SVGChart.palette.count])
            }, yLabel: "cost / no-battery cost")
    }
}
