import DataIO
import ArgumentParser
import CommandLineExit
import Forecast
import Foundation
import LinearAlgebra
import Reports

/// Options for reading a time series column.
struct SeriesOptions: ParsableArguments {
    @Option(help: "CSV with an ISO 8601 `timestamp` column.")
    var data: String?

    @Option(help: "The column to forecast (default: the file's only column besides the timestamp).")
    var column: String?

    @Option(
        help:
            "Comma-separated exogenous regressor columns (used by arima, arima-fourier, mstl-arima, lstm, cnn, and ensemble and auto through them). Rows after the last value of --column, with that cell empty, give the regressors over the horizon."
    )
    var exog: String?

    @Option(help: "Time zone of local (offset-free) timestamps, e.g. Europe/London.")
    var timezone: ZoneArgument?

    @Option(help: "Fill gaps: linear or seasonal (gaps are errors otherwise).")
    var fill: GapFill?

    func load() throws -> TimeSeries {
        guard let data else { throw CLIFailure("--data is required") }
        let regressors = (exog ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let series = try TimeSeriesCSV.read(data, column: column, timeZone: timezone?.zone, fill: fill, regressors: regressors)
        if let note = Self.stepNote(series) { FileHandle.standardError.write(Data("peergrid: note: \(data): \(note)\n".utf8)) }
        return series
    }

    /// A note on standard error when `--exog` was given and none of `forecasters` uses regressors.
    func noteUnusedRegressors(by forecasters: [any Forecaster]) {
        guard let exog, !forecasters.contains(where: \.usesRegressors) else { return }
        let names = forecasters.map(\.name).joined(separator: ", ")
        FileHandle.standardError.write(
            Data(
                "peergrid: note: --exog \(exog) not used: \(names) use\(forecasters.count == 1 ? "s" : "") no regressors (arima, arima-fourier, mstl-arima, lstm, cnn, ensemble and auto do)\n"
                    .utf8))
    }

    /// A note when the step does not divide a day (``TimeSeries/stepDividesDay``).
    static func stepNote(_ series: TimeSeries) -> String? {
        guard !series.stepDividesDay else { return nil }
        let step = series.step, hours = Double(series.periodsPerDay) * step / 3600
        return
            "the \(Int(step)) s step does not divide a day; the daily season is taken as \(series.periodsPerDay) observations (\(String(format: "%.2f", hours)) h)"
    }
}

/// `--holidays` of `backtest` and `forecast`.
struct HolidayOption: ParsableArguments {
    @Option(
        help:
            "CSV of public holidays (a `date` column, YYYY-MM-DD): the models forecast them as Sundays and see them at their weekday's level in the history. The dates are days in --timezone (UTC without it)."
    )
    var holidays: String?

    /// The calendar of `--holidays` (nil without it), its dates in `zone` (UTC without one).
    func calendar(zone: TimeZone?) throws -> HolidayCalendar? {
        guard let holidays else { return nil }
        return try HolidayCalendar.read(holidays, timeZone: zone)
    }
}

/// `--level`: interval levels in percent.
enum IntervalLevels {
    /// The levels `--level` accepts, in percent: a central interval below 50 % would leave the adaptive quantile
    /// level's floor (``Backtest/quantileLevel(_:)``) and one above 99.9 % its ceiling.
    static let range = 50.0...99.9

    /// `text` (`95`, `80,95`) as fractions, lowest first; each in ``range``, none twice.
    static func parse(_ text: String) throws -> [Double] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var levels: [Double] = []
        for p in parts {
            guard let v = Double(p), v.isFinite, range.contains(v) else {
                throw ValidationError(
                    "--level '\(text)': '\(p)' is not a level in percent from \(percentLabel(range.lowerBound / 100)) to \(percentLabel(range.upperBound / 100)) (e.g. 80 or 80,95)"
                )
            }
            guard !levels.contains(v / 100) else { throw ValidationError("--level '\(text)' names \(p) twice") }
            levels.append(v / 100)
        }
        return levels.sorted()
    }

    /// The CSV columns of `levels`: `lower_80,upper_80,lower_95,upper_95`.
    static func columns(_ levels: [Double], unit: String = "") -> String {
        levels.map { "lower_\(percentLabel($0))\(unit),upper_\(percentLabel($0))\(unit)" }.joined(separator: ",")
    }
}

/// Training settings of the neural forecasters (`lstm`, `cnn`); other models ignore them.
struct NeuralTrainingOptions: ParsableArguments {
    @Option(help: "lstm/cnn: most training epochs (early stopping usually ends sooner).")
    var epochs: Int?

