import DataIO
import ArgumentParser
import Forecast
import Foundation
import Reports

/// The Taylor backtest (last 14 days as origins, one day ahead, refit at every origin; `--data`/`--column` for another
/// series) for every PeerGrid forecaster,
/// side by side with statsmodels' SARIMAX and statsforecast's MSTL and AutoARIMA run in the same invocation
/// (`Benchmarks/forecast_reference.py` in `Benchmarks/.venv`).
struct ForecastBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Forecasters on the Taylor backtest: accuracy, fit and forecast times, against statsmodels/statsforecast.")
    @OptionGroup var common: CommonBenchmarkOptions

    @Option(help: "Models to run (repeat the option, or give a comma-separated list).")
    var models = ["seasonal-naive", "seasonal-naive-day", "seasonal-mean", "ar-weekly", "arima", "arima-fourier", "mstl-arima", "lstm", "cnn"]

    @Option(name: .customLong("training-epochs"), help: "Epochs of the training-throughput comparison with PyTorch (0 skips it).")
    var trainingEpochs = 5

    @Option(name: .customLong("test-days"), help: "Forecast origins (last days of the series).")
    var testDays = 14

    @Option(help: "Python with statsmodels and statsforecast (make bench-setup).")
    var python = "Benchmarks/.venv/bin/python"

    @Option(name: .customLong("autoarima-limit"), help: "Seconds allowed for ONE statsforecast AutoARIMA fit (0 skips it).")
    var autoarimaLimit: Double = 120

    /// The Taylor demand series (the default, and the training benchmark's).
    static let taylor = "Datasets/taylor_england_wales_halfhourly_2000.csv"

    @Option(help: "The series: a CSV with an ISO 8601 `timestamp` column (default: the Taylor demand).")
    var data = Self.taylor

    @Option(help: "The column to forecast.")
    var column = "demand_mw"

    @Option(help: "Time zone of local (offset-free) timestamps, e.g. Europe/London (as `peergrid backtest --timezone`).")
    var timezone: String?

    @Option(help: "Fill gaps: linear or seasonal (as `peergrid backtest --fill`; gaps are errors otherwise).")
    var fill: String?

    @Option(
        help:
            "CSV of public holidays (a `date` column), as `peergrid backtest --holidays`: PeerGrid's models forecast them as Sundays. The Python reference gets no calendar (the report says so)."
    )
    var holidays: String?

    @Option(help: "Report name: writes NAME.md and NAME.json into --out.")
    var name = "forecast"

    @Option(
        name: .customLong("calibration-days"),
        help: "Calibrate every model's 95 % interval by split conformal over this many days before each test day (0: their own intervals).")
    var calibrationDays = 0

    @Option(
        name: .customLong("aci-gamma"),
        help:
            "With --calibration-days: adaptive conformal inference, as `peergrid backtest --aci-gamma` (0: plain split conformal, the default here so that the committed reports rerun as they were; `peergrid backtest` uses 0.5)."
    )
    var aciGamma = 0.0

    func validate() throws {
        guard calibrationDays >= 0 else { throw ValidationError("--calibration-days must be at least 0") }
        guard aciGamma >= 0, aciGamma <= 1 else { throw ValidationError("--aci-gamma must be 0 to 1, not \(aciGamma)") }
        guard aciGamma == 0 || calibrationDays > 0 else { throw ValidationError("--aci-gamma needs --calibration-days") }
        guard !name.isEmpty, !name.contains("/") else { throw ValidationError("--name must be a file name without '/'") }
        if let timezone, TimeZone(identifier: timezone) == nil { throw ValidationError("--timezone: unknown time zone '\(timezone)'") }
        if let fill, GapFill(rawValue: fill) == nil {
            throw ValidationError("--fill must be one of \(GapFill.allCases.map(\.rawValue).joined(separator: ", ")), not '\(fill)'")
        }
    }

    /// The series as PeerGrid read it (UTC, gaps filled), for the Python reference: both then see the same numbers,
    /// whatever the file's time zone, gaps, separator or encoding.
    static func referenceCSV(_ series: TimeSeries) -> String {
        var text = "timestamp,value\n"
        for k in 0..<series.count { text += "\(UTCTime.string(series.timestamp(k))),\(series.values[k])\n" }
        return text
    }

    struct Row {
        var name: String
        var summary: String
        var score: BacktestScore
        var backtest: Timing
    }

    func run() throws {
        common.prepare()
        // A bad series file exits 2 with its message (file and line), as `peergrid backtest` does.
        let series = try TimeSeriesCSV.read(
            data, column: column, timeZone: timezone.flatMap(TimeZone.init(identifier:)), fill: fill.flatMap(GapFill.init(rawValue:)))
        let calendar = try holidays.map { try HolidayCalendar.read($0, timeZone: timezone.flatMap(TimeZone.init(identifier:))) }
        let horizon = series.periodsPerDay
        var backtest = Backtest(horizon: horizon, testDays: testDays, calibrationDays: calibrationDays)
        backtest.adaptiveGamma = aciGamma
        var rows: [Row] = []
        for name in models.flatMap({ $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }) where !name.isEmpty {
            let bare = try ForecasterCatalog.make(name, periodsPerDay: series.periodsPerDay)
            let model = HolidayForecaster.wrapping(bare, calendar)
            var samples: [Double] = [], score: BacktestScore?
            // Networks are timed once (a backtest trains 14 of them; their training speed has its own benchmark).
            for _ in 0..<(bare is NeuralForecaster ? 1 : max(1, common.repeats)) {
                // Every repeat runs cold: ensemble's and auto's memoized validation forecasts are forgotten.
                ForecastCache.reset()
                let start = DispatchTime.now().uptimeNanoseconds
                score = try backtest.run(model, on: series)
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            var last = model
            try last.fit(series.prefix(series.count - horizon))
            let row = Row(name: name, summary: last.summary, score: score!, backtest: Timing(samples: samples))
            print(
                "\(name): MAPE \(String(format: "%.3f", row.score.mape)) %, MASE \(String(format: "%.3f", row.score.mase)), backtest \(row.backtest.formatted(2)) s"
            )
            rows.append(row)
        }
        var reference: [[String: Any]] = [], notes: [String] = [], versions: [String: String] = [:]
        if FileManager.default.isExecutableFile(atPath: python) {
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("peergrid-forecast-ref-\(getpid()).json").path
            let input = FileManager.default.temporaryDirectory.appendingPathComponent("peergrid-forecast-ref-\(getpid()).csv").path
            defer { for path in [out, input] { try? FileManager.default.removeItem(atPath: path) } }
            try OutputFiles.write(Self.referenceCSV(series), to: input)
            print("running the statsmodels/statsforecast reference (AutoARIMA limit \(Int(autoarimaLimit)) s)...")
            try Shell.run([
                python, "Benchmarks/forecast_reference.py", input, "value", "\(horizon)", "\(testDays)", out,
                "--autoarima-limit", "\(autoarimaLimit)", "--periods-per-day", "\(horizon)"
            ])
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any] ?? [:]
            reference = object["models"] as? [[String: Any]] ?? []
            notes = object["notes"] as? [String] ?? []
            versions = object["versions"] as? [String: String] ?? [:]
        } else {
            notes.append("no \(python): the reference was skipped (run `make bench-setup`)")
        }
        if let calendar, let holidays {
            notes.append(
                "PeerGrid's models were given the holidays of \(holidays) (\(calendar.dates.count) dates, days in \(calendar.timeZone)) and forecast them as Sundays; the Python reference was given no calendar"
            )
        }
        try write(rows, reference: reference, notes: notes, versions: versions, horizon: horizon)
        if trainingEpochs > 0 {
            let training = try TrainingBenchmark.parse([
                "--out", common.out, "--epochs", "\(trainingEpochs)", "--python", python,
                "--blas-threads", "\(common.blasThreads)"
            ])
            try training.run()
        }
    }

    /// The command line that reproduces this report (every option that changes a figure or the timing).
    var commandLine: String {
        if data == Self.taylor && column == "demand_mw" && holidays == nil && calibrationDays == 0 && common.repeats == 3 && trainingEpochs == 5
            && autoarimaLimit == 120
        {
            return "`make bench` (`.build/release/benchmark forecast`)"
        }
        let reading = (timezone.map { "--timezone \($0) " } ?? "") + (fill.map { "--fill \($0) " } ?? "") + (holidays.map { "--holidays \($0) " } ?? "")
        return "`.build/release/benchmark forecast --data \(data) --column \(column) \(reading)--name \(name) --models \(models.joined(separator: ",")) "
            + "--calibration-days \(calibrationDays) \(aciGamma > 0 ? "--aci-gamma \(String(format: "%g", aciGamma)) " : "")--test-days \(testDays) --repeats \(common.repeats) --training-epochs \(trainingEpochs) "
            + "--blas-threads \(common.blasThreads) --autoarima-limit \(String(format: "%g", autoarimaLimit))`"
    }

    func write(_ rows: [Row], reference: [[String: Any]], notes: [String], versions: [String: String], horizon: Int) throws {
        // Errors of kW series need more digits than those of MW ones.
        let scale = (rows.map(\.score.mae).max() ?? 0) >= 10 ? "%.1f" : "%.4f"
        var md = """
            # Forecasting benchmark

            Generated by \(commandLine) on \(MachineInfo.describe()).
            Data: `\(data)`, column `\(column)` (\(horizon) observations a day). Rolling origin: each of the last \(testDays) days is
            an origin; every model is refitted on everything before it and forecasts the next day (\(horizon) values). MAPE in
            percent (zero actuals skipped); MASE scaled by the weekly seasonal naive's in-sample MAE; coverage and MSIS (M4's
            mean scaled interval score: the width plus 40 times each miss's size, over MASE's scale; lower is better) of the 95 %
            interval\(calibrationDays > 0 ? ", calibrated by split conformal on the \(calibrationDays) days before each test day\(aciGamma > 0 ? " with adaptive conformal inference (gamma \(String(format: "%g", aciGamma)))" : "") (the reference's are its own)" : ""). *backtest s*: the
            whole backtest (all fits, order searches included, and forecasts), median [min, max] of \(common.repeats)
            run(s). The reference rows come from `Benchmarks/forecast_reference.py` in the same invocation
            (\(versions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))); their
            time is fit plus forecast summed over the origins.

            | model | MAE | RMSE | MAPE % | MASE | coverage | MSIS | backtest s | model at the last origin |
            |---|---|---|---|---|---|---|---|---|

            """
        for r in rows {
            md += "| \(r.name) | \(f(r.score.mae, scale)) | \(f(r.score.rmse, scale)) | \(f(r.score.mape, "%.3f")) | \(f(r.score.mase, "%.3f")) | "
            md += "\(f(r.score.coverage, "%.3f")) | \(f(r.score.msis, "%.3f")) | \(r.backtest.formatted(2)) | \(r.summary) |\n"
        }
        for m in reference {
            md += "| \(m["name"] as? String ?? "?") (reference) | \(f(num(m["mae"]), scale)) | \(f(num(m["rmse"]), scale)) | \(f(num(m["mape"]), "%.3f")) | "
            md += "\(f(num(m["mase"]), "%.3f")) | \(f(num(m["coverage"]), "%.3f")) | \(f(num(m["msis"]), "%.3f")) | \(f(num(m["fit_seconds"]), "%.2f")) | |\n"
        }
        for n in notes { md += "\n- \(n)" }
        let checks = self.checks(rows, reference: reference)
        if !checks.isEmpty {
            md += "\n\n## Checks (this run)\n\n"
            for (text, ok) in checks { md += "- \(ok == true ? "yes" : "NO"): \(text)\n" }
        }
        let json = summary(rows, reference: reference, notes: notes, checks: checks, horizon: horizon)
        try OutputFiles.writeAll([("\(name).md", md + "\n"), ("\(name).json", json.serialized() + "\n")], into: common.out)
        print("wrote \(common.out)/\(name).md and \(name).json")
    }

    /// The issue's checks, computed from this run: each a sentence and whether it holds.
    func checks(_ rows: [Row], reference: [[String: Any]]) -> [(String, Bool?)] {
        let byName = Dictionary(rows.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let sarimax = reference.first { ($0["name"] as? String ?? "").contains("SARIMAX") }
        let mstl = reference.first { ($0["name"] as? String ?? "").contains("MSTL") }
        var checks: [(String, Bool?)] = []
        if let a = byName["arima"], let naive = byName["seasonal-naive"] {
            checks.append(
                ("arima MASE \(f(a.score.mase, "%.3f")) < weekly seasonal naive MASE \(f(naive.score.mase, "%.3f"))", a.score.mase < naive.score.mase))
        }
        if let a = byName["arima"], let s = sarimax, let mape = num(s["mape"]) {
            checks.append(("arima MAPE \(f(a.score.mape, "%.3f")) % <= SARIMAX(2,0,1) weekly-difference MAPE \(f(mape, "%.3f")) %", a.score.mape <= mape))
        }
        // Timed only without calibration: the calibration days add as many fits, which the reference does not make.
        if calibrationDays == 0, let a = byName["arima"], let s = sarimax, let secs = num(s["fit_seconds"]) {
            checks.append(
                (
                    "arima whole backtest \(f(a.backtest.median, "%.2f")) s < SARIMAX backtest \(f(secs, "%.2f")) s (ratio \(f(a.backtest.median / secs, "%.2f")))",
                    a.backtest.median < secs
                ))
        }
        if let naive = byName["seasonal-naive"] {
            for name in ["lstm", "cnn"] {
                guard let n = byName[name] else { continue }
                checks.append(
                    (
                        "\(name) MAPE \(f(n.score.mape, "%.3f")) % and MASE \(f(n.score.mase, "%.3f")) below the weekly seasonal naive's \(f(naive.score.mape, "%.3f")) % and \(f(naive.score.mase, "%.3f"))",
                        n.score.mape < naive.score.mape && n.score.mase < naive.score.mase
                    ))
            }
        }
        if let e = byName["ensemble"], let m = mstl, let mase = num(m["mase"]) {
            checks.append(
                (
                    "ensemble MASE \(f(e.score.mase, "%.3f")) <= statsforecast MSTL MASE \(f(mase, "%.3f"))", e.score.mase <= mase
                ))
        }
        if calibrationDays > 0 {
            for r in rows {
                checks.append(
                    ("\(r.name) calibrated coverage \(f(r.score.coverage, "%.3f")) within 0.93-0.97", r.score.coverage >= 0.93 && r.score.coverage <= 0.97))
            }
        }
        if let m = mstl, let mape = num(m["mape"]) {
            let best = rows.min { $0.score.mape < $1.score.mape }!
            checks.append(
                (
                    "best PeerGrid model (\(best.name)) MAPE \(f(best.score.mape, "%.3f")) % within 10 % of statsforecast MSTL \(f(mape, "%.3f")) % (ratio \(f(best.score.mape / mape, "%.3f")))",
                    best.score.mape <= 1.1 * mape
                ))
        }
        return checks
    }

    /// The JSON twin of the Markdown report.
    func summary(_ rows: [Row], reference: [[String: Any]], notes: [String], checks: [(String, Bool?)], horizon: Int) -> JSON {
        func num(_ x: Any?) -> Double? { (x as? NSNumber)?.doubleValue }
        return .object([
            ("machine", .string(MachineInfo.describe())),
            ("data", .string(data)), ("column", .string(column)), ("calibration_days", .integer(calibrationDays)), ("aci_gamma", .number(aciGamma)),
            ("horizon", .integer(horizon)), ("test_days", .integer(testDays)),
            (
                "models",
                .array(
                    rows.map { r in
                        .object([
                            ("name", .string(r.name)), ("mae", .number(r.score.mae)), ("rmse", .number(r.score.rmse)),
                            ("mape", .number(r.score.mape)), ("mase", .number(r.score.mase)), ("coverage", .number(r.score.coverage)),
                            ("msis", .number(r.score.msis)), ("fit_seconds", .number(r.score.fitSeconds)), ("backtest_seconds", .number(r.backtest.median)),
                            ("model", .string(r.summary))
                        ])
                    })
            ),
            (
                "reference",
                .array(
                    reference.map { m in
                        .object([
                            ("name", .string(m["name"] as? String ?? "")), ("mape", .number(num(m["mape"]))), ("mase", .number(num(m["mase"]))),
                            ("coverage", .number(num(m["coverage"]))), ("msis", .number(num(m["msis"]))), ("seconds", .number(num(m["fit_seconds"])))
                        ])
                    })
            ),
            ("notes", .array(notes.map { .string($0) })),
            ("checks", .array(checks.map { .object([("check", .string($0.0)), ("passed", .bool($0.1 == true))]) }))
        ])
    }
}

/// A JSON number as a Double.
private func num(_ x: Any?) -> Double? { (x as? NSNumber)?.doubleValue }
/// `x` formatted, or "-" when absent.
private func f(_ x: Double?, _ format: String) -> String { x.map { String(format: format, $0) } ?? "-" }
