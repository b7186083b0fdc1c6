import Foundation
import TestFixtures
import Testing

@Suite(.serialized) struct ForecastCommandTests {
    static let taylor = CLI.packageRoot.appendingPathComponent("Datasets/taylor_england_wales_halfhourly_2000.csv").path

    @Test func backtestPrintsATableAndWritesJSON() throws {
        let dir = try CLI.temporaryDirectory()
        let json = dir.appendingPathComponent("scores.json")
        let r = try CLI.run([
            "backtest", "--data", Self.taylor, "--column", "demand_mw", "--horizon", "48", "--test-days", "3",
            "--models", "seasonal-naive,seasonal-mean", "--json", json.path
        ])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("seasonal-naive") && r.stdout.contains("MAPE"))
        let o = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as! [String: Any]
        #expect(o["horizon"] as? Int == 48 && o["test_days"] as? Int == 3)
        let models = o["models"] as! [[String: Any]]
        #expect(models.count == 2 && models[0]["name"] as? String == "seasonal-naive")
        for key in ["mae", "rmse", "mape", "mase", "coverage", "interval_width", "msis", "fit_seconds"] { #expect(models[0][key] is Double) }
    }

    /// `--per-day` prints a row per test day (its date and weekday, each model's MAPE and misses) and an "all days"
    /// row whose MAPE and coverage are the summary table's. On Taylor the weekly naive is 1.75 % off on Sunday
    /// 27 August 2000 (the README's per-day table).
    @Test func backtestPerDayPrintsEachTestDay() throws {
        let r = try CLI.run([
            "backtest", "--data", Self.taylor, "--column", "demand_mw", "--horizon", "48", "--test-days", "3",
            "--models", "seasonal-naive", "--per-day"
        ])
        #expect(r.code == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let summary = try #require(lines.first { $0.hasPrefix("seasonal-naive ") }).split(separator: " ")
        let (mape, coverage) = (summary[3], summary[5])
        #expect(lines.contains { $0.hasPrefix("2000-08-25 Fri") })
        #expect(lines.contains { $0.hasPrefix("2000-08-27 Sun") && $0.contains("1.75 (") })
        #expect(lines.contains { $0.hasPrefix("all days") && $0.hasSuffix("\(mape) (\(coverage))") }, "\(r.stdout)")
        #expect(lines.last?.hasPrefix("MAPE % and, in brackets") == true)
    }

