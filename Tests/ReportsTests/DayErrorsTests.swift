import Foundation
import Testing

@testable import Forecast
@testable import Reports

@Suite struct DayErrorsTests {
    /// Two models over three days of four observations: a day's misses are the actuals outside [lower, upper],
    /// the worst day is the one with the most misses over both models, and the scores without it are those of
    /// the other two days.
    @Test func perDayMisses_worstDay_andTheScoresWithoutIt() {
        func day(_ origin: Int, _ actual: [Double], _ point: [Double], halfWidth: Double) -> BacktestDay {
            BacktestDay(origin: origin, actual: actual, point: point, lower: point.map { $0 - halfWidth }, upper: point.map { $0 + halfWidth })
        }
        let a = BacktestScore(
            model: "a", mae: 0, rmse: 0, mape: 0, mase: 0, coverage: 0, fitSeconds: 0,
            days: [
                day(0, [10, 10, 10, 10], [10, 10, 10, 11], halfWidth: 2),  // 2.5 %, no miss
                day(4, [10, 10, 10, 10], [14, 6, 10, 10], halfWidth: 2),  // 20 %, two misses
                day(8, [10, 10, 10, 10], [10, 10, 10, 10], halfWidth: 2)  // 0 %
            ])
        let b = BacktestScore(
            model: "b", mae: 0, rmse: 0, mape: 0, mase: 0, coverage: 0, fitSeconds: 0,
            days: [
                day(0, [10, 10, 10, 10], [13, 10, 10, 10], halfWidth: 1),  // 7.5 %, one miss
                day(4, [10, 10, 10, 10], [10, 10, 10, 10], halfWidth: 1),  // 0 %
                day(8, [10, 10, 10, 10], [12, 12, 10, 10], halfWidth: 1)  // 10 %, two misses
            ])
        let e = BacktestReport.dayErrors([a, b])
        #expect(e.misses == [[0, 2, 0], [1, 0, 2]])
        #expect(zip(e.mape[0], [2.5, 20, 0]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(zip(e.mape[1], [7.5, 0, 10]).allSatisfy { abs($0 - $1) < 1e-12 })
        // Days 1 and 2 both have two misses: the earlier one is the worst.
        #expect(e.worstDay == 1)
        #expect(abs(e.mapeWithout[0] - 1.25) < 1e-12)
        #expect(abs(e.mapeWithout[1] - 8.75) < 1e-12)
        #expect(e.coverageWithout == [1, 5.0 / 8])
    }

    /// Nothing missed, or one day only: no worst day, and the "without" scores are NaN. The report then has no
    /// "without" row.
    @Test func noWorstDayWithoutMissesOrWithOneDay() throws {
        let calm = BacktestDay(origin: 0, actual: [1, 2], point: [1, 2], lower: [0, 1], upper: [2, 3])
        let stormy = BacktestDay(origin: 2, actual: [1, 9], point: [1, 2], lower: [0, 1], upper: [2, 3])
        let twoCalm = BacktestScore(model: "m", mae: 0, rmse: 0, mape: 0, mase: 0, coverage: 1, fitSeconds: 0, days: [calm, calm])
        let oneStormy = BacktestScore(model: "m", mae: 0, rmse: 0, mape: 0, mase: 0, coverage: 0.5, fitSeconds: 0, days: [stormy])
        for score in [twoCalm, oneStormy] {
            let e = BacktestReport.dayErrors([score])
            #expect(e.worstDay == nil)
            #expect(e.mapeWithout[0].isNaN && e.coverageWithout[0].isNaN)
        }
        let series = TimeSeries(name: "x", start: Date(timeIntervalSince1970: 0), step: 43_200, values: [1, 2, 1, 9])
        let calmReport = BacktestReport.document(series: series, source: "x.csv", scores: [twoCalm], horizon: 2, testDays: 2).markdown()
        #expect(calmReport.contains("## Errors per test day"))
        #expect(calmReport.contains("| 1970-01-01 Thu | 0.00 (0) |"))
        #expect(!calmReport.contains("without 1970"))
        let stormyTwice = BacktestScore(model: "m", mae: 0, rmse: 0, mape: 0, mase: 0, coverage: 0.75, fitSeconds: 0, days: [calm, stormy])
        let stormyReport = BacktestReport.document(series: series, source: "x.csv", scores: [stormyTwice], horizon: 2, testDays: 2).markdown()
        #expect(stormyReport.contains("| without 1970-01-02 | 0.000 (1.000) |"))
        #expect(stormyReport.contains("holds 1 of the 1 misses"))
        #expect(!stormyReport.contains("outside the dark hours"))
    }

    /// A score with coverage outside the dark hours adds that column to the report's table and a last line to the
    /// terminal table.
    @Test func daylightCoverageIsShownWhenThereIsOne() {
        let day = BacktestDay(origin: 0, actual: [0, 2], point: [0, 2], lower: [0, 1], upper: [0, 3])
        var score = BacktestScore(model: "pv", mae: 0, rmse: 0, mape: 0, mase: 0, coverage: 1, fitSeconds: 0, days: [day])
        (score.daylightCoverage, score.daylightWidth, score.daylightObservations, score.msis) = (0.5, 2, 1, 1.25)
        let series = TimeSeries(name: "x", start: Date(timeIntervalSince1970: 0), step: 43_200, values: [0, 2])
        let report = BacktestReport.document(series: series, source: "x.csv", scores: [score], horizon: 2, testDays: 1).markdown()
        #expect(report.contains("| coverage | coverage outside the dark hours | MSIS | fit s |") && report.contains("| 1.000 | 0.500 | 1.250 | 0.000 |"))
        #expect(report.contains("MSIS: the mean scaled interval score of the 95 % interval (M4's measure: its width plus 40 times each miss's size"))
        #expect(
            BacktestReport.table([score]).hasSuffix(
                "outside the dark hours (1 of 2 observations; in the dark the forecast is 0 with a [0, 0] interval): coverage pv 0.500 (width 2)"))
        var standby = score
        standby.darkValue = -0.004
        #expect(
            BacktestReport.table([standby]).contains("; in the dark the forecast is the standby value -0.004 with a zero-width interval): coverage pv 0.500"))
        #expect(report.contains("coverage is that of the 95 % interval, each model's own."))
        let adaptive = BacktestReport.document(
            series: series, source: "x.csv", scores: [score], horizon: 2, testDays: 1, calibrationDays: 3, adaptiveGamma: 0.5
        ).markdown()
        #expect(
            adaptive.contains("calibrated by split conformal on the errors of the 3 days before each test day, with adaptive conformal inference (gamma 0.5)."))
    }
}
