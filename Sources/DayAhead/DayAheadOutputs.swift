import DataIO
import Anomalies
import Forecast
import Foundation
import LinearProgramming
import Optimize
import Reports
import ResultStore

/// The files of a day-ahead run (`Reports/<community>/<date>/`): `report.html`, `report.md` (+ `charts/*.svg`),
/// `forecast.csv`, `schedule.csv`, `prices.csv` and `summary.json`.
public enum DayAheadOutputs {
    /// Every output file, for ``OutputFiles/writeDirectory(_:to:)``.
    public static func files(_ r: DayAheadResult) -> [(name: String, text: String)] {
        var out: [(name: String, text: String)] = [
            ("forecast.csv", forecastCSV(r)), ("prices.csv", pricesCSV(r)),
            ("summary.json", summary(r).serialized() + "\n")
        ]
        if r.schedule.status.hasSolution { out.insert(("schedule.csv", ScheduleReport.csv(r.community, r.schedule)), at: 1) }
        return out + report(r).files()
    }

    /// `prosumer,series,period,timestamp,model,forecast_kw,lower_95_kw,upper_95_kw,actual_kw` (the interval's columns
    /// named after ``DayAheadOptions/level``: `lower_80_kw` at 80 %; actual empty when
    /// the history does not cover the day).
    public static func forecastCSV(_ r: DayAheadResult) -> String {
        let L = percentLabel(r.options.level)
        var s = "prosumer,series,period,timestamp,model,forecast_kw,lower_\(L)_kw,upper_\(L)_kw,actual_kw\n"
        for f in r.forecasts {
            for t in 0..<r.community.periods {
                let a = f.actual.map { String(format: "%.6f", $0[t]) } ?? ""
                s += "\(CSV.field(f.source.prosumer)),\(f.source.kind.rawValue),\(t),\(ScheduleReport.iso(r.community.timestamp(t))),\(f.model),"
                s += String(format: "%.6f,%.6f,%.6f,", f.point[t], f.lower[t], f.upper[t]) + a + "\n"
            }
        }
        return s
    }

    /// The storage prices in spec/pricing.md's format; when pricing was skipped, the header alone.
    public static func pricesCSV(_ r: DayAheadResult) -> String {
        if let p = r.pricing, p.status.hasSolution { return PricingReport.csv(r.community, p) }
        return "period,timestamp,charge_price,discharge_price\n"
    }

    /// `metered_day` of summary.json: whether the plan holds anything, its cost on the forecasts, kept on the metered
    /// day and the day's optimum (null where there is no schedule), their statuses and the forecast errors' cost (null
    /// when nothing is held).
    static func meteredDayJSON(_ d: MeteredDay) -> JSON {
        .object([
            ("holds_decisions", .bool(d.holdsDecisions)), ("planned_cost", .number(d.planCost)), ("kept_status", .string(d.keptStatus.rawValue)),
            ("kept_cost", d.keptCost.map { .number($0) } ?? .null),
            ("optimum_status", .string(d.optimumStatus.rawValue)), ("optimum_cost", d.optimumCost.map { .number($0) } ?? .null),
            ("forecast_error_cost", d.forecastErrorCost.map { .number($0) } ?? .null), ("seconds", .number(d.seconds))
        ])
    }

    /// Mean absolute percentage error of the community's total load forecast against the actuals (percent).
    public static func totalLoadMAPE(_ r: DayAheadResult) -> Double? {
        let loads = r.forecasts.filter { $0.source.kind == .load }
        guard !loads.isEmpty, loads.allSatisfy({ $0.actual != nil }) else { return nil }
        let point = (0..<r.community.periods).map { t in loads.reduce(0) { $0 + $1.point[t] } }
        let actual = (0..<r.community.periods).map { t in loads.reduce(0) { $0 + $1.actual![t] } }
        return Metrics.mape(actual, point)
    }

