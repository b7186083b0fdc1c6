import FuzzDriver
import Forecast
import Foundation

/// Time-series CSV: parse (with and without gap filling), then fit and forecast the seasonal naive on what was
/// read, and with the same text read as a holiday calendar too.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTimeSeries(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for fill in [nil, GapFill.linear] {
        guard let series = try? TimeSeriesCSV.parse(text, file: "fuzz.csv", column: "load", fill: fill) else { continue }
        var naive = SeasonalNaiveForecaster(period: 2, name: "seasonal-naive")
        if (try? naive.fit(series)) != nil { _ = try? naive.forecast(horizon: 3, level: 0.95) }
        // The same text as a holiday calendar (a `date` column), then the naive told its holidays.
        if let calendar = try? HolidayCalendar.parse(text, file: "fuzz.csv") {
            var told: any Forecaster = HolidayForecaster(base: SeasonalNaiveForecaster(period: 2, name: "seasonal-naive"), calendar: calendar)
            if (try? told.fit(series)) != nil { _ = try? told.forecast(horizon: 3, level: 0.95) }
        }
    }
    return 0
}

@_cdecl("FuzzTimeSeries_main")
public func fuzzTimeSeriesMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzTimeSeries)
}
