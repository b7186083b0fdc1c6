import Forecast
import DataIO
import Foundation

/// The analysts' report of `peergrid backtest --report DIR`: errors per model, errors per hour of day, each test
/// day's errors and interval misses (with the scores without the worst day), and forecast against actual for every
/// test day.
public enum BacktestReport {
    /// The terminal table of `peergrid backtest`: one line per model. MAE and RMSE get two decimals, or more when
    /// the smallest MAE needs them for two significant digits (series in per unit). `adaptiveGamma`: the
    /// ``Backtest/adaptiveGamma`` the calibrated intervals were made with (named on the intervals line).
    public static func table(_ scores: [BacktestScore], adaptiveGamma: Double = 0) -> String {
        // MAPE is undefined when every actual is 0, MASE when the in-sample seasonal naive is exact (a constant series).
        // `%8@` ignores its width on Linux, so the column is padded here.
        func finite(_ x: Double, _ width: Int) -> String {
            let text = x.isFinite ? String(format: "%.3f", x) : "n/a"
            return String(repeating: " ", count: max(0, width - text.count)) + text
        }
        let smallest = scores.map(\.mae).filter { $0 > 0 && $0.isFinite }.min() ?? 1
        let decimals = Int32(min(8, max(2, 1 - Int(log10(smallest).rounded(.down)))))
        let level = scores.first?.level ?? 0.95
        let pinballHeader = "pinball " + pinballLabel(level)
        var lines = [
            "model                    MAE        RMSE   MAPE %   MASE  coverage       width  "
                + pinballHeader.padding(toLength: max(20, pinballHeader.count), withPad: " ", startingAt: 0) + "      fit s"
        ]
        for r in scores {
            let name = r.model.padding(toLength: max(18, r.model.count), withPad: " ", startingAt: 0)
            let pinball = String(format: "%.3g/%.3g/%.3g", r.pinball.lower, r.pinball.median, r.pinball.upper)
            lines.append(
                name
                    + String(
                        format: " %9.*f %11.*f %@ %@ %9.3f %11.4g  ", decimals, r.mae, decimals, r.rmse, finite(r.mape, 8) as NSString,
                        finite(r.mase, 6) as NSString, r.coverage, r.width)
                    // `%-22@` ignores its width on Linux: the text column is padded here.
                    + pinball.padding(toLength: max(22, pinball.count), withPad: " ", startingAt: 0)
                    + String(format: " %8.3f", r.fitSeconds))
        }
        if let r = scores.first, r.calibrated {
            lines.append(
                "intervals: split conformal from the errors of the rolling origins before each test day"
                    + (adaptiveGamma > 0 ? String(format: ", with adaptive conformal inference (gamma %g)", adaptiveGamma) : "")
                    + "; the models' own \(percentLabel(level)) % intervals covered "
                    + scores.map { String(format: "%@ %.3f (width %.4g)", $0.model as NSString, $0.rawCoverage, $0.rawWidth) }.joined(separator: ", "))
        }
        let lit = scores.filter { $0.daylightCoverage != nil }
        if let r = lit.first {
            lines.append(
                "outside the dark hours (\(r.daylightObservations) of \(r.days.reduce(0) { $0 + $1.actual.count }) observations; "
                    + (r.darkValue == 0
                        ? "in the dark the forecast is 0 with a [0, 0] interval): coverage "
                        : String(format: "in the dark the forecast is the standby value %g with a zero-width interval): coverage ", r.darkValue))
                    + lit.map { String(format: "%@ %.3f (width %.4g)", $0.model as NSString, $0.daylightCoverage!, $0.daylightWidth ?? .nan) }.joined(
                        separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    /// The quantiles the pinball losses of a `level` interval are at, as the table's header names them: `.025/.5/.975`
    /// for 95 %.
    public static func pinballLabel(_ level: Double) -> String {
        let tail = (1 - level) / 2
        return [tail, 0.5, 1 - tail].map { q in
            let text = String(format: "%.4g", q)
            return text.hasPrefix("0.") ? String(text.dropFirst()) : text
        }.joined(separator: "/")
    }

    /// The report's table of errors per model (with the coverage outside the dark hours when every score has it).
    static func errorTable(series: TimeSeries, scores: [BacktestScore]) -> ReportDocument.Block {
        let f2 = { (x: Double) in String(format: "%.3f", x) }
        let best = scores.min { $0.mape < $1.mape }?.model
        // A series with dark hours (PV at night) also shows the coverage outside them.
        let lit = scores.allSatisfy { $0.daylightCoverage != nil }
        let level = scores.first?.level ?? 0.95
        return .table(
            header: ["model", "MAE", "RMSE", "MAPE %", "MASE", "coverage"] + (lit ? ["coverage outside the dark hours"] : []) + ["MSIS", "fit s"],
            rows: scores.map {
                [$0.model + ($0.model == best ? " (best MAPE)" : ""), f2($0.mae), f2($0.rmse), f2($0.mape), f2($0.mase), f2($0.coverage)]
                    + (lit ? [f2($0.daylightCoverage ?? .nan)] : []) + [f2($0.msis), f2($0.fitSeconds)]
            },
            note:
                "\(series.count) observations from \(iso(series.start)), step \(Int(series.step)) s. MSIS: the mean scaled interval score of the \(percentLabel(level)) % interval (M4's measure: its width plus \(String(format: "%g", 2 / (1 - level))) times each miss's size, over the scale of MASE; lower is better)."
        )
    }

    /// The report of `scores` (one per model, from the same ``Backtest``) on `series`. `calibrationDays` and
    /// `adaptiveGamma` (the backtest's) name the interval rule in the report's first paragraph.
    public static func document(
        series: TimeSeries, source: String, scores: [BacktestScore], horizon: Int, testDays: Int, calibrationDays: Int = 0,
        adaptiveGamma: Double = 0
    ) -> ReportDocument {
        var doc = ReportDocument(title: "Backtest: \(series.name) (\(source))")
        doc.add(
            .paragraph(
                "Rolling origin: for each of the last \(counted(testDays, "day")), every model is fitted on everything before the day and forecasts \(horizon) observations; errors are against what happened. MASE is scaled by the weekly seasonal naive's in-sample error; coverage is that of the \(percentLabel(scores.first?.level ?? 0.95)) % interval"
                    + (calibrationDays > 0
                        ? ", calibrated by split conformal on the errors of the \(counted(calibrationDays, "day")) before each test day"
                            + (adaptiveGamma > 0 ? String(format: ", with adaptive conformal inference (gamma %g)", adaptiveGamma) : "") + "."
                        : ", each model's own.")
            ))
        doc.add(.heading("Errors per model"))
        doc.add(errorTable(series: series, scores: scores))
        doc.add(
            .chart(
                name: "mape",
                svg: SVGChart.groupedBars(
                    title: "MAPE per model, %", categories: scores.map(\.model),
                    series: [ChartSeries("MAPE", scores.map(\.mape))], yLabel: "%")))

        // Errors per hour of day.
        let perDay = series.periodsPerDay
        let calendar: Calendar = {
            var c = Calendar(identifier: .gregorian); c.timeZone = TimeZone(identifier: "UTC")!; return c
        }()
        let slots = perDay
        let slotLabels = (0..<slots).map { s -> String in
            let d = series.start.addingTimeInterval(Double(s) * series.step)
            let c = calendar.dateComponents([.hour, .minute], from: d)
            return String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0)
        }
        let perHour = scores.map { s -> ChartSeries in
            var sum = [Double](repeating: 0, count: slots), n = [Double](repeating: 0, count: slots)
            for d in s.days {
                for (k, a) in d.actual.enumerated() {
                    let slot = (d.origin + k) % slots
                    sum[slot] += abs(a - d.point[k]); n[slot] += 1
                }
            }
            return ChartSeries(s.model, zip(sum, n).map { $1 > 0 ? $0 / $1 : .nan })
        }
        doc.add(.heading("Errors per time of day"))
        doc.add(
            .chart(
                name: "mae-by-hour", svg: SVGChart.line(title: "MAE by time of day (UTC)", xLabels: slotLabels, series: perHour, yLabel: "MAE", zeroBased: true)
            ))

        addDayErrors(to: &doc, scores: scores, series: series)

        // Forecast against actual, per test day.
        doc.add(.heading("Forecast against actual, per test day"))
        let days = scores.first?.days.count ?? 0
        for k in 0..<days {
            guard let first = scores.first?.days[k] else { continue }
            let labels = (0..<first.actual.count).map { j -> String in
                let c = calendar.dateComponents([.hour, .minute], from: series.timestamp(first.origin + j))
                return String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0)
            }
            var lines = [ChartSeries("actual", first.actual, color: "#222222")]
            for (m, s) in scores.enumerated() where k < s.days.count {
                lines.append(ChartSeries(s.model, s.days[k].point, color: SVGChart.palette[m % SVGChart.palette.count], dashed: true))
            }
            let day = iso(series.timestamp(first.origin)).prefix(10)
            doc.add(.chart(name: "day-\(k + 1)", svg: SVGChart.line(title: "Test day \(k + 1): \(day)", xLabels: labels, series: lines, yLabel: series.name)))
        }
        return doc
    }

    static func iso(_ d: Date) -> String { UTCTime.string(d) }

    /// Each test day's errors per model, and what the scores would be without the day that has the most misses.
    /// One day can decide a fortnight's score: on Taylor's last 14 days, 27 August 2000 holds 157 of the 367
    /// misses of nine models.
    public struct DayErrors: Sendable, Equatable {
        /// Per model (in the scores' order), per test day: MAPE in percent (zero actuals skipped; NaN when every
        /// actual of the day is zero) and the observations outside the interval.
        public var mape: [[Double]]
        public var misses: [[Int]]
        /// The test day with the most misses over all models (the earliest on a tie); nil when nothing missed or
        /// there is only one day.
        public var worstDay: Int?
        /// Per model, MAPE and coverage over every test day but `worstDay` (NaN without one).
        public var mapeWithout: [Double]
        public var coverageWithout: [Double]
    }

    /// The ``DayErrors`` of `scores` (one per model, from the same backtest, so their days line up).
    public static func dayErrors(_ scores: [BacktestScore]) -> DayErrors {
        let outside = { (d: BacktestDay) in zip(d.actual, zip(d.lower, d.upper)).filter { $0 < $1.0 || $0 > $1.1 }.count }
        let mape = scores.map { $0.days.map { Metrics.mape($0.actual, $0.point) } }
        let misses = scores.map { $0.days.map(outside) }
        let dayCount = scores.map(\.days.count).min() ?? 0
        let totals = (0..<dayCount).map { k in misses.reduce(0) { $0 + $1[k] } }
        var worst: Int? = nil
        if dayCount > 1, let top = totals.max(), top > 0 { worst = totals.firstIndex(of: top) }
        var mapeWithout: [Double] = [], coverageWithout: [Double] = []
        for s in scores {
            guard let w = worst else {
                mapeWithout.append(.nan)
                coverageWithout.append(.nan)
                continue
            }
            let kept = s.days.enumerated().filter { $0.offset != w }.map(\.element)
            mapeWithout.append(Metrics.mape(kept.flatMap(\.actual), kept.flatMap(\.point)))
            let n = kept.reduce(0) { $0 + $1.actual.count }
            coverageWithout.append(n > 0 ? 1 - Double(kept.reduce(0) { $0 + outside($1) }) / Double(n) : .nan)
        }
        return DayErrors(mape: mape, misses: misses, worstDay: worst, mapeWithout: mapeWithout, coverageWithout: coverageWithout)
    }

    /// The per-day table of ``dayErrors(_:)``: a row per test day (its UTC date and weekday; each model's MAPE %
    /// and misses), then "all days" and "without" the worst day (MAPE % and coverage), and a note saying so. Nil
    /// without test days.
    static func dayTable(_ scores: [BacktestScore], series: TimeSeries) -> (header: [String], rows: [[String]], note: String)? {
        guard let first = scores.first, !first.days.isEmpty else { return nil }
        let e = dayErrors(scores)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let label = { (k: Int) -> String in
            let date = series.timestamp(first.days[k].origin)
            return String(iso(date).prefix(10)) + " " + calendar.shortWeekdaySymbols[calendar.component(.weekday, from: date) - 1]
        }
        var rows = (0..<first.days.count).map { k in
            [label(k)] + scores.indices.map { m in k < e.mape[m].count ? String(format: "%.2f (%d)", e.mape[m][k], e.misses[m][k]) : "" }
        }
        rows.append(["all days"] + scores.map { String(format: "%.3f (%.3f)", $0.mape, $0.coverage) })
        var note = "MAPE % and, in brackets, the observations outside the \(percentLabel(first.level)) % interval; the last rows give MAPE % and coverage."
        if let w = e.worstDay {
            rows.append(["without \(label(w).prefix(10))"] + scores.indices.map { String(format: "%.3f (%.3f)", e.mapeWithout[$0], e.coverageWithout[$0]) })
            let all = e.misses.reduce(0) { $0 + $1.reduce(0, +) }
            note += " \(label(w)) holds \(e.misses.reduce(0) { $0 + $1[w] }) of the \(all) misses of all models."
        }
        return (["day"] + scores.map(\.model), rows, note)
    }

    /// The report's "Errors per test day" section (``dayTable(_:series:)``).
    static func addDayErrors(to doc: inout ReportDocument, scores: [BacktestScore], series: TimeSeries) {
        guard let t = dayTable(scores, series: series) else { return }
        doc.add(.heading("Errors per test day"))
        doc.add(.table(header: t.header, rows: t.rows, note: t.note))
    }

    /// `peergrid backtest --per-day`: ``dayTable(_:series:)`` as aligned text, the note last.
    public static func dayText(_ scores: [BacktestScore], series: TimeSeries) -> String {
        guard let t = dayTable(scores, series: series) else { return "" }
        let first = max(t.header[0].count, t.rows.map { $0[0].count }.max() ?? 0)
        let widths = t.header.indices.dropFirst().map { c in max(t.header[c].count, t.rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0) }
        let line = { (cells: [String]) -> String in
            cells[0].padding(toLength: first, withPad: " ", startingAt: 0)
                + zip(cells.dropFirst(), widths).map { "  " + String(repeating: " ", count: max(0, $1 - $0.count)) + $0 }.joined()
        }
        return ([line(t.header)] + t.rows.map(line) + [t.note]).joined(separator: "\n")
    }
}