    /// `summary.json`.
    public static func summary(_ r: DayAheadResult) -> JSON {
        let series: [JSON] = r.forecasts.map { f in
            var pairs: [(String, JSON)] = [
                ("prosumer", .string(f.source.prosumer)), ("series", .string(f.source.kind.rawValue)),
                ("model", .string(f.model)), ("file", .string(f.source.file)), ("column", .string(f.source.column)),
                ("observations", .integer(f.observations)),
                ("selection_mae_kw", .object(f.selection.map { ($0.model, .number($0.mae)) }))
            ]
            if let a = f.actual {
                pairs.append(("mae_vs_actual_kw", .number(Metrics.mae(a, f.point))))
                pairs.append(("coverage_vs_actual", .number(Metrics.coverage(a, lower: f.lower, upper: f.upper))))
            }
            return .object(pairs)
        }
        let pricing: JSON
        if let p = r.pricing, let problem = r.pricingProblem {
            pricing = PricingReport.summary(r.community, problem, p)
        } else {
            pricing = .object([("status", .string("skipped")), ("reason", .string(r.pricingSkipped ?? ""))])
        }
        return .object(
            [
                ("community", .string(r.community.name)),
                ("date", .string(r.date)),
                ("start", .string(ScheduleReport.iso(r.community.start))),
                ("period_minutes", .integer(r.community.periodMinutes)),
                ("periods", .integer(r.community.periods)),
                ("status", .string(r.schedule.status.rawValue)),
                ("run_key", .string(r.runKey)),
                (
                    "forecast",
                    .object([
                        ("model", .string(r.options.model)),
                        ("calibration_days", .integer(r.options.calibrationDays)), ("aci_days", .integer(r.options.aciDays)),
                        ("interval_level", .number(r.options.level)),
                        ("holidays", r.options.holidays.map { h in .array(h.dates.map { .string($0) }) } ?? .null),
                        ("total_load_mape_vs_actual", .number(totalLoadMAPE(r))),
                        ("series", .array(series))
                    ])
                ),
                ("schedule", ScheduleReport.summary(r.community, r.schedule)),
                ("pricing", pricing)
            ] + (r.market.map { [("market", $0.summary)] } ?? []) + (r.meteredDay.map { [("metered_day", meteredDayJSON($0))] } ?? []) + [
                (
                    "inputs",
                    .object([
                        ("community_file", .string(r.communityFile)), ("community_fnv1a64", .string(r.communityHash)),
                        ("history_files", .array(r.historyFiles.map { .string($0) })), ("history_fnv1a64", .string(r.historyHash)),
                        ("provenance", .array(r.provenance.map { .string($0) }))
                    ])
                ),
                (
                    "timings",
                    .object([
                        ("forecast_seconds", .number(r.forecastSeconds)), ("schedule_seconds", .number(r.scheduleSeconds)),
                        ("pricing_seconds", .number(r.pricingSeconds)), ("total_seconds", .number(r.totalSeconds))
                    ])
                )
            ])
    }

    /// The row for the results store.
    public static func record(_ r: DayAheadResult, reportDirectory: String) -> RunRecord {
        let models = JSON.object(r.forecasts.map { ("\($0.source.prosumer)/\($0.source.kind.rawValue)", .string($0.model)) })
        let prices = JSON.array(
            (r.pricing?.prices ?? []).map { p in
                .object([
                    ("prosumer", p.id.map { .string($0) } ?? .null), ("charge", .array(p.path.charge.map { .number($0) })),
                    ("discharge", .array(p.path.discharge.map { .number($0) }))
                ])
            })
        let s = r.schedule
        return RunRecord(
            runKey: r.runKey, community: r.community.name, date: r.date, finishedAt: ScheduleReport.iso(Date()),
            status: s.status.rawValue, solver: r.options.solver.rawValue, model: r.options.model,
            modelsJSON: models.serialized(pretty: false), communityHash: r.communityHash, historyHash: r.historyHash,
            settingsJSON: r.options.fingerprintText, cost: s.objective, standaloneCost: s.standaloneCost,
            savings: s.savings, gap: s.gap, pricingStatus: r.pricing?.status.rawValue ?? "skipped",
            profit: r.pricing?.profit, pricesJSON: prices.serialized(pretty: false), forecastMAPE: totalLoadMAPE(r),
            forecastSeconds: r.forecastSeconds, scheduleSeconds: r.scheduleSeconds, pricingSeconds: r.pricingSeconds,
            totalSeconds: r.totalSeconds, reportDirectory: reportDirectory, keptCost: r.meteredDay?.keptCost,
            hindsightCost: r.meteredDay?.optimumCost, forecastErrorCost: r.meteredDay?.forecastErrorCost)
    }

