import FuzzDriver
import Forecast
import Foundation

/// Time-series CSV: parse (with and without gap filling), then fit and forecast the seasonal naive and the
/// weekly-difference AR on what was read.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTimeSeries(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for fill in [nil, GapFill.linear] {
        guard let series = try? TimeSeriesCSV.parse(text, file: "fuzz.csv", column: "load", fill: fill) else { continue }
        var naive = SeasonalNaiveForecaster(period: 2, name: "seasonal-naive")
        if (try? naive.fit(series)) != nil { _ = try? naive.forecast(horizon: 3, level: 0.95) }
    }
    return 0
}

@_cdecl("FuzzTimeSeries_main")
public func fuzzTimeSeriesMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzTimeSeries)
}