    /// The two demand series from MAPIE's sdist read as bundled (Victoria's `+10:00` stamps become UTC), and
    /// `mstl-ets` runs on them from the command line.
    @Test func mstlETSOnTheBundledDemandSeries() throws {
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("f.csv")
        let victoria = CLI.packageRoot.appendingPathComponent("Datasets/victoria_demand_2014_hourly.csv").path
        var r = try CLI.run([
            "backtest", "--data", victoria, "--column", "demand_gw", "--horizon", "24", "--test-days", "2",
            "--models", "seasonal-naive,mstl-ets", "--forecasts", out.path
        ])
        #expect(r.code == 0, "\(r.stderr)")
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 1 + 2 * 2 * 24)
        // The last two days are 24 and 25 February 2014 in the market's time, UTC+10.
        #expect(lines[1].hasPrefix("seasonal-naive,2014-02-23T14:00:00Z,2014-02-23T14:00:00Z,3.703,"), "\(lines[1])")
        #expect(lines[49].hasPrefix("mstl-ets,2014-02-23T14:00:00Z,"))
        let france = CLI.packageRoot.appendingPathComponent("Datasets/france_consumption_2019q4_hourly.csv").path
        let json = dir.appendingPathComponent("s.json")
        r = try CLI.run([
            "backtest", "--data", france, "--column", "consumption_mw", "--horizon", "24", "--test-days", "2",
            "--models", "seasonal-naive,mstl-ets", "--json", json.path
        ])
        #expect(r.code == 0, "\(r.stderr)")
        let models = (try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as! [String: Any])["models"] as! [[String: Any]]
        // The last two days of 2019 against the week before (Christmas): the seasonal naive is far off.
        #expect((models[1]["mase"] as! Double) < (models[0]["mase"] as! Double))
        // Ten days are too few for two weekly cycles: exit 2, the file and the need named, nothing written.
        let short = dir.appendingPathComponent("short.csv")
        let rows = try String(contentsOfFile: victoria, encoding: .utf8).split(separator: "\n").prefix(1 + 240)
        try (rows.joined(separator: "\n") + "\n").write(to: short, atomically: true, encoding: .utf8)
        let forecast = dir.appendingPathComponent("short-forecast.csv")
        r = try CLI.run(["forecast", "--data", short.path, "--column", "demand_gw", "--model", "mstl-ets", "--horizon", "24", "--out", forecast.path])
        #expect(r.code == 2 && r.stderr.contains(short.path) && r.stderr.contains("mstl-ets needs at least"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: forecast.path))
    }

    /// `--forecasts` writes every test day's forecast: one row per model, day and step, and the seasonal naive's
    /// forecast is the value a week before (checked against the data file's own rows).
    @Test func backtestWritesItsForecasts() throws {
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("f.csv")
        let r = try CLI.run([
            "backtest", "--data", Self.taylor, "--column", "demand_mw", "--horizon", "48", "--test-days", "2",
            "--models", "seasonal-naive,seasonal-mean", "--forecasts", out.path
        ])
        #expect(r.code == 0, "\(r.stderr)")
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 1 + 2 * 2 * 48 && lines[0] == "model,origin,timestamp,actual,forecast,lower_95,upper_95")
        // The series ends 2000-08-27T23:30Z: the last two days are the 26th and 27th.
        #expect(lines[1].hasPrefix("seasonal-naive,2000-08-26T00:00:00Z,2000-08-26T00:00:00Z,"))
        #expect(lines[49].hasPrefix("seasonal-naive,2000-08-27T00:00:00Z,2000-08-27T00:00:00Z,"))
        #expect(lines[97].hasPrefix("seasonal-mean,2000-08-26T00:00:00Z,") && lines[192].hasPrefix("seasonal-mean,2000-08-27T00:00:00Z,2000-08-27T23:30:00Z,"))
        let data = try String(contentsOfFile: Self.taylor, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        func value(_ stamp: String) -> Double? { data.first { $0.first == stamp }.flatMap { Double($0[1]) } }
        let row = lines[1].split(separator: ",").map(String.init)
        #expect(Double(row[3]) == value("2000-08-26T00:00:00Z") && Double(row[4]) == value("2000-08-19T00:00:00Z"))
        #expect(Double(row[5])! < Double(row[4])! && Double(row[6])! > Double(row[4])!)
        // A forecasts path that cannot be written (its parent is a file): exit 2, named, and the JSON is not left behind either.
        let json = dir.appendingPathComponent("scores.json")
        let bad = try CLI.run([
            "backtest", "--data", Self.taylor, "--column", "demand_mw", "--horizon", "48", "--test-days", "1",
            "--json", json.path, "--forecasts", out.appendingPathComponent("under-a-file.csv").path
        ])
        #expect(bad.code == 2 && bad.stderr.contains("under-a-file.csv"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: json.path))
    }

    /// The 15-minute SimBench households (Datasets/simbench_households_2016_15min.csv): a backtest sees 96
    /// observations a day, the per-unit errors keep two significant digits in the table, and the PV forecasts are
    /// never negative and zero in the dark.
    @Test func fifteenMinuteHouseholdsBacktest() throws {
        let dir = try CLI.temporaryDirectory()
        let data = CLI.packageRoot.appendingPathComponent("Datasets/simbench_households_2016_15min.csv").path
        let out = dir.appendingPathComponent("f.csv")
        let pv = try CLI.run([
            "backtest", "--data", data, "--column", "pv3_pv_pu", "--horizon", "96", "--test-days", "1",
            "--models", "seasonal-naive,seasonal-naive-day,clear-sky", "--forecasts", out.path
        ])
        #expect(pv.code == 0, "\(pv.stderr)")
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        #expect(lines.count == 1 + 3 * 96)
        #expect(lines[1][2] == "2016-07-24T00:00:00Z" && lines[2][2] == "2016-07-24T00:15:00Z" && lines[96][2] == "2016-07-24T23:45:00Z")
        for row in lines.dropFirst() {
            let f = row[4...6].map { Double($0)! }
            #expect(f.allSatisfy { $0 >= 0 }, "\(row)")
            if row[2].hasPrefix("2016-07-24T01:") { #expect(f == [0, 0, 0], "\(row)") }
        }
        let table = pv.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        let naive = try #require(table.first { $0.first == "seasonal-naive" })
        #expect((naive[1].split(separator: ".").last?.count ?? 0) >= 3 && Double(naive[1])! > 0, "MAE 0.0x printed with two significant digits: \(naive)")
        let load = try CLI.run([
            "backtest", "--data", data, "--column", "h0a_load_pu", "--horizon", "96", "--test-days", "2", "--models", "seasonal-naive,seasonal-mean-day"
        ])
        #expect(load.code == 0 && load.stdout.contains("seasonal-mean-day"), "\(load.stderr)")
    }

    @Test func forecastWritesIntervals() throws {
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("f.csv")
        let r = try CLI.run(["forecast", "--data", Self.taylor, "--column", "demand_mw", "--model", "seasonal-naive", "--horizon", "48", "--out", out.path])
        #expect(r.code == 0, "\(r.stderr)")
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 49 && lines[0] == "timestamp,forecast,lower_95,upper_95")
        #expect(lines[1].hasPrefix("2000-08-28T00:00:00Z,"))
        #expect(!r.stderr.contains("note"), "\(r.stderr)")
        // A horizon longer than the history is forecast, with a note.
        let far = try CLI.run(["forecast", "--data", Self.taylor, "--column", "demand_mw", "--horizon", "5000", "--out", out.path])
        #expect(far.code == 0 && far.stderr.contains("note: the horizon (5000 steps) is longer than the history (4032 observations)"), "\(far.stderr)")
    }

    /// Network settings that no model uses are named in a note, not silently dropped; a network uses them without one.
    @Test func unusedNetworkSettingsAreNoted() throws {
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("f.csv").path
        var r = try CLI.run(["forecast", "--data", Self.taylor, "--column", "demand_mw", "--model", "seasonal-naive", "--window", "5", "--out", out])
        #expect(r.code == 0 && r.stderr.contains("note: --window not used: only lstm and cnn train a network (models here: seasonal-naive)"), "\(r.stderr)")
        r = try CLI.run([
            "forecast", "--data", Self.taylor, "--column", "demand_mw", "--model", "seasonal-naive", "--save-model", dir.appendingPathComponent("m.json").path
        ])
        #expect(r.code == 0 && !r.stderr.contains("note"), "\(r.stderr)")
        r = try CLI.run(["forecast", "--load-model", dir.appendingPathComponent("m.json").path, "--epochs", "3", "--seed", "2", "--out", out])
        #expect(r.code == 0 && r.stderr.contains("note: --epochs, --seed not used: a loaded model is not trained again"), "\(r.stderr)")
        r = try CLI.run(["backtest", "--data", Self.taylor, "--column", "demand_mw", "--models", "seasonal-naive,cnn", "--test-days", "1", "--epochs", "1"])
        #expect(r.code == 0 && !r.stderr.contains("note"), "\(r.stderr)")
    }

    /// A model list with an empty name or a name twice exits 2 (an empty list printed a table without rows, and a
    /// name given twice ran twice).
    @Test func badModelListsExitTwo() throws {
        for (models, message) in [("", "an empty model name"), ("naive,,seasonal-naive", "an empty model name"), ("naive, naive", "names naive twice")] {
            let r = try CLI.run(["backtest", "--data", Self.taylor, "--column", "demand_mw", "--test-days", "1", "--models", models])
            #expect(r.code == 2 && r.stderr.contains(message), "\(models): \(r.stderr)")
        }
    }

    /// A negative number after an option reaches the option's own check (it was "Missing value for --test-days").
    @Test func negativeValuesGetTheOptionsOwnMessage() throws {
        var r = try CLI.run(["backtest", "--data", Self.taylor, "--column", "demand_mw", "--test-days", "-3"])
        #expect(r.code == 2 && r.stderr.contains("--test-days must be > 0"), "\(r.stderr)")
        r = try CLI.run(["history", "--limit", "-1e3"])
        #expect(r.code == 2 && r.stderr.contains("--limit"), "\(r.stderr)")
        r = try CLI.run(["forecast", "--data", Self.taylor, "--column", "demand_mw", "--calibration-days", "-inf"])
        #expect(r.code == 2 && r.stderr.contains("--calibration-days"), "\(r.stderr)")
    }

    /// Regressors that no model uses are noted; series options with a loaded model are refused (exit 2, nothing
    /// written); `anomalies` refuses --exog and a --seed without --inject-rate.
    @Test func unusedSeriesOptionsAreNotedOrRefused() throws {
        let dir = try CLI.temporaryDirectory()
        let victoria = TestFixtures.packageRoot.appendingPathComponent("Datasets/victoria_demand_2014_hourly.csv").path
        let base = ["--data", victoria, "--column", "demand_gw", "--exog", "temperature_c"]
        var r = try CLI.run(["backtest"] + base + ["--models", "seasonal-naive,mstl-ets", "--test-days", "1"])
        #expect(r.code == 0 && r.stderr.contains("note: --exog temperature_c not used: seasonal-naive, mstl-ets use no regressors"), "\(r.stderr)")
        r = try CLI.run(["backtest"] + base + ["--models", "seasonal-naive,arima", "--test-days", "1"])
        #expect(r.code == 0 && !r.stderr.contains("note"), "\(r.stderr)")
        let model = dir.appendingPathComponent("m.json").path, out = dir.appendingPathComponent("f.csv").path
        r = try CLI.run(["forecast", "--data", victoria, "--column", "demand_gw", "--save-model", model])
        #expect(r.code == 0, "\(r.stderr)")
        r = try CLI.run(["forecast", "--load-model", model, "--model", "arima", "--fill", "linear", "--out", out])
        #expect(r.code == 2 && r.stderr.contains("--model, --fill need --data"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        r = try CLI.run(["anomalies"] + base)
        #expect(r.code == 2 && r.stderr.contains("--exog: anomalies reads no regressors"), "\(r.stderr)")
        r = try CLI.run(["anomalies", "--data", victoria, "--column", "demand_gw", "--seed", "2"])
        #expect(r.code == 2 && r.stderr.contains("--seed applies with --inject-rate only"), "\(r.stderr)")
    }

    /// A spreadsheet export from a locale with a decimal comma (semicolons, CRLF, a BOM) forecasts exactly as the
    /// same series written with commas.
    @Test func aSemicolonExportWithDecimalCommasForecastsLikeTheCommaFile() throws {
        let dir = try CLI.temporaryDirectory()
        let rows = try String(contentsOfFile: Self.taylor, encoding: .utf8).split(separator: "\n").dropFirst().suffix(48 * 21)
        let comma = dir.appendingPathComponent("comma.csv"), semicolon = dir.appendingPathComponent("excel.csv")
        let cells = rows.map { $0.split(separator: ",") }
        try ("timestamp,demand\n" + cells.map { "\($0[0]),\($0[1]).25\n" }.joined()).write(to: comma, atomically: true, encoding: .utf8)
        try ("\u{FEFF}timestamp;demand\r\n" + cells.map { "\($0[0]);\($0[1]),25\r\n" }.joined()).write(to: semicolon, atomically: true, encoding: .utf8)
        var outputs: [String] = []
        for file in [comma, semicolon] {
            let out = dir.appendingPathComponent("f-\(file.lastPathComponent)")
            let r = try CLI.run(["forecast", "--data", file.path, "--column", "demand", "--model", "seasonal-naive", "--horizon", "4", "--out", out.path])
            #expect(r.code == 0, "\(r.stderr)")
            outputs.append(try String(contentsOf: out, encoding: .utf8))
        }
        #expect(outputs[0].contains("2000-08-28T00:00:00Z,") && outputs[0].contains(".25,"))
        #expect(outputs[0] == outputs[1])
    }

    @Test func badSeriesExitsTwoWithFileAndLine() throws {
        let dir = try CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("meter.csv")
        try "timestamp,x\n2000-01-01T00:00:00Z,1\n2000-01-01T00:30:00Z,2\n2000-01-01T00:30:00Z,3\n".write(to: file, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("f.csv")
        let r = try CLI.run(["forecast", "--data", file.path, "--column", "x", "--horizon", "4", "--out", out.path])
        #expect(r.code == 2 && r.stderr.contains("meter.csv:4: duplicate timestamp"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let unknown = try CLI.run(["backtest", "--data", Self.taylor, "--column", "demand_mw", "--horizon", "48", "--test-days", "2", "--models", "prophet"])
        #expect(unknown.code == 2 && unknown.stderr.contains("unknown model 'prophet'"))
        let short = try CLI.run(["backtest", "--data", file.path, "--column", "x", "--horizon", "2", "--test-days", "1", "--fill", "linear"])
        #expect(short.code == 2)
    }

    /// Hourly load = 50 + 3 temperature + AR(1) noise (deterministic), 30 days observed, one day of future rows
    /// with temperature only.
    static func exogenousCSV(in dir: URL) throws -> URL {
        var text = "timestamp,load,temp\n"
        var noise = 0.0, state: UInt64 = 42
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        let iso = ISO8601DateFormatter()
        for k in 0..<(31 * 24) {
            let temp = 10 + 8 * sin(2 * Double.pi * Double(k) / 24) + 2 * uniform()
            noise = 0.7 * noise + uniform()
            let load = k < 30 * 24 ? String(format: "%.4f", 50 + 3 * temp + noise) : ""
            text += "\(iso.string(from: Date(timeIntervalSince1970: 1_704_067_200 + Double(k) * 3600))),\(load),\(String(format: "%.4f", temp))\n"
        }
        let file = dir.appendingPathComponent("exog.csv")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test func exogenousModelSavesAndLoadsBitForBit() throws {
        let dir = try CLI.temporaryDirectory()
        let data = try Self.exogenousCSV(in: dir)
        let model = dir.appendingPathComponent("model.json"), a = dir.appendingPathComponent("a.csv"), b = dir.appendingPathComponent("b.csv")
        let fit = try CLI.run([
            "forecast", "--data", data.path, "--column", "load", "--exog", "temp", "--model", "arima",
            "--horizon", "24", "--out", a.path, "--save-model", model.path
        ])
        #expect(fit.code == 0, "\(fit.stderr)")
        #expect(fit.stdout.contains("regressors temp"))
        let loaded = try CLI.run(["forecast", "--load-model", model.path, "--horizon", "24", "--out", b.path])
        #expect(loaded.code == 0, "\(loaded.stderr)")
        #expect(try Data(contentsOf: a) == Data(contentsOf: b))
        let first = try String(contentsOf: a, encoding: .utf8).split(separator: "\n")[1]
        #expect(first.hasPrefix("2024-01-31T00:00:00Z,"))
        // More periods than the future rows cover.
        let tooLong = try CLI.run(["forecast", "--load-model", model.path, "--horizon", "30"])
        #expect(tooLong.code == 2 && tooLong.stderr.contains("regressor values for 30 periods"), "\(tooLong.stderr)")
    }

    /// `--calibration-days`: the interval is split conformal, a saved model keeps it (load forecasts the same
    /// bytes), a PV-like column stays zero at night, and a loaded model refuses the option.
    @Test func calibratedForecastSavesAndLoads() throws {
        let dir = try CLI.temporaryDirectory()
        let model = dir.appendingPathComponent("m.json"), a = dir.appendingPathComponent("a.csv"), b = dir.appendingPathComponent("b.csv")
        let data = TestFixtures.packageRoot.appendingPathComponent("Datasets/citylearn_fontana_2017q1_hourly.csv").path
        let fit = try CLI.run([
            "forecast", "--data", data, "--column", "b01_pv_kw", "--model", "clear-sky", "--horizon", "24", "--calibration-days", "14",
            "--out", a.path, "--save-model", model.path
        ])
        #expect(fit.code == 0 && fit.stdout.contains("interval: split conformal"), "\(fit.stdout)\(fit.stderr)")
        let loaded = try CLI.run(["forecast", "--load-model", model.path, "--horizon", "24", "--out", b.path])
        #expect(loaded.code == 0, "\(loaded.stderr)")
        #expect(try Data(contentsOf: a) == Data(contentsOf: b))
        let rows = try String(contentsOf: a, encoding: .utf8).split(separator: "\n").dropFirst().map {
            $0.split(separator: ",").dropFirst().map { Double($0)! }
        }
        #expect(rows.count == 24 && rows.allSatisfy { $0[1] >= 0 && $0[0] >= $0[1] && $0[2] >= $0[0] })
        #expect(rows[2] == [0, 0, 0] && rows.contains { $0[2] > $0[0] + 1e-9 }, "night is zero, daytime has an interval")
        let refused = try CLI.run(["forecast", "--load-model", model.path, "--horizon", "24", "--calibration-days", "3"])
        #expect(refused.code == 2 && refused.stderr.contains("--calibration-days"), "\(refused.stderr)")
    }

    @Test(arguments: ["lstm", "cnn"])
    func neuralModelSavesAndLoadsBitForBit(_ model: String) throws {
        let dir = try CLI.temporaryDirectory()
        let data = try Self.exogenousCSV(in: dir)
        let file = dir.appendingPathComponent("\(model).pgm"), a = dir.appendingPathComponent("a.csv"), b = dir.appendingPathComponent("b.csv")
        let fit = try CLI.run([
            "forecast", "--data", data.path, "--column", "load", "--exog", "temp", "--model", model, "--epochs", "1",
            "--horizon", "24", "--out", a.path, "--save-model", file.path
        ])
        #expect(fit.code == 0, "\(fit.stderr)")
        #expect(fit.stdout.contains("1 epochs"), "\(fit.stdout)")
        #expect(fit.stderr.isEmpty, "no progress output when standard error is not a terminal")
        let loaded = try CLI.run(["forecast", "--load-model", file.path, "--horizon", "24", "--out", b.path])
        #expect(loaded.code == 0, "\(loaded.stderr)")
        #expect(try Data(contentsOf: a) == Data(contentsOf: b))
        let bytes = try Data(contentsOf: file)
        try bytes.dropLast(8).write(to: file)
        let truncated = try CLI.run(["forecast", "--load-model", file.path, "--horizon", "24"])
        #expect(truncated.code == 2 && truncated.stderr.contains("truncated"), "\(truncated.stderr)")
        for bad in [["--window", "0"], ["--learning-rate=-1"], ["--epochs", "0"]] {
            let r = try CLI.run(["forecast", "--data", data.path, "--column", "load", "--exog", "temp", "--model", model, "--horizon", "24"] + bad)
            #expect(r.code == 2 && r.stderr.contains(model), "\(bad): \(r.stderr)")
        }
    }

    /// `--neural-reference`: with five weeks of history the default is the weighted-days reference and
    /// `seasonal-naive` is the value a week earlier (the model line says which); a value that is neither exits 2.
    @Test func theNeuralReferenceIsChosenOnTheCommandLine() throws {
        let dir = try CLI.temporaryDirectory()
        let taylor = TestFixtures.packageRoot.appendingPathComponent("Datasets/taylor_england_wales_halfhourly_2000.csv").path
        let out = dir.appendingPathComponent("f.csv").path
        let base = ["forecast", "--data", taylor, "--column", "demand_mw", "--model", "cnn", "--epochs", "1", "--horizon", "48", "--out", out]
        var r = try CLI.run(base)
        #expect(r.code == 0 && r.stdout.contains("reference weighted days over 7 d back"), "\(r.stdout)\(r.stderr)")
        r = try CLI.run(base + ["--neural-reference", "seasonal-naive"])
        #expect(r.code == 0 && r.stdout.contains("reference the value 7 d back"), "\(r.stdout)\(r.stderr)")
        try FileManager.default.removeItem(atPath: out)
        r = try CLI.run(base + ["--neural-reference", "weekly"])
        #expect(r.code == 2 && r.stderr.contains("--neural-reference"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func badModelFilesExitTwo() throws {
        let dir = try CLI.temporaryDirectory()
        let cases = [
            ("not json", "not a PeerGrid model file"),
            (#"{"format":"peergrid-forecast-model","version":99}"#, "version 99"),
            (
                #"{"format":"peergrid-forecast-model","version":1,"kind":"auto-arima","series":"x","start":0,"step":1800,"count":10,"model":{}}"#,
                "incomplete or corrupt"
            )
        ]
        for (k, (text, message)) in cases.enumerated() {
            let file = dir.appendingPathComponent("m\(k).json")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let r = try CLI.run(["forecast", "--load-model", file.path, "--horizon", "4"])
            #expect(r.code == 2 && r.stderr.contains(file.path) && r.stderr.contains(message), "\(r.stderr)")
        }
    }

    @Test func localTimeAcrossADaylightSavingDayForecasts() throws {
        // Europe/London local stamps over 2000-10-29 (25 hours): three days of half-hours, the 01:00-01:30 hour twice.
        let dir = try CLI.temporaryDirectory()
        var text = "timestamp,x\n"
        var t = Date(timeIntervalSince1970: 972_345_600)  // 2000-10-24T00:00:00Z = 01:00 BST
        let local = DateFormatter()
        local.timeZone = TimeZone(identifier: "Europe/London")
        local.dateFormat = "yyyy-MM-dd HH:mm"
        for k in 0..<(9 * 48) {
            text += "\(local.string(from: t)),\(100 + k % 48)\n"
            t = t.addingTimeInterval(1800)
        }
        let file = dir.appendingPathComponent("local.csv")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.run([
            "forecast", "--data", file.path, "--column", "x", "--timezone", "Europe/London",
            "--model", "seasonal-naive-day", "--horizon", "4"
        ])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").count == 5)
        let noZone = try CLI.run(["forecast", "--data", file.path, "--column", "x", "--horizon", "4"])
        #expect(noZone.code == 2 && noZone.stderr.contains("local.csv:2:") && noZone.stderr.contains("--timezone"), "\(noZone.stderr)")
    }
}

/// Hourly ISO 8601 stamps from 2000-01-01T00:00:00Z.
enum UTCTimeForTests {
    static func string(_ hour: Int) -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: Date(timeIntervalSince1970: 946_684_800 + Double(hour) * 3600))
    }
}

