@testable import Forecast
import Testing

@testable import Reports

@Suite struct TextTableTests {
    /// The backtest table's columns line up whatever the pinball triple's length (`%-22@` ignores its width on
    /// Linux, so the text column is padded by hand): every row is as long as the header.
    @Test func backtestTableRowsAlignWithTheHeader() {
        let scores = [(0.0451, 257.3, 34.3), (109, 619, 112), (1.5e-5, 0.25, 0.0836)].enumerated().map { i, p in
            var s = BacktestScore(
                model: ["seasonal-naive", "ar-weekly", "mstl-ets"][i], mae: 513.88, rmse: 647.67, mape: 1.726, mase: 0.882, coverage: 0.982,
                fitSeconds: 0.5)
            s.width = 2960
            s.pinball = (p.0, p.1, p.2)
            return s
        }
        var undefined = scores[0]
        (undefined.model, undefined.mape, undefined.mase) = ("zeros", .nan, .infinity)
        let lines = BacktestReport.table(scores + [undefined]).split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        // MAPE of all-zero actuals and MASE of a constant history are undefined: "n/a", not "nan" or "inf".
        #expect(lines[4].contains("      n/a    n/a "), "\(lines[4])")
        for line in lines.dropFirst() {
            #expect(line.count == lines[0].count, "\(line)")
            #expect(line.hasSuffix("   0.500"))
        }
    }
}