    @Option(help: "lstm/cnn: seed of weights, shuffling and dropout (same seed, same model).")
    var seed: UInt64?

    @Option(help: "lstm/cnn: input window in observations (default: one day for lstm, the receptive field for cnn).")
    var window: Int?

    @Option(name: .customLong("learning-rate"), help: "lstm/cnn: Adam's initial learning rate.")
    var learningRate: Double?

    @Option(help: "lstm/cnn: dropout rate before the output layer.")
    var dropout: Double?

    @Option(
        name: .customLong("neural-reference"),
        help:
            "lstm/cnn: the forecast the network corrects: weighted-days (default; the same time on the last 7 days, weights fitted per weekday) or seasonal-naive (a week earlier)."
    )
    var neuralReference: NeuralReference?

    /// The options given on the command line, as their flags.
    var given: [String] {
        flagsGiven([
            ("--epochs", epochs != nil), ("--seed", seed != nil), ("--window", window != nil), ("--learning-rate", learningRate != nil),
            ("--dropout", dropout != nil), ("--neural-reference", neuralReference != nil)
        ])
    }

    /// A note on standard error when settings were given that nothing uses: none of `forecasters` trains a
    /// network, or (`loaded`) the model was loaded rather than trained.
    func noteUnused(by forecasters: [any Forecaster], loaded: Bool = false) {
        let flags = given
        guard !flags.isEmpty, loaded || !forecasters.contains(where: { $0 is NeuralForecaster }) else { return }
        let why =
            loaded
            ? "a loaded model is not trained again" : "only lstm and cnn train a network (models here: \(forecasters.map(\.name).joined(separator: ", ")))"
        FileHandle.standardError.write(Data("peergrid: note: \(flags.joined(separator: ", ")) not used: \(why)\n".utf8))
    }

    /// `f` with these settings when it is a neural forecaster, with training progress on a terminal.
    func apply(to f: any Forecaster) throws -> any Forecaster {
        guard var n = f as? NeuralForecaster else { return f }
        if let epochs { n.options.epochs = epochs }
        if let seed { n.options.seed = seed }
        if let window { n.options.window = window }
        if let learningRate { n.options.learningRate = learningRate }
        if let dropout { n.options.dropout = dropout }
        if let neuralReference { n.options.reference = neuralReference }
        if let p = n.options.problem { throw CLIFailure("\(n.name): \(p)") }
        if isatty(STDERR_FILENO) == 1 {
            n.progress = { p in
                let line = String(
                    format: "\r%@: epoch %d/%d, loss %.4f, validation %.4f, %.0f s, at most %.0f s left", p.model, p.epoch, p.epochs,
                    p.loss, p.validationLoss, p.seconds, p.remainingSeconds)
                FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
            }
        }
        return n
    }