@Suite struct TuneCommandTests {
    /// A tiny search end to end (JSON with both methods), and bad input exiting 2 with the file named.
    @Test func tunesAndRefusesBadInput() throws {
        let dir = try CLI.temporaryDirectory()
        let data = TestFixtures.packageRoot.appendingPathComponent("Datasets/citylearn_fontana_2017q1_hourly.csv").path
        let json = dir.appendingPathComponent("t.json").path
        // 16 days of an hourly daily cycle, two epochs at most: seconds in a debug build.
        let small = dir.appendingPathComponent("small.csv")
        var rows = "timestamp,x\n"
        for k in 0..<(24 * 16) {
            rows += "\(UTCTimeForTests.string(k)),\(String(format: "%.3f", 5 + 2 * sin(Double(k % 24) / 24 * 6.283) + Double((k * 7919) % 13) / 20))\n"
        }
        try rows.write(to: small, atomically: true, encoding: .utf8)
        let r = try CLI.run([
            "tune", "--data", small.path, "--column", "x", "--model", "cnn", "--budget", "2", "--validation-days", "1", "--max-epochs", "2", "--json", json
        ])
        #expect(r.code == 0 && r.stdout.contains("best pso") && r.stdout.contains("best random"), "\(r.stdout)\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        let methods = object["methods"] as! [[String: Any]]
        #expect(methods.map { $0["method"] as! String } == ["pso", "random"] && methods.allSatisfy { ($0["trials"] as! [Any]).count == 2 })
        // --max-epochs bounds every trial (it was once parsed and ignored: trials ran up to 40 epochs).
        let epochs = methods.flatMap { ($0["trials"] as! [[String: Any]]).map { ($0["configuration"] as! [String: Any])["epochs"] as! Int } }
        #expect(epochs.count == 4 && epochs.allSatisfy { (1...2).contains($0) }, "\(epochs)")
        let short = dir.appendingPathComponent("short.csv")
        var text = "timestamp,x\n"
        for k in 0..<(24 * 5) { text += "2000-01-0\(1 + k / 24)T\(String(format: "%02d", k % 24)):00:00Z,\(k % 24)\n" }
        try text.write(to: short, atomically: true, encoding: .utf8)
        var bad = try CLI.run(["tune", "--data", short.path, "--column", "x", "--budget", "2"])
        #expect(bad.code == 2 && bad.stderr.contains("short.csv") && bad.stderr.contains("needs at least"), "\(bad.stderr)")
        bad = try CLI.run(["tune", "--data", data, "--column", "b01_load_kw", "--model", "arima"])
        #expect(bad.code == 2 && bad.stderr.contains("--model"), "\(bad.stderr)")
    }
}