    // MARK: - The report

    static func money(_ x: Double?) -> String { x.map { String(format: "%.2f", abs($0) < 0.005 ? 0 : $0) } ?? "-" }
    static func kw(_ x: Double) -> String { String(format: "%.2f", x) }

    /// The human-readable report, one section after another.
    public static func report(_ r: DayAheadResult) -> ReportDocument {
        var doc = ReportDocument(title: "Day-ahead plan: \(r.community.name), \(r.date)")
        summarySection(r, &doc)
        forecastSection(r, &doc)
        anomalySection(r, &doc)
        if r.schedule.status.hasSolution { flowSections(r, &doc) }
        priceSection(r, &doc)
        billSection(r, &doc)
        if let m = r.market { for block in m.blocks(r.community) { doc.add(block) } }
        solverSection(r, &doc)
        provenanceSection(r, &doc)
        return doc
    }

    /// Summary: the community, the schedule's and pricing's outcome, the forecast's error on the day.
    static func summarySection(_ r: DayAheadResult, _ doc: inout ReportDocument) {
        let c = r.community, s = r.schedule
        let T = c.periods
        let modelCounts = Dictionary(grouping: r.forecasts, by: \.model).map { "\($0.key) x\($0.value.count)" }.sorted()
        var facts = [
            "\(counted(c.prosumers.count, "prosumer")), \(T) periods of \(c.periodMinutes) minutes from \(ScheduleReport.iso(c.start)).",
            "Schedule: \(s.status.rawValue) with \(s.solver), community cost \(money(s.objective)), stand-alone cost \(money(s.standaloneCost)), savings \(money(s.savings))\(s.savings.map { $0 < 0 ? " (negative: a community limit binds)" : "" } ?? "").",
            "Forecasts (\(r.options.model)): " + modelCounts.joined(separator: ", ") + "."
        ]
        if let p = r.pricing {
            facts.append(
                "Storage pricing (\(p.mode.rawValue)): \(p.status.rawValue), operator profit \(money(p.profit)), gap \(p.gap.map { String(format: "%.1e", $0) } ?? "-"), check \(p.check.map { $0.passed ? "passed" : "FAILED" } ?? "-")."
            )
        } else {
            facts.append("Storage pricing skipped: \(r.pricingSkipped ?? "").")
        }
        if let m = totalLoadMAPE(r) {
            facts.append(String(format: "The history covers the day: the community's total load forecast was %.2f %% off (MAPE).", m))
        }
        if let d = r.meteredDay {
            facts.append(
                "On the metered day\(d.holdsDecisions ? " (the homes' batteries and flexible loads as planned; grid, pool, curtailment and shared storage dispatched again)" : ""): \(d.sentence)."
            )
        }
        doc.add(.heading("Summary"))
        doc.add(.bullets(facts))
    }

    /// Forecasts against history: a chart per series kind and a table per prosumer and series.
    static func forecastSection(_ r: DayAheadResult, _ doc: inout ReportDocument) {
        let c = r.community
        let T = c.periods
        let loads = r.forecasts.filter { $0.source.kind == .load }, pvs = r.forecasts.filter { $0.source.kind == .pv }
        doc.add(.heading("Forecasts against history"))
        doc.add(
            .paragraph(
                "The last two days of metered history, then the day's forecast with its \(percentLabel(r.options.level)) % prediction interval (the sum of the prosumers' intervals, so wider than a joint interval)\(loads.first?.actual != nil ? " and what was metered on the day" : "")."
            ))
        for (name, group) in [("load", loads), ("PV", pvs)] where !group.isEmpty {
            let recentCount = group.map(\.recent.count).min() ?? 0
            let recent = (0..<recentCount).map { t in group.reduce(0) { $0 + $1.recent[$1.recent.count - recentCount + t] } }
            let nanRecent = [Double](repeating: .nan, count: recentCount)
            let point = (0..<T).map { t in group.reduce(0) { $0 + $1.point[t] } }
            let lower = (0..<T).map { t in group.reduce(0) { $0 + $1.lower[t] } }
            let upper = (0..<T).map { t in group.reduce(0) { $0 + $1.upper[t] } }
            var series = [
                ChartSeries("metered", recent + [Double](repeating: .nan, count: T), color: "#555555"),
                ChartSeries(
                    "forecast", nanRecent + point, color: "#4e79a7", band: (nanRecent + lower, nanRecent + upper),
                    bandLabel: "\(percentLabel(r.options.level)) % interval")
            ]
            if group.allSatisfy({ $0.actual != nil }) {
                series.append(
                    ChartSeries("metered on the day", nanRecent + (0..<T).map { t in group.reduce(0) { $0 + $1.actual![t] } }, color: "#e15759", dashed: true))
            }
            let xl =
                (0..<recentCount).map { dayHourLabel(c.start.addingTimeInterval(Double(($0 - recentCount) * c.periodMinutes * 60))) }
                + (0..<T).map { dayHourLabel(c.timestamp($0)) }
            doc.add(
                .chart(
                    name: "forecast-\(name.lowercased())",
                    svg: SVGChart.line(title: "Community \(name), kW", xLabels: xl, series: series, yLabel: "kW", zeroBased: true)))
        }
        var rows: [[String]] = []
        for f in r.forecasts {
            let sel = f.selection.map { "\($0.model) \(String(format: "%.3f", $0.mae))" }.joined(separator: ", ")
            var row = [f.source.prosumer, f.source.kind.rawValue, f.model, sel.isEmpty ? "-" : sel, "\(f.observations)"]
            if let a = f.actual {
                row += [String(format: "%.3f", Metrics.mae(a, f.point)), String(format: "%.2f", Metrics.coverage(a, lower: f.lower, upper: f.upper))]
            } else {
                row += ["-", "-"]
            }
            rows.append(row)
        }
        doc.add(
            .table(
                header: ["prosumer", "series", "model", "auto: backtest MAE per candidate (kW)", "observations", "MAE on the day (kW)", "interval coverage"],
                rows: rows,
                note:
                    "`auto` fits each candidate on a \(r.options.autoTestDays)-day rolling backtest and keeps the lowest MAE. `zero`: the series was zero for two weeks (no PV). "
                    + (r.options.calibrationDays > 0
                        ? "Intervals: split conformal, from the errors of the same forecaster refitted at the \(counted(r.options.calibrationDays, "day")) before the day"
                            + (r.options.aciDays > 0
                                ? ", the level adapted over the \(counted(r.options.aciDays, "day")) before them (adaptive conformal inference, gamma \(String(format: "%g", Backtest.recommendedAdaptiveGamma)))."
                                : ".")
                        : "Intervals: the models' own \(percentLabel(r.options.level)) % intervals (`--calibration-days` calibrates them).")
                    + holidayNote(r)
            ))
    }

    /// What the holiday calendar did (empty without `--holidays`).
    static func holidayNote(_ r: DayAheadResult) -> String {
        guard let h = r.options.holidays else { return "" }
        let day =
            h.dates.contains(r.date)
            ? " \(r.date) is one of them: each load forecast is its model's forecast for the weekday times the ratio of a Sunday's profile to that weekday's over the four weeks before."
            : ""
        return
            " Holidays: \(counted(h.dates.count, "date")) (days in \(h.timeZone)); the load models forecast them as Sundays and see them at their weekday's level in the history.\(day)"
    }

    /// Meter anomalies in the recent history of every series (``AnomalyDetector``), at most 30 rows.
    static func anomalySection(_ r: DayAheadResult, _ doc: inout ReportDocument) {
        let checked = r.forecasts.filter { $0.anomalyWindowStart != nil }
        guard !checked.isEmpty else { return }
        doc.add(.heading("Meter anomalies in the history"))
        var rows: [[String]] = []
        var kept: [AnomalyFlag] = []
        var shared: [SeriesKind: Int] = [:]
        // Deviations most meters of a kind show at once (a cloud, a cold evening) are the weather, not a meter.
        for kind in SeriesKind.allCases {
            let group = checked.filter { $0.source.kind == kind }
            let masks = SharedDeviation.shared(
                group.map { SharedDeviation.Meter(start: $0.anomalyWindowStart!, step: $0.historyStep, flags: $0.anomalies) })
            for (f, mask) in zip(group, masks) {
                for (flag, isShared) in zip(f.anomalies, mask) {
                    if isShared {
                        shared[kind, default: 0] += 1
                        continue
                    }
                    kept.append(flag)
                    let stamp = UTCTime.string(f.anomalyWindowStart!.addingTimeInterval(Double(flag.start) * f.historyStep))
                    rows.append([
                        stamp, f.source.prosumer, f.source.kind.rawValue, flag.kind.rawValue, "\(flag.length)", String(format: "%.1f", flag.score), flag.reason
                    ])
                }
            }
        }
        let byKind = Dictionary(grouping: kept, by: \.kind).sorted { $0.key.rawValue < $1.key.rawValue }
        let left =
            shared.isEmpty
            ? ""
            : " Left out: "
                + shared.sorted { $0.key.rawValue < $1.key.rawValue }.map {
                    "\(counted($0.value, "flag")) outside the band or spikes that at least half of the \($0.key == .pv ? "PV" : $0.key.rawValue) series show at the same time (the weather or the day, not a meter)"
                }.joined(separator: "; ") + "."
        doc.add(
            .paragraph(
                "The last \(SeriesForecast.anomalyWindowDays) days of each of the \(checked.count) series were checked for reversed flow, sudden zeros, flat lines, spikes, shifted days and readings outside the residual band (`peergrid anomalies` explains each)."
                    + left + " "
                    + (rows.isEmpty
                        ? (shared.isEmpty ? "No reading was flagged." : "No other reading was flagged.")
                        : "\(counted(rows.count, "flag")): " + byKind.map { "\($0.value.count) \($0.key.rawValue)" }.joined(separator: ", ")
                            + (rows.count > 30 ? "; the first 30 by time:" : ":"))))
        if !rows.isEmpty {
            doc.add(
                .table(
                    header: ["from", "prosumer", "series", "kind", "readings", "score", "reason"], rows: Array(rows.sorted { $0[0] < $1[0] }.prefix(30)),
                    note: "Scores: scales of the residual (spike, band, zero), readings (flat line) or the error ratio (shifted day)."))
        }
    }

    /// Energy flows, batteries and pool trades (only with a schedule).
    static func flowSections(_ r: DayAheadResult, _ doc: inout ReportDocument) {
        let c = r.community, s = r.schedule
        let T = c.periods
        let labels = (0..<T).map { hourLabel(c.timestamp($0)) }
        let flows = s.flows
        func total(_ f: (ProsumerPeriod) -> Double) -> [Double] { (0..<T).map { t in flows.reduce(0) { $0 + f($1[t]) } } }
        doc.add(.heading("Energy flows"))
        doc.add(.paragraph("Where the community's energy comes from (above zero) and where it goes (below zero), per period, kW."))
        let shared = s.shared
        let up = [
            ChartSeries("PV used", total { $0.pv - $0.curtail }, color: "#edc948"),
            ChartSeries("grid import", total(\.gridImport), color: "#e15759"),
            ChartSeries("home batteries out", total(\.batteryDischarge), color: "#59a14f"),
            ChartSeries("shared storage out", (0..<T).map { shared.isEmpty ? 0 : shared[$0].discharge }, color: "#76b7b2")
        ]
        let down = [
            ChartSeries("load", total(\.load), color: "#4e79a7"),
            ChartSeries("flexible loads", total(\.flexible), color: "#b07aa1"),
            ChartSeries("grid export", total(\.gridExport), color: "#f28e2b"),
            ChartSeries("home batteries in", total(\.batteryCharge), color: "#9c755f"),
            ChartSeries("shared storage in", (0..<T).map { shared.isEmpty ? 0 : shared[$0].charge }, color: "#bab0ac")
        ]
        doc.add(.chart(name: "flows", svg: SVGChart.stackedBars(title: "Community energy flows, kW", xLabels: labels, up: up, down: down, yLabel: "kW")))

        doc.add(.heading("Batteries"))
        var soc: [ChartSeries] = []
        for (i, p) in c.prosumers.enumerated() where p.battery != nil {
            soc.append(ChartSeries(p.id, flows[i].map { $0.batterySoC ?? .nan }))
        }
        if !shared.isEmpty { soc.append(ChartSeries("shared storage", shared.map(\.soc), color: "#333333", dashed: true)) }
        if soc.isEmpty {
            doc.add(.paragraph("No batteries."))
        } else {
            doc.add(
                .chart(
                    name: "batteries",
                    svg: SVGChart.line(title: "State of charge at the end of each period, kWh", xLabels: labels, series: soc, yLabel: "kWh", zeroBased: true)))
        }

        doc.add(.heading("Pool trades"))
        doc.add(
            .chart(
                name: "pool",
                svg: SVGChart.stackedBars(
                    title: "Peer-to-peer pool, kW", xLabels: labels,
                    up: [ChartSeries("sold to the pool", total(\.poolSell), color: "#59a14f")],
                    down: [ChartSeries("bought from the pool", total(\.poolBuy), color: "#f28e2b")], yLabel: "kW")))
    }

    /// Grid, pool and storage prices.
    static func priceSection(_ r: DayAheadResult, _ doc: inout ReportDocument) {
        let c = r.community
        let T = c.periods
        let labels = (0..<T).map { hourLabel(c.timestamp($0)) }
        doc.add(.heading("Prices"))
        var priceSeries = [
            ChartSeries("grid import", c.grid.importPrice, color: "#e15759"),
            ChartSeries("grid export", c.grid.exportPrice, color: "#f28e2b"),
            ChartSeries("pool (mid-market)", c.poolPrice, color: "#555555", dashed: true)
        ]
        if let p = r.pricing, !p.prices.isEmpty {
            let n = Double(p.prices.count)
            let charge = (0..<T).map { t in p.prices.reduce(0) { $0 + $1.path.charge[t] } / n }
            let discharge = (0..<T).map { t in p.prices.reduce(0) { $0 + $1.path.discharge[t] } / n }
            let suffix = p.mode == .personalized ? " (mean over prosumers)" : ""
            priceSeries += [
                ChartSeries("storage charge price" + suffix, charge, color: "#4e79a7"),
                ChartSeries("storage discharge price" + suffix, discharge, color: "#59a14f")
            ]
        }
        doc.add(
            .chart(
                name: "prices", svg: SVGChart.line(title: "Prices, currency per kWh", xLabels: labels, series: priceSeries, yLabel: "per kWh", zeroBased: true))
        )
        if r.pricing != nil {
            doc.add(
                .paragraph(
                    "Storage prices are what the operator charges a prosumer per kWh it stores (charge) and per kWh it takes back (discharge), from the Stackelberg game of spec/pricing.md; prices.csv has every value."
                ))
        }
    }

    /// Bills and savings per prosumer, or why there are none.
    static func billSection(_ r: DayAheadResult, _ doc: inout ReportDocument) {
        let c = r.community, s = r.schedule
        doc.add(.heading("Bills and savings"))
        if let settlement = s.settlement {
            let standalone = Dictionary(uniqueKeysWithValues: (s.standaloneBills ?? []).map { ($0.id, $0.bill) })
            let outcomes = Dictionary(uniqueKeysWithValues: (r.pricing?.outcomes ?? []).map { ($0.id, $0) })
            let dt = c.hoursPerPeriod
            var billRows: [[String]] = []
            let flows = s.flows
            for (i, b) in settlement.bills.enumerated() {
                let alone = standalone[b.id]
                var row = [
                    b.id, money(b.bill), money(alone), money(alone.map { $0 - b.bill }),
                    kw(flows[i].reduce(0) { $0 + $1.poolBuy } * dt), kw(flows[i].reduce(0) { $0 + $1.poolSell } * dt)
                ]
                if let o = outcomes[b.id] {
                    row += [money(o.billWithoutStorage), money(o.billWithStorage), money(o.savings)]
                } else if r.pricing != nil {
                    row += ["-", "-", "-"]
                }
                billRows.append(row)
            }
            var header = ["prosumer", "community bill", "stand-alone bill", "saving", "pool bought kWh", "pool sold kWh"]
            if r.pricing != nil { header += ["pricing: bill without storage", "bill with storage", "saving from storage"] }
            doc.add(
                .table(
                    header: header, rows: billRows,
                    note:
                        "Community bills settle pool trades at the mid-market pool price (spec/community.md). The pricing columns are the storage game's: each prosumer's own optimum without and with the priced storage service."
                ))
        } else {
            doc.add(.paragraph("No schedule, so no bills: \(s.message)"))
            if let d = s.diagnosis { doc.add(.paragraph("Diagnosis: \(d.sentence)")) }
        }
    }

    /// The solvers' outcomes and the run's times.
    static func solverSection(_ r: DayAheadResult, _ doc: inout ReportDocument) {
        let s = r.schedule
        doc.add(.heading("Solvers"))
        var solverRows = [
            [
                "schedule", s.solver, s.status.rawValue, money(s.objective), money(s.bestBound), s.gap.map { String(format: "%.1e", $0) } ?? "-",
                String(format: "%.3f", s.buildSeconds), String(format: "%.2f", s.solveSeconds), "\(s.variables)", "\(s.integerVariables)", "\(s.constraints)"
            ]
        ]
        if let p = r.pricing {
            solverRows.append([
                "pricing (\(p.mode.rawValue))", p.solver, p.status.rawValue, money(p.profit), money(p.bestBound),
                p.gap.map { String(format: "%.1e", $0) } ?? "-", String(format: "%.3f", p.buildSeconds),
                String(format: "%.2f", p.solveSeconds), "\(p.variables)", "\(p.integerVariables)", "\(p.constraints)"
            ])
        }
        doc.add(
            .table(
                header: ["problem", "solver", "status", "objective", "best bound", "gap", "build s", "solve s", "variables", "integers", "constraints"],
                rows: solverRows,
                note: String(format: "Times: forecasting %.1f s, schedule %.1f s, pricing %.1f s", r.forecastSeconds, r.scheduleSeconds, r.pricingSeconds)
                    + (r.meteredDay.map { String(format: ", the metered-day check %.1f s", $0.seconds) } ?? "")
                    + String(format: ", total %.1f s.", r.totalSeconds)))
        if let check = r.pricing?.check {
            doc.add(
                .paragraph(
                    "Pricing check (every prosumer solved again at the prices found): \(check.passed ? "passed" : "FAILED"), recomputed profit \(money(check.recomputedProfit))."
                ))
        }
    }

    /// Input files, their hashes and the run key.
    static func provenanceSection(_ r: DayAheadResult, _ doc: inout ReportDocument) {
        let c = r.community
        doc.add(.heading("Data and provenance"))
        var prov = [
            "Community file: \(r.communityFile) (FNV-1a 64 \(r.communityHash)).",
            "History: \(r.historyFiles.joined(separator: ", ")) (FNV-1a 64 \(r.historyHash)); fitted on observations before \(ScheduleReport.iso(c.start)).",
            "Run key: \(r.runKey); settings \(r.options.fingerprintText)."
        ]
        prov += r.provenance
        doc.add(.bullets(prov))
    }

    static func hourLabel(_ d: Date) -> String { format(d, "HH:mm") }
    static func dayHourLabel(_ d: Date) -> String { format(d, "d MMM HH:mm") }
    static func format(_ d: Date, _ pattern: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = pattern
        return f.string(from: d)
    }
}
