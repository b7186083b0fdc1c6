import Foundation
import Testing

@Suite(.serialized) struct ForecastCommandTests {
    static let taylor = CLI.packageRoot.appendingPathComponent("Datasets/taylor_england_wales_halfhourly_2000.csv").path

    @Test func backtestPrintsATableAndWritesJSON() throws {
        let dir = try CLI.temporaryDirectory()
        let json = dir.appendingPathComponent("scores.json")
        let r = try CLI.run(["backtest", "--data", Self.taylor, "--column", "demand_mw", "--horizon", "48", "--test-days", "3",
                             "--models", "seasonal-naive,seasonal-mean", "--json", json.path])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("seasonal-naive") && r.stdout.contains("MAPE"))
        let o = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as! [String: Any]
        #expect(o["horizon"] as? Int == 48 && o["test_days"] as? Int == 3)
        let models = o["models"] as! [[String: Any]]
        #expect(models.count == 2 && models[0]["name"] as? String == "seasonal-naive")
        for key in ["mae", "rmse", "mape", "mase", "coverage", "fit_seconds"] { #expect(models[0][key] is Double) }
    }

    @Test func forecastWritesIntervals() throws {
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("f.csv")
        let r = try CLI.run(["forecast", "--data", Self.taylor, "--column", "demand_mw", "--model", "seasonal-naive", "--horizon", "48", "--out", out.path])
        #expect(r.code == 0, "\(r.stderr)")
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 49 && lines[0] == "timestamp,forecast,lower_95,upper_95")
        #expect(lines[1].hasPrefix("2000-08-28T00:00:00Z,"))
    }

    @Test func badSeriesExitsTwoWithFileAndLine() throws {
        let dir = try CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("meter.csv")
        try "timestamp,x\n2000-01-01T00:00:00Z,1\n2000-01-01T00:30:00Z,2\n2000-01-01T00:30:00Z,3\n".write(to: file, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("f.csv")
        let r = try CLI.run(["forecast", "--data", file.path, "--column", "x", "--horizon", "4", "--out", out.path])
        #expect(r.code == 2 && r.stderr.contains("meter.csv:4: duplicate timestamp"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let unknown = try CLI.run(["backtest", "--data", Self.taylor, "--column", "demand_mw", "--horizon", "48", "--test-days", "2", "--models", "arima"])
        #expect(unknown.code == 2 && unknown.stderr.contains("unknown model 'arima'"))
        let short = try CLI.run(["backtest", "--data", file.path, "--column", "x", "--horizon", "2", "--test-days", "1", "--fill", "linear"])
        #expect(short.code == 2)
    }
}