    /// Clears the progress line.
    static func finishLine() {
        if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

/// `peergrid backtest`: rolling-origin comparison of forecasters.
struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Compare forecasters by rolling-origin backtest over the last days of a series.")

    @OptionGroup var series: SeriesOptions

    @OptionGroup var holidayOption: HolidayOption

    @Option(parsing: .unconditional, help: "Forecast horizon in observations (default: one day, 48 for half-hours; at most 100000).")
    var horizon: Int?

    @Option(name: .customLong("test-days"), help: "Number of last days used as forecast origins.")
    var testDays: Int

    @Option(help: "Comma-separated models: \(ForecasterCatalog.names.joined(separator: ", ")).")
    var models: String = "seasonal-naive"

    @Option(help: "The prediction interval's level in percent, 50 to 99.9: its coverage, width and pinball losses are scored.")
    var level = "95"

    @Option(
        help:
            "Calibrate the intervals by split conformal: the errors of rolling origins over this many days before each test day set its interval (0: the models' own intervals; adds as many fits per model)."
    )
    var calibrationDays = 0

    @Option(
        name: .customLong("aci-gamma"),
        help:
            "With --calibration-days: adaptive conformal inference, the interval's level moves by this times (1 - level - the last test day's miss rate outside the dark hours) after each test day (0: plain split conformal; default 0.5 with --calibration-days)."
    )
    var aciGamma: Double?

    /// The gamma in use: the option, else ``Backtest/recommendedAdaptiveGamma`` with calibration, else 0.
    var effectiveGamma: Double { aciGamma ?? (calibrationDays > 0 ? Backtest.recommendedAdaptiveGamma : 0) }

    @Option(help: "Also write the scores as JSON to this file.")
    var json: String?

    @Option(help: "Also write an HTML report (report.html, report.md, charts/) comparing the models into this directory.")
    var report: String?

    @Option(
        help:
            "Also write every test day's forecasts to this CSV: model,origin,timestamp,actual,forecast,lower_95,upper_95 (origin: the first forecast timestamp; the columns name --level)."
    )
    var forecasts: String?

    @Flag(help: "Also print each test day's MAPE and interval misses per model, and every model's MAPE and coverage without the day with the most misses.")
    var perDay = false

    @OptionGroup(title: "Neural networks") var neural: NeuralTrainingOptions

    /// `--models` as a list: every name once, none empty.
    var modelNames: [String] { models.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }

    func validate() throws {
        if let horizon { try ForecastLimits.check(horizon: horizon) }
        let names = modelNames
        if names.contains("") { throw ValidationError("--models '\(models)': an empty model name (give names separated by single commas)") }
        if let twice = names.first(where: { n in names.filter { $0 == n }.count > 1 }) { throw ValidationError("--models names \(twice) twice") }
        guard testDays > 0 else { throw ValidationError("--test-days must be > 0") }
        guard try IntervalLevels.parse(level).count == 1 else {
            throw ValidationError("--level '\(level)': backtest scores one level at a time (forecast takes several)")
        }
        guard calibrationDays >= 0, calibrationDays <= 366 else { throw ValidationError("--calibration-days must be 0 to 366, not \(calibrationDays)") }
        if let aciGamma {
            guard aciGamma >= 0, aciGamma <= 1 else { throw ValidationError("--aci-gamma must be 0 to 1, not \(aciGamma)") }
            guard aciGamma == 0 || calibrationDays > 0 else { throw ValidationError("--aci-gamma needs --calibration-days") }
        }
    }

    func run() throws {
        let s = try series.load()
        let calendar = try holidayOption.calendar(zone: series.timezone?.zone)
        let horizon = self.horizon ?? max(1, s.periodsPerDay)
        let names = modelNames
        let forecasters = try names.map {
            HolidayForecaster.wrapping(try neural.apply(to: ForecasterCatalog.make($0, periodsPerDay: s.periodsPerDay)), calendar)
        }
        neural.noteUnused(by: forecasters.map(HolidayForecaster.unwrapped))
        series.noteUnusedRegressors(by: forecasters)
        let level = try IntervalLevels.parse(self.level)[0]
        var backtest = Backtest(horizon: horizon, testDays: testDays, level: level, calibrationDays: calibrationDays)
        backtest.adaptiveGamma = effectiveGamma
        var scores: [BacktestScore] = []
        for f in forecasters {
            defer { NeuralTrainingOptions.finishLine() }
            // Origins on a terminal (the networks draw their epochs on the same line instead).
            let clock = Stopwatch()
            backtest.concurrentOrigins = Backtest.fitsOriginsConcurrently(f)
            let progress: (@Sendable (Int, Int) -> Void)? =
                HolidayForecaster.unwrapped(f) is NeuralForecaster
                ? nil
                : { @Sendable (k: Int, n: Int) in StatusLine.show(String(format: "backtest %@: origin %d/%d, %.0f s", f.name, k, n, clock.seconds)) }
            defer { StatusLine.clear() }
            do { scores.append(try backtest.run(f, on: s, progress: progress)) } catch let e as ForecastError {
                throw CLIFailure("\(series.data ?? ""): \(e.description)")
            } catch let e as ARIMAError { throw CLIFailure("\(series.data ?? ""): \(f.name): \(e.description)") }
        }
        print(BacktestReport.table(scores, adaptiveGamma: effectiveGamma))
        if perDay { print(BacktestReport.dayText(scores, series: s)) }
        if let report {
            let existing = (try? FileManager.default.contentsOfDirectory(atPath: report)) ?? []
            guard existing.isEmpty || existing.contains("report.html") else {
                throw CLIFailure("--report \(report): the directory holds other files; give a new or a previous report's directory (it is replaced)")
            }
            let doc = BacktestReport.document(
                series: s, source: series.data ?? "", scores: scores, horizon: horizon, testDays: testDays, calibrationDays: calibrationDays,
                adaptiveGamma: effectiveGamma)
            do { try OutputFiles.writeDirectory(doc.files(), to: report) } catch { throw CLIFailure("cannot write \(report): \(error.localizedDescription)") }
            print("report: \(report)/report.html")
        }
        // The JSON and the forecasts are written together, or neither (the report is its own directory).
        var files: [(path: String, text: String)] = []
        if let json {
            let object: JSON = .object([
                ("horizon", .integer(horizon)), ("test_days", .integer(testDays)), ("level", .number(level)),
                ("calibration_days", .integer(calibrationDays)),
                ("aci_gamma", .number(effectiveGamma)), ("blas_threads", .integer(BLASThreads.current)),
                (
                    "models",
                    .array(
                        scores.map { r in
                            .object(
                                [
                                    ("name", .string(r.model)), ("mae", .number(r.mae)), ("rmse", .number(r.rmse)),
                                    ("mape", .number(r.mape)), ("mase", .number(r.mase)), ("coverage", .number(r.coverage)),
                                    ("interval_width", .number(r.width)), ("msis", .number(r.msis)),
                                    (
                                        "pinball",
                                        Self.pinballJSON(r)
                                    ),
                                    ("calibrated", .bool(r.calibrated)), ("raw_coverage", .number(r.rawCoverage)), ("raw_interval_width", .number(r.rawWidth)),
                                    ("fit_seconds", .number(r.fitSeconds))
                                ]
                                    + (r.daylightCoverage.map { c in
                                        [("daylight_coverage", .number(c)), ("daylight_interval_width", .number(r.daylightWidth ?? .nan))]
                                    } ?? []))
                        })
                )
            ])
            files.append((json, object.serialized() + "\n"))
        }
        if let forecasts { files.append((forecasts, Self.forecastsCSV(scores, series: s))) }
        do { try OutputFiles.write(files: files) } catch let error as OutputFileError {
            throw CLIFailure("cannot write \(error.path): \(error.message)")
        } catch {
            throw CLIFailure("cannot write \(files.map(\.path).joined(separator: ", ")): \(error.localizedDescription)")
        }
    }

    /// A score's pinball losses keyed by their quantiles: `{"q0.025": …, "q0.5": …, "q0.975": …}` for 95 %.
    static func pinballJSON(_ r: BacktestScore) -> JSON {
        let quantiles = BacktestReport.pinballLabel(r.level).split(separator: "/").map { $0.hasPrefix(".") ? "0" + $0 : String($0) }
        let losses = [r.pinball.lower, r.pinball.median, r.pinball.upper]
        return .object(zip(quantiles, losses).map { ("q" + $0, JSON.number($1)) })
    }

    /// One row per model, test day and horizon step, in the series' time (UTC, ISO 8601).
    static func forecastsCSV(_ scores: [BacktestScore], series s: TimeSeries) -> String {
        var csv = "model,origin,timestamp,actual,forecast,\(IntervalLevels.columns([scores.first?.level ?? 0.95]))\n"
        for r in scores {
            for day in r.days {
                let origin = UTCTime.string(s.timestamp(day.origin))
                for k in day.actual.indices {
                    csv +=
                        "\(r.model),\(origin),\(UTCTime.string(s.timestamp(day.origin + k))),\(day.actual[k]),\(day.point[k]),\(day.lower[k]),\(day.upper[k])\n"
                }
            }
        }
        return csv
    }
}

/// `peergrid forecast`: fit on the whole series (or load a fitted model), forecast the next values with prediction
/// intervals (95 % unless `--level` says otherwise).
struct ForecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Forecast the next values of a series with a prediction interval.",
        discussion:
            "Either fit (--data, --column, --model; --save-model keeps the fitted model) or load a saved model (--load-model), which forecasts from the end of the series it was fitted on."
    )

    @OptionGroup var series: SeriesOptions

    @OptionGroup var holidayOption: HolidayOption

    @Option(name: .customLong("model"), help: "Model: \(ForecasterCatalog.names.joined(separator: ", ")) (default: seasonal-naive).")
    var modelGiven: String?

    var model: String { modelGiven ?? "seasonal-naive" }

    @Option(parsing: .unconditional, help: "Horizon in observations (default: one day of the series' steps; at most 100000).")
    var horizon: Int?

    @Option(help: "Write timestamp,forecast,lower_95,upper_95 to this CSV (stdout otherwise; a lower_L,upper_L pair per --level).")
    var out: String?

    @Option(help: "Prediction interval levels in percent, 50 to 99.9, comma-separated (80,95: both intervals; calibrated at each with --calibration-days).")
    var level = "95"

    @Option(name: .customLong("save-model"), help: "Save the fitted model (versioned JSON) to this file.")
    var saveModel: String?

    @Option(name: .customLong("load-model"), help: "Forecast with a model saved by --save-model instead of fitting.")
    var loadModel: String?

    @Option(
        help:
            "Calibrate the intervals by split conformal: refit at this many rolling origins (one day apart) before the end of the series and take each step's interval from their errors (0: the model's own; kept in a saved model, which then forecasts those levels only)."
    )
    var calibrationDays = 0

    @Option(
        name: .customLong("aci-days"),
        help:
            "With --calibration-days: first adapt the interval's level over this many more days before them, as backtest's adaptive conformal inference does over its test days (0: plain split conformal; adds as many refits)."
    )
    var aciDays = 0

    @Option(name: .customLong("aci-gamma"), help: "With --aci-days: the adaptation's step (default 0.5, backtest's).")
    var aciGamma: Double?

    @OptionGroup(title: "Neural networks") var neural: NeuralTrainingOptions

    func validate() throws {
        if let horizon { try ForecastLimits.check(horizon: horizon) }
        _ = try IntervalLevels.parse(level)
        guard calibrationDays >= 0, calibrationDays <= 366 else { throw ValidationError("--calibration-days must be 0 to 366, not \(calibrationDays)") }
        guard aciDays >= 0, aciDays <= 366 else { throw ValidationError("--aci-days must be 0 to 366, not \(aciDays)") }
        guard aciDays == 0 || calibrationDays > 0 else { throw ValidationError("--aci-days needs --calibration-days") }
        if let aciGamma {
            guard aciGamma > 0, aciGamma <= 1 else { throw ValidationError("--aci-gamma must be above 0 and at most 1, not \(aciGamma)") }
            guard aciDays > 0 else { throw ValidationError("--aci-gamma needs --aci-days") }
        }
    }

    func run() throws {
        var saved: SavedModel
        // Without --horizon: one day of the series' steps (known once the series or the saved model is read).
        var horizon = self.horizon ?? 0
        if let loadModel {
            saved = try load(loadModel)
            if self.horizon == nil { horizon = max(1, TimeSeries.periodsPerDay(step: saved.step)) }
        } else {
            let s = try series.load()
            if self.horizon == nil { horizon = max(1, s.periodsPerDay) }
            if horizon > s.count {
                FileHandle.standardError.write(
                    Data(
                        "peergrid: note: the horizon (\(horizon) steps) is longer than the history (\(s.count) observations); that far ahead the forecast only repeats the fitted pattern\n"
                            .utf8))
            }
            let calendar = try holidayOption.calendar(zone: series.timezone?.zone)
            let bare = try neural.apply(to: ForecasterCatalog.make(model, periodsPerDay: s.periodsPerDay))
            neural.noteUnused(by: [bare])
            series.noteUnusedRegressors(by: [bare])
            var f = HolidayForecaster.wrapping(bare, calendar)
            defer { NeuralTrainingOptions.finishLine() }
            // Elapsed seconds on a terminal while the model fits (the networks draw their epochs instead).
            let ticker = TerminalProgress(enabled: !(bare is NeuralForecaster))
            ticker.start(
                "forecast: fitting \(model) on \(s.count) observations\(calibrationDays > 0 ? ", then \(calibrationDays + aciDays) calibration refits" : "")")
            defer { ticker.finish() }
            do { try f.fit(s) } catch let e as ForecastError { throw CLIFailure("\(series.data ?? ""): \(e.description)") } catch let e as ARIMAError {
                throw CLIFailure("\(series.data ?? ""): \(model): \(e.description)")
            }
            saved = SavedModel(forecaster: f, fittedOn: s)
            if calibrationDays > 0 {
                let unfitted = HolidayForecaster.wrapping(try neural.apply(to: ForecasterCatalog.make(model, periodsPerDay: s.periodsPerDay)), calendar)
                do {
                    let gamma = aciGamma ?? Backtest.recommendedAdaptiveGamma
                    let levels = try IntervalLevels.parse(level)
                    let widths = try ConformalCalibration.halfWidths(
                        model: unfitted, series: s, horizon: horizon, days: calibrationDays, levels: levels, adaptiveDays: aciDays, adaptiveGamma: gamma)
                    saved.calibrations = Dictionary(uniqueKeysWithValues: zip(levels, widths))
                    saved.calibrationRule = CalibrationRule(days: calibrationDays, adaptiveDays: aciDays, adaptiveGamma: aciDays > 0 ? gamma : 0)
                } catch let e as ForecastError {
                    throw CLIFailure(
                        "\(series.data ?? ""): --calibration-days \(calibrationDays)\(aciDays > 0 ? " --aci-days \(aciDays)" : ""): \(e.description)")
                } catch let e
                    as ARIMAError
                {
                    throw CLIFailure("\(series.data ?? ""): \(model): \(e.description)")
                }
            }
        }
        try write(saved, horizon: horizon)
    }

    /// A model saved by `--save-model`; the options that only fitting uses are refused (or noted).
    func load(_ loadModel: String) throws -> SavedModel {
        guard series.data == nil else {
            throw CLIFailure("give either --load-model or --data (a loaded model forecasts from the end of the series it was fitted on)")
        }
        guard calibrationDays == 0 else { throw CLIFailure("--calibration-days needs --data (a loaded model keeps the calibration it was saved with)") }
        let seriesFlags = flagsGiven([
            ("--model", modelGiven != nil), ("--column", series.column != nil), ("--exog", series.exog != nil), ("--timezone", series.timezone != nil),
            ("--fill", series.fill != nil), ("--holidays", holidayOption.holidays != nil)
        ])
        guard seriesFlags.isEmpty else {
            throw CLIFailure(
                "\(seriesFlags.joined(separator: ", ")) need\(seriesFlags.count == 1 ? "s" : "") --data (a loaded model forecasts from the series it was fitted on)"
            )
        }
        let data: Data
        do { data = try InputFiles.data(loadModel) } catch { throw CLIFailure("\(loadModel): \(error)") }
        let saved = try ModelFile.decode(data, file: loadModel)
        neural.noteUnused(by: [], loaded: true)
        return saved
    }

    /// The forecast as CSV (to `--out` with a summary, or to standard output), and the model to `--save-model`.
    func write(_ saved: SavedModel, horizon: Int) throws {
        let levels = try IntervalLevels.parse(level)
        let results: [Forecast]
        do { results = try levels.map { try saved.forecast(horizon: horizon, level: $0) } } catch let e as ForecastError {
            throw CLIFailure("\(loadModel ?? series.data ?? ""): \(e.description)")
        }
        if let saveModel {
            let encoded = try ModelFile.encode(saved)
            try writingOutput { try OutputFiles.write(data: encoded, to: saveModel) }
        }
        var csv = "timestamp,forecast,\(IntervalLevels.columns(levels))\n"
        for k in 0..<horizon {
            csv += "\(UTCTime.string(saved.forecastTimestamp(k))),\(results[0].point[k])"
            for r in results { csv += ",\(r.lower[k]),\(r.upper[k])" }
            csv += "\n"
        }
        if let out {
            try writingOutput { try OutputFiles.write(csv, to: out) }
            print("model: \(saved.forecaster.summary)")
            for level in levels where !saved.calibrations.isEmpty {
                let widths = (saved.calibrations[level] ?? []).compactMap { $0 }
                // A file written before the rule was recorded says only that it was calibrated.
                print(
                    String(
                        format: "interval%@: split conformal (calibrated on rolling origins%@), half-width %.4g to %.4g",
                        (levels == [0.95] ? "" : " \(percentLabel(level)) %") as NSString, (saved.calibrationRule?.adaptationNote ?? "") as NSString,
                        widths.min() ?? .nan, widths.max() ?? .nan))
            }
            if let saveModel { print("saved the fitted model to \(saveModel)") }
            print("wrote \(horizon) forecasts of \(saved.series) (\(saved.forecaster.name)) to \(out)")
        } else {
            print(csv, terminator: "")
        }
    }
}

/// Sizes the forecasting commands accept: a horizon of 1e9 observations would allocate gigabytes before failing.
enum ForecastLimits {
    static let horizon = 100_000
}

extension GapFill: ExpressibleByArgument {}
extension NeuralReference: ExpressibleByArgument {}

/// A time zone named on the command line (`Europe/London`); an unknown name is refused while parsing.
struct ZoneArgument: ExpressibleByArgument {
    var zone: TimeZone
    init?(argument: String) {
        guard let z = TimeZone(identifier: argument) else { return nil }
        zone = z
    }
    static var defaultCompletionKind: CompletionKind { .default }
}

extension ForecastLimits {
    /// `--horizon` within 1 to ``horizon``.
    static func check(horizon h: Int) throws {
        guard h > 0, h <= Self.horizon else { throw ValidationError("--horizon is \(h); it must be 1 to \(Self.horizon)") }
    }
}