@Suite struct StepNoteTests {
    /// A step that does not divide a day gets a note naming the file and the rounded daily season; one that divides
    /// it gets none. Both backtests run.
    @Test(arguments: [(420, true), (600, false)])
    func aStepThatDoesNotDivideADayIsNoted(_ step: Int, _ noted: Bool) throws {
        let dir = try CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("step-\(step).csv")
        let f = ISO8601DateFormatter()
        var rows = "timestamp,x\n"
        for k in 0..<(9 * 86_400 / step) {
            rows += "\(f.string(from: Date(timeIntervalSince1970: 946_684_800 + Double(k * step)))),\(String(format: "%.3f", 5 + sin(Double(k) / 20)))\n"
        }
        try rows.write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["backtest", "--data", file.path, "--column", "x", "--horizon", "1", "--test-days", "1", "--models", "naive"])
        #expect(r.code == 0, "\(r.stderr)")
        if noted {
            #expect(
                r.stderr.contains("step-420.csv: the 420 s step does not divide a day; the daily season is taken as 206 observations (24.03 h)"), "\(r.stderr)")
        } else {
            #expect(!r.stderr.contains("note:"), "\(r.stderr)")
        }
    }
}

@Suite struct ForecastDefaultsTests {
    /// Without --column and --horizon, `forecast` reads the file's one value column and forecasts one day of its
    /// steps; a file with several value columns is refused (exit 2) with the columns named.
    @Test func oneValueColumnAndOneDayAreTheDefaults() throws {
        let dir = try CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("meter.csv"), out = dir.appendingPathComponent("f.csv")
        let f = ISO8601DateFormatter()
        var rows = "timestamp,kw\n", two = "timestamp,a,b\n"
        for k in 0..<(9 * 24) {
            let stamp = f.string(from: Date(timeIntervalSince1970: 946_684_800 + Double(k * 3600)))
            rows += "\(stamp),\(String(format: "%.3f", 2 + sin(Double(k) / 4)))\n"
            two += "\(stamp),1,2\n"
        }
        try rows.write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["forecast", "--data", file.path, "--out", out.path])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("wrote 24 forecasts of kw"), "\(r.stdout)")
        let written = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
        #expect(written.count == 25 && written[1].hasPrefix("2000-01-10T00:00:00Z,"), "\(written.prefix(2))")
        let several = dir.appendingPathComponent("two.csv")
        try two.write(to: several, atomically: true, encoding: .utf8)
        let refused = try CLI.run(["forecast", "--data", several.path])
        #expect(refused.code == 2 && refused.stderr.contains("two.csv:1: 2 value columns (a, b): name the one to read with --column"), "\(refused.stderr)")
    }
}

