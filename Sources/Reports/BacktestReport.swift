import Forecast
import DataIO
import Foundation

/// The analysts' report of `peergrid backtest --report DIR`: errors per model, errors per hour of day, and
/// forecast against actual for every test day.
public enum BacktestReport {
    /// The terminal table of `peergrid backtest`: one line per model. MAE and RMSE get two decimals, or more when
    /// the smallest MAE needs them for two significant digits (series in per unit).
    public static func table(_ scores: [BacktestScore]) -> String {
        let smallest = scores.map(\.mae).filter { $0 > 0 && $0.isFinite }.min() ?? 1
        let decimals = Int32(min(8, max(2, 1 - Int(log10(smallest).rounded(.down)))))
        var lines = ["model                    MAE        RMSE   MAPE %   MASE  coverage       width  pinball .025/.5/.975      fit s"]
        for r in scores {
            let name = r.model.padding(toLength: max(18, r.model.count), withPad: " ", startingAt: 0)
            let pinball = String(format: "%.3g/%.3g/%.3g", r.pinball.lower, r.pinball.median, r.pinball.upper)
            lines.append(
                name
                    + String(
                        format: " %9.*f %11.*f %8.3f %6.3f %9.3f %11.4g  ", decimals, r.mae, decimals, r.rmse, r.mape, r.mase, r.coverage, r.width)
                    // `%-22@` ignores its width on Linux: the text column is padded here.
                    + pinball.padding(toLength: max(22, pinball.count), withPad: " ", startingAt: 0)
                    + String(format: " %8.3f", r.fitSeconds))
        }
        if let r = scores.first, r.calibrated {
            lines.append(
                "intervals: split conformal from the errors of the rolling origins before each test day; the models' own 95 % intervals covered "
                    + scores.map { String(format: "%@ %.3f (width %.4g)", $0.model as NSString, $0.rawCoverage, $0.rawWidth) }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    /// The report of `scores` (one per model, from the same ``Backtest``) on `series`.
    public static func document(series: TimeSeries, source: String, scores: [BacktestScore], horizon: Int, testDays: Int) -> ReportDocument {
        var doc = ReportDocument(title: "Backtest: \(series.name) (\(source))")
        let f2 = { (x: Double) in String(format: "%.3f", x) }
        doc.add(
            .paragraph(
                "Rolling origin: for each of the last \(testDays) days, every model is fitted on everything before the day and forecasts \(horizon) observations; errors are against what happened. MASE is scaled by the weekly seasonal naive's in-sample error; coverage is that of the 95 % interval."
            ))
        doc.add(.heading("Errors per model"))
        let best = scores.min { $0.mape < $1.mape }?.model
        doc.add(
            .table(
                header: ["model", "MAE", "RMSE", "MAPE %", "MASE", "coverage", "fit s"],
                rows: scores.map {
                    [$0.model + ($0.model == best ? " (best MAPE)" : ""), f2($0.mae), f2($0.rmse), f2($0.mape), f2($0.mase), f2($0.coverage), f2($0.fitSeconds)]
                },
                note: "\(series.count) observations from \(iso(series.start)), step \(Int(series.step)) s."))
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
}
