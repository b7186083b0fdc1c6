import Foundation
import Testing

@testable import Forecast

@Suite struct ExponentialSmoothingTests {
    static func series(_ values: [Double]) -> TimeSeries {
        TimeSeries(name: "x", start: Date(timeIntervalSince1970: 0), step: 3600, values: values)
    }

    /// A local level model (random walk plus noise) is simple exponential smoothing with a known alpha:
    /// with level noise q² and observation noise 1, alpha solves alpha² / (1 − alpha) = q².
    @Test func recoversTheSmoothingOfALocalLevel() throws {
        for seed in UInt64(1)...4 {
            var source = NormalSource(state: seed)
            let q = 0.5
            var level = 100.0
            var y: [Double] = []
            for _ in 0..<3000 {
                level += q * source.normal()
                y.append(level + source.normal())
            }
            let expected = (-q * q + (q * q * q * q + 4 * q * q).squareRoot()) / 2  // 0.390
            var m = ExponentialSmoothing()
            m.candidates = [.none]
            try m.fit(Self.series(y))
            #expect(abs(m.alpha - expected) < 0.06, "seed \(seed): alpha \(m.alpha), expected \(expected)")
            let f = try m.forecast(horizon: 5, level: 0.95)
            #expect(Set(f.point).count == 1, "a level model forecasts flat")
            // The interval widens as sigma sqrt(1 + (h − 1) alpha²).
            let w = zip(f.upper, f.lower).map { $0 - $1 }
            for h in 1...5 {
                let ratio = w[h - 1] / w[0]
                #expect(abs(ratio - (1 + Double(h - 1) * m.alpha * m.alpha).squareRoot()) < 1e-9)
            }
        }
    }

    /// A straight line plus noise: the criterion picks a trend form, and the forecast continues the line.
    @Test func followsALinearTrend() throws {
        var source = NormalSource(state: 11)
        let y = (0..<500).map { 10 + 0.2 * Double($0) + 0.5 * source.normal() }
        var m = ExponentialSmoothing()
        try m.fit(Self.series(y))
        #expect(m.trend != .none, "\(m.summary)")
        let f = try m.forecast(horizon: 10, level: 0.95)
        for h in 0..<10 {
            let truth = 10 + 0.2 * Double(500 + h)
            #expect(abs(f.point[h] - truth) < 2.0, "step \(h): \(f.point[h]) vs \(truth) (\(m.summary))")
        }
        // A level without trend picks the level form (the trend forms pay for two or three more parameters).
        var flat = ExponentialSmoothing()
        var noise = NormalSource(state: 12)
        try flat.fit(Self.series((0..<500).map { _ in 5 + noise.normal() }))
        #expect(flat.trend == .none, "\(flat.summary)")
    }

    @Test func refusesWhatItCannotFit() throws {
        var m = ExponentialSmoothing()
        #expect(throws: ForecastError.self) { try m.fit(Self.series([1, 2, 3])) }
        #expect(throws: ForecastError.self) { try m.forecast(horizon: 3, level: 0.95) }
        m.candidates = []
        #expect(throws: ForecastError.self) { try m.fit(Self.series((0..<50).map(Double.init))) }
        // A constant series is fitted exactly: a flat forecast with a zero-width interval.
        var constant = ExponentialSmoothing()
        try constant.fit(Self.series(Array(repeating: 4.5, count: 60)))
        let f = try constant.forecast(horizon: 4, level: 0.95)
        #expect(constant.trend == .none)
        #expect(f.point.allSatisfy { abs($0 - 4.5) < 1e-9 } && f.lower == f.point && f.upper == f.point)
    }

    /// `mstl-ets` on two weeks of Taylor's last days beats the weekly seasonal naive, and a saved model forecasts
    /// exactly as the fitted one; a tampered smoothing parameter is refused when loaded.
    @Test func mstlETSForecastsAndRoundTrips() throws {
        let s = try TimeSeriesCSV.read(taylor, column: "demand_mw").prefix(4032 - 3 * 48)
        let backtest = Backtest(horizon: 48, testDays: 2)
        let naive = try backtest.run(SeasonalNaiveForecaster(period: 336, name: "seasonal-naive"), on: s)
        let score = try backtest.run(try ForecasterCatalog.make("mstl-ets", periodsPerDay: 48), on: s)
        #expect(score.mase < naive.mase && score.mape < naive.mape, "\(score.mape) vs \(naive.mape)")

        var m = try ForecasterCatalog.make("mstl-ets", periodsPerDay: 48)
        try m.fit(s)
        let data = try ModelFile.encode(SavedModel(forecaster: m, fittedOn: s))
        let loaded = try ModelFile.decode(data, file: "m.json")
        let a = try m.forecast(horizon: 96, level: 0.95), b = try loaded.forecast(horizon: 96, level: 0.95)
        #expect(a.point == b.point && a.lower == b.lower && a.upper == b.upper)
        #expect(loaded.forecaster is MSTLETS)

        let text = try #require(String(data: data, encoding: .utf8))
        let tampered = text.replacingOccurrences(of: "\"alpha\":", with: "\"alpha\":7,\"was\":")
        #expect(tampered != text)
        #expect(throws: SavedModelError.self) { try ModelFile.decode(Data(tampered.utf8), file: "m.json") }
    }
}