@Suite struct BLASThreadsTests {
    /// OpenBLAS runs on one thread unless the environment sets its thread count; `backtest --json` records the count.
    @Test func oneBLASThreadUnlessTheEnvironmentSaysOtherwise() throws {
        let dir = try CLI.temporaryDirectory()
        let taylor = CLI.packageRoot.appendingPathComponent("Datasets/taylor_england_wales_halfhourly_2000.csv").path
        func threads(_ environment: [String: String]) throws -> Int? {
            let json = dir.appendingPathComponent("scores-\(environment.count).json")
            let r = try CLI.run(
                ["backtest", "--data", taylor, "--test-days", "1", "--json", json.path], environment: environment,
                unsetting: ["OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"])
            #expect(r.code == 0, "\(r.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any]
            return object?["blas_threads"] as? Int
        }
        #expect(try threads([:]) == 1)
        let two = try threads(["OPENBLAS_NUM_THREADS": "2"])
        #expect(two == min(2, ProcessInfo.processInfo.activeProcessorCount), "\(String(describing: two))")
    }

    /// With `--calibration-days` the backtest adapts its conformal level (gamma 0.5) unless `--aci-gamma` says
    /// otherwise; the JSON and the intervals line say which rule ran, and gamma 0 is the plain rule's numbers.
    @Test func adaptiveConformalIsTheCalibratedDefault() throws {
        let dir = try CLI.temporaryDirectory()
        let taylor = CLI.packageRoot.appendingPathComponent("Datasets/taylor_england_wales_halfhourly_2000.csv").path
        func run(_ extra: [String]) throws -> (gamma: Double?, coverage: Double?, stdout: String) {
            let json = dir.appendingPathComponent("scores-\(extra.joined(separator: "_")).json")
            let r = try CLI.run(["backtest", "--data", taylor, "--test-days", "4", "--models", "seasonal-naive", "--json", json.path] + extra)
            #expect(r.code == 0, "\(r.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any]
            let model = (object?["models"] as? [[String: Any]])?.first
            return (object?["aci_gamma"] as? Double, model?["coverage"] as? Double, r.stdout)
        }
        let adaptive = try run(["--calibration-days", "3"])
        #expect(adaptive.gamma == 0.5 && adaptive.stdout.contains("with adaptive conformal inference (gamma 0.5)"), "\(adaptive.stdout)")
        let plain = try run(["--calibration-days", "3", "--aci-gamma", "0"])
        #expect(plain.gamma == 0 && plain.stdout.contains("intervals: split conformal") && !plain.stdout.contains("adaptive"))
        #expect(try run([]).gamma == 0, "no calibration, no adaptation")
        #expect(adaptive.coverage != nil && plain.coverage != nil)
        let refused = try CLI.run(["backtest", "--data", taylor, "--test-days", "2", "--aci-gamma", "0.5"])
        #expect(refused.code == 2 && refused.stderr.contains("--aci-gamma needs --calibration-days"), "\(refused.stderr)")
        // forecast adapts only when asked (--aci-days), and says what is missing otherwise.
        let out = dir.appendingPathComponent("f.csv").path
        let model = dir.appendingPathComponent("m.json").path
        let adapted = try CLI.run([
            "forecast", "--data", taylor, "--model", "seasonal-naive", "--calibration-days", "3", "--aci-days", "3", "--out", out, "--save-model", model
        ])
        #expect(adapted.code == 0 && FileManager.default.fileExists(atPath: out), "\(adapted.stderr)")
        let note = "level adapted over 3 days with gamma 0.5"
        #expect(adapted.stdout.contains(note), "\(adapted.stdout)")
        // The saved model records the rule: loaded again, it says the same and forecasts the same interval.
        let reloadedOut = dir.appendingPathComponent("g.csv").path
        let reloaded = try CLI.run(["forecast", "--load-model", model, "--out", reloadedOut])
        #expect(reloaded.code == 0 && reloaded.stdout.contains(note), "\(reloaded.stdout) \(reloaded.stderr)")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == String(contentsOfFile: reloadedOut, encoding: .utf8))
        for (args, message) in [
            (["--aci-days", "3"], "--aci-days needs --calibration-days"), (["--calibration-days", "3", "--aci-gamma", "0.2"], "--aci-gamma needs --aci-days"),
            (["--calibration-days", "3", "--aci-days", "3", "--aci-gamma", "0"], "--aci-gamma must be above 0")
        ] {
            let r = try CLI.run(["forecast", "--data", taylor, "--model", "seasonal-naive"] + args)
            #expect(r.code == 2 && r.stderr.contains(message), "\(args): \(r.stderr)")
        }
    }
}

