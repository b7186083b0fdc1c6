import ArgumentParser
import Forecast
import Foundation
import Reports

/// Options for reading a time series column.
struct SeriesOptions: ParsableArguments {
    @Option(help: "CSV with an ISO 8601 `timestamp` column.")
    var data: String

    @Option(help: "The column to forecast.")
    var column: String

    @Option(help: "Time zone of local (offset-free) timestamps, e.g. Europe/London.")
    var timezone: String?

    @Option(help: "Fill gaps: linear or seasonal (gaps are errors otherwise).")
    var fill: String?

    func load() throws -> TimeSeries {
        var zone: TimeZone?
        if let timezone {
            guard let z = TimeZone(identifier: timezone) else { throw CLIFailure("--timezone: unknown time zone '\(timezone)'") }
            zone = z
        }
        var gap: GapFill?
        if let fill {
            guard let g = GapFill(rawValue: fill) else { throw CLIFailure("--fill must be linear or seasonal, not '\(fill)'") }
            gap = g
        }
        do { return try TimeSeriesCSV.read(data, column: column, timeZone: zone, fill: gap) }
        catch let e as TimeSeriesError { throw CLIFailure(e.description) }
    }
}

/// `peergrid backtest`: rolling-origin comparison of forecasters.
struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Compare forecasters by rolling-origin backtest over the last days of a series.")

    @OptionGroup var series: SeriesOptions

    @Option(help: "Forecast horizon in observations (48 = one day of half-hours).")
    var horizon: Int

    @Option(name: .customLong("test-days"), help: "Number of last days used as forecast origins.")
    var testDays: Int

    @Option(help: "Comma-separated models: \(ForecasterCatalog.names.joined(separator: ", ")).")
    var models: String = "seasonal-naive"

    @Option(help: "Also write the scores as JSON to this file.")
    var json: String?

    func run() throws {
        guard horizon > 0 else { throw CLIFailure("--horizon must be > 0") }
        guard testDays > 0 else { throw CLIFailure("--test-days must be > 0") }
        let s = try series.load()
        let names = models.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let forecasters: [any Forecaster]
        do { forecasters = try names.map { try ForecasterCatalog.make($0, periodsPerDay: s.periodsPerDay) } }
        catch let e as ForecastError { throw CLIFailure(e.description) }
        let backtest = Backtest(horizon: horizon, testDays: testDays)
        var scores: [BacktestScore] = []
        for f in forecasters {
            do { scores.append(try backtest.run(f, on: s)) }
            catch let e as ForecastError { throw CLIFailure("\(series.data): \(e.description)") }
        }
        print("model                    MAE        RMSE   MAPE %   MASE  coverage  fit s")
        for r in scores {
            let name = r.model.padding(toLength: max(18, r.model.count), withPad: " ", startingAt: 0)
            print(name + String(format: " %9.2f %11.2f %8.3f %6.3f %9.3f %6.3f", r.mae, r.rmse, r.mape, r.mase, r.coverage, r.fitSeconds))
        }
        if let json {
            let object: JSON = .object([
                ("horizon", .integer(horizon)), ("test_days", .integer(testDays)),
                ("models", .array(scores.map { r in
                    .object([("name", .string(r.model)), ("mae", .number(r.mae)), ("rmse", .number(r.rmse)),
                             ("mape", .number(r.mape)), ("mase", .number(r.mase)), ("coverage", .number(r.coverage)),
                             ("fit_seconds", .number(r.fitSeconds))])
                })),
            ])
            do { try OutputFiles.write(object.serialized() + "\n", to: json) }
            catch { throw CLIFailure("cannot write \(json): \(error.localizedDescription)") }
        }
    }
}

/// `peergrid forecast`: fit on the whole series, forecast the next values with a 95 % interval.
struct ForecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Forecast the next values of a series with a prediction interval.")

    @OptionGroup var series: SeriesOptions

    @Option(help: "Model: \(ForecasterCatalog.names.joined(separator: ", ")).")
    var model: String = "seasonal-naive"

    @Option(help: "Horizon in observations.")
    var horizon: Int

    @Option(help: "Write timestamp,forecast,lower_95,upper_95 to this CSV (stdout otherwise).")
    var out: String?

    func run() throws {
        guard horizon > 0 else { throw CLIFailure("--horizon must be > 0") }
        let s = try series.load()
        var f: any Forecaster
        do { f = try ForecasterCatalog.make(model, periodsPerDay: s.periodsPerDay) }
        catch let e as ForecastError { throw CLIFailure(e.description) }
        let result: Forecast
        do {
            try f.fit(s)
            result = try f.forecast(horizon: horizon, level: 0.95)
        } catch let e as ForecastError { throw CLIFailure("\(series.data): \(e.description)") }
        let iso = ISO8601DateFormatter()
        var csv = "timestamp,forecast,lower_95,upper_95\n"
        for k in 0..<horizon {
            csv += "\(iso.string(from: s.timestamp(s.count + k))),\(result.point[k]),\(result.lower[k]),\(result.upper[k])\n"
        }
        if let out {
            do { try OutputFiles.write(csv, to: out) } catch { throw CLIFailure("cannot write \(out): \(error.localizedDescription)") }
            print("model: \(f.summary)")
            print("wrote \(horizon) forecasts of \(s.name) (\(model)) to \(out)")
        } else {
            print(csv, terminator: "")
        }
    }
}