/// `benchmark forecast` on a user's own series: read as `peergrid backtest` reads it (BOM, CRLF, quoted fields),
/// and a bad cell exits 2 naming file and line, with no report written.
@Suite struct ForecastBenchmarkInputTests {
    @Test func readsAWindowsExportAndRefusesABadCell() throws {
        let dir = try CLI.temporaryDirectory()
        var rows = ["\u{FEFF}\"timestamp\",\"load, kW\""]
        for h in 0..<(24 * 21) {
            let stamp = UTCTimeForTests.string(h)
            rows.append("\"\(stamp)\",\"\(2 + sin(Double(h % 24) / 4))\"")
        }
        let good = dir.appendingPathComponent("good.csv"), bad = dir.appendingPathComponent("bad.csv")
        try Data((rows.joined(separator: "\r\n") + "\r\n").utf8).write(to: good)
        rows[100] = "\"\(UTCTimeForTests.string(99))\",abc\"d"
        try Data((rows.joined(separator: "\r\n") + "\r\n").utf8).write(to: bad)
        func run(_ file: URL, _ name: String) throws -> CLI.Result {
            try CLI.run(
                [
                    "forecast", "--data", file.path, "--column", "load, kW", "--out", dir.path, "--name", name, "--models", "seasonal-naive",
                    "--test-days", "2", "--repeats", "1", "--training-epochs", "0", "--python", dir.appendingPathComponent("no-python").path
                ], in: CLI.packageRoot, program: CLI.benchmark)
        }
        let ok = try run(good, "good")
        #expect(ok.code == 0, "\(ok.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("good.md").path))
        let refused = try run(bad, "bad")
        #expect(refused.code == 2 && refused.stderr.contains("bad.csv:101"), "\(refused.code) \(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad.md").path))
    }
}

/// `--holidays`: the calendar changes the forecast of a holiday, is kept in a saved model, and a bad calendar
/// exits 2 naming file and line with nothing written.
@Suite struct HolidayOptionTests {
    static let france = CLI.packageRoot.appendingPathComponent("Datasets/france_consumption_2019q4_hourly.csv").path
    static let calendar = CLI.packageRoot.appendingPathComponent("Datasets/holidays/france_2019.csv").path

    @Test func christmasIsForecastAsASundayAndSavedModelsKeepTheCalendar() throws {
        let dir = try CLI.temporaryDirectory()
        // French demand up to Christmas Eve; the next day is Christmas (Wednesday 2019-12-25).
        let lines = try String(contentsOfFile: Self.france, encoding: .utf8).split(separator: "\n")
        let history = dir.appendingPathComponent("france-to-24-dec.csv")
        try (lines.prefix(1 + 77 * 24).joined(separator: "\n") + "\n").write(to: history, atomically: true, encoding: .utf8)
        func total(_ file: URL) throws -> Double {
            try String(contentsOf: file, encoding: .utf8).split(separator: "\n").dropFirst().compactMap { Double($0.split(separator: ",")[1]) }.reduce(0, +)
        }
        let base = ["forecast", "--data", history.path, "--column", "consumption_mw", "--model", "mstl-ets", "--horizon", "24"]
        let plain = dir.appendingPathComponent("plain.csv"), told = dir.appendingPathComponent("told.csv"), model = dir.appendingPathComponent("m.json")
        var r = try CLI.run(base + ["--out", plain.path])
        #expect(r.code == 0, "\(r.stderr)")
        r = try CLI.run(base + ["--holidays", Self.calendar, "--out", told.path, "--save-model", model.path])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("holidays as Sundays (2 in the history)"), "\(r.stdout)")
        let ratio = try total(told) / total(plain)
        #expect(ratio > 0.7 && ratio < 0.9, "Christmas against an ordinary Wednesday: \(ratio)")
        let loaded = dir.appendingPathComponent("loaded.csv")
        r = try CLI.run(["forecast", "--load-model", model.path, "--horizon", "24", "--out", loaded.path])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(try String(contentsOf: loaded, encoding: .utf8) == String(contentsOf: told, encoding: .utf8))
        r = try CLI.run(["forecast", "--load-model", model.path, "--holidays", Self.calendar, "--out", loaded.path])
        #expect(r.code == 2 && r.stderr.contains("--holidays needs --data"), "\(r.stderr)")
    }

    @Test func badCalendarsExitTwoWithFileAndLine() throws {
        let dir = try CLI.temporaryDirectory()
        let bad = dir.appendingPathComponent("holidays.csv")
        try "\u{FEFF}date,name\r\n2019-12-25,Christmas\r\n2019-13-01,typo\r\n".write(to: bad, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("f.csv"), json = dir.appendingPathComponent("b.json")
        var r = try CLI.run(["forecast", "--data", Self.france, "--column", "consumption_mw", "--holidays", bad.path, "--out", out.path])
        #expect(r.code == 2 && r.stderr.contains("holidays.csv:3: '2019-13-01' is not a date (YYYY-MM-DD)"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
        r = try CLI.run([
            "backtest", "--data", Self.france, "--column", "consumption_mw", "--test-days", "1", "--holidays",
            dir.appendingPathComponent("missing.csv").path, "--json", json.path
        ])
        #expect(r.code == 2 && r.stderr.contains("missing.csv"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: json.path))
        r = try CLI.run(["anomalies", "--data", Self.france, "--column", "consumption_mw", "--holidays", Self.calendar])
        #expect(r.code == 2, "\(r.stderr)")
    }
}

/// `forecast --level` and `backtest --level`: intervals at levels other than 95 %.
@Suite struct IntervalLevelTests {
    /// `--level 80,95`: a lower/upper pair per level, the 80 % interval inside the 95 % one, each calibrated, kept by a
    /// saved model (loading forecasts the same bytes); a level the model was not calibrated at, and bad levels, exit
    /// 2 with nothing written.
    @Test func levelsNameTheColumnsAndAreCalibratedEach() throws {
        let dir = try CLI.temporaryDirectory()
        let (a, b, c, model) = (
            dir.appendingPathComponent("a.csv"), dir.appendingPathComponent("b.csv"), dir.appendingPathComponent("c.csv"), dir.appendingPathComponent("m.json")
        )
        let fit = try CLI.run([
            "forecast", "--data", ForecastCommandTests.taylor, "--column", "demand_mw", "--model", "seasonal-naive-day", "--level", "95,80",
            "--calibration-days", "7",
            "--out", a.path, "--save-model", model.path
        ])
        #expect(fit.code == 0 && fit.stdout.contains("interval 80 %: split conformal"), "\(fit.stdout)\(fit.stderr)")
        let lines = try String(contentsOf: a, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "timestamp,forecast,lower_80,upper_80,lower_95,upper_95" && lines.count == 49)
        let rows = lines.dropFirst().map { $0.split(separator: ",").dropFirst().map { Double($0)! } }
        #expect(rows.allSatisfy { $0[3] <= $0[1] && $0[1] <= $0[0] && $0[0] <= $0[2] && $0[2] <= $0[4] } && rows.contains { $0[3] < $0[1] })
        let loaded = try CLI.run(["forecast", "--load-model", model.path, "--level", "80,95", "--out", b.path])
        let (first, again) = (try Data(contentsOf: a), try Data(contentsOf: b))
        #expect(loaded.code == 0 && first == again, "\(loaded.stderr)")
        let notCalibrated = try CLI.run(["forecast", "--load-model", model.path, "--level", "90", "--out", c.path])
        #expect(notCalibrated.code == 2 && notCalibrated.stderr.contains("calibrated at 80 %, 95 %, not at 90 %"), "\(notCalibrated.stderr)")
        for bad in ["40", "100", "80,80", "eighty", "80,"] {
            let r = try CLI.run(["forecast", "--data", ForecastCommandTests.taylor, "--column", "demand_mw", "--level", bad, "--out", c.path])
            #expect(r.code == 2 && r.stderr.contains("--level"), "\(bad): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: c.path))
    }

    /// `backtest --level 80` scores the 80 % interval: the table's pinball quantiles, the JSON's level and keys, and the
    /// forecasts' columns say so, and its calibrated coverage is below the 95 % interval's.
    @Test func backtestScoresTheLevelAsked() throws {
        let dir = try CLI.temporaryDirectory()
        func run(_ level: String) throws -> (stdout: String, json: [String: Any], csv: String) {
            let (json, csv) = (dir.appendingPathComponent("s\(level).json"), dir.appendingPathComponent("f\(level).csv"))
            let r = try CLI.run([
                "backtest", "--data", ForecastCommandTests.taylor, "--column", "demand_mw", "--test-days", "3", "--models", "seasonal-naive-day",
                "--calibration-days", "7",
                "--level", level, "--json", json.path, "--forecasts", csv.path
            ])
            #expect(r.code == 0, "\(r.stderr)")
            return (
                r.stdout, try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as! [String: Any], try String(contentsOf: csv, encoding: .utf8)
            )
        }
        let (eighty, ninetyFive) = (try run("80"), try run("95"))
        #expect(eighty.stdout.contains("pinball .1/.5/.9") && ninetyFive.stdout.contains("pinball .025/.5/.975"))
        #expect(eighty.json["level"] as? Double == 0.8 && eighty.csv.hasPrefix("model,origin,timestamp,actual,forecast,lower_80,upper_80\n"))
        let (m80, m95) = ((eighty.json["models"] as! [[String: Any]])[0], (ninetyFive.json["models"] as! [[String: Any]])[0])
        #expect(Set((m80["pinball"] as! [String: Double]).keys) == ["q0.1", "q0.5", "q0.9"])
        #expect((m80["coverage"] as! Double) < (m95["coverage"] as! Double) && (m80["interval_width"] as! Double) < (m95["interval_width"] as! Double))
        #expect(m80["mae"] as! Double == m95["mae"] as! Double)
        let twoLevels = try CLI.run(["backtest", "--data", ForecastCommandTests.taylor, "--column", "demand_mw", "--test-days", "3", "--level", "80,95"])
        #expect(twoLevels.code == 2 && twoLevels.stderr.contains("one level at a time"), "\(twoLevels.stderr)")
    }
}
