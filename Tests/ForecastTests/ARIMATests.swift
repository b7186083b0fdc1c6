import Foundation
import Testing
@testable import Forecast

/// statsmodels SARIMAX estimates on fixed series (generated once by Fixtures/make_sarimax_fixtures.py).
struct SARIMAXFixture: Decodable {
    var name: String
    var y: [Double]
    var p: Int, d: Int, q: Int, P: Int, D: Int, Q: Int, period: Int
    var constant: Bool
    var ar: [Double], sar: [Double], ma: [Double], sma: [Double], beta: [Double]
    var sigma2: Double
    var loglik: Double
    var kpss: Double

    static let all: [SARIMAXFixture] = {
        struct File: Decodable { var cases: [SARIMAXFixture] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/sarimax_fixtures.json")
        return (try? JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases) ?? []
    }()
}

/// Seeded normal draws (SplitMix64 + Box-Muller), so simulated series are the same on every machine.
struct NormalSource {
    var state: UInt64
    mutating func uniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return (Double((z ^ (z >> 31)) >> 11) + 0.5) / 9_007_199_254_740_992
    }
    mutating func normal() -> Double { (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform()) }

    /// `n` values of the ARMA with full polynomials (AR as `1 − Σ c_l B^l`, MA as `1 + Σ b_l B^l`), after a burn-in.
    mutating func arma(ar: [Double], ma: [Double], n: Int, sigma: Double = 1) -> [Double] {
        let burn = 500
        var x = [Double](repeating: 0, count: n + burn), e = [Double](repeating: 0, count: n + burn)
        for t in 0..<(n + burn) {
            e[t] = sigma * normal()
            var v = e[t]
            for (i, c) in ar.enumerated() where t - 1 - i >= 0 { v += c * x[t - 1 - i] }
            for (i, b) in ma.enumerated() where t - 1 - i >= 0 { v += b * e[t - 1 - i] }
            x[t] = v
        }
        return Array(x.suffix(n))
    }
}

@Suite struct ARIMAEstimationTests {
    @Test func fixturesArePresent() { #expect(SARIMAXFixture.all.count == 4) }

    @Test(arguments: SARIMAXFixture.all.indices)
    func exactMLMatchesStatsmodels(_ k: Int) throws {
        let f = SARIMAXFixture.all[k]
        let spec = ARIMASpec(p: f.p, d: f.d, q: f.q, P: f.P, D: f.D, Q: f.Q, period: f.period, constant: f.constant)
        let m = try ARIMAModel.fit(f.y, spec: spec, method: .exactML)
        let expected = f.ar + f.sar + f.ma + f.sma
        for (a, b) in zip(m.coefficients, expected) { #expect(abs(a - b) < 2e-3, "\(f.name): coefficients \(m.coefficients) vs \(expected)") }
        // The mean of a nearly integrated series is weakly identified: within 1 % of the innovation s.d.
        for (a, b) in zip(m.beta, f.beta) { #expect(abs(a - b) < 1e-2 * f.sigma2.squareRoot(), "\(f.name): beta \(m.beta) vs \(f.beta)") }
        #expect(abs(m.sigma2 / f.sigma2 - 1) < 2e-3, "\(f.name): sigma2 \(m.sigma2) vs \(f.sigma2)")
        #expect(abs(m.logLikelihood - f.loglik) < 0.05, "\(f.name): loglik \(m.logLikelihood) vs \(f.loglik)")
    }

    @Test(arguments: SARIMAXFixture.all.indices)
    func kpssMatchesStatsmodels(_ k: Int) {
        let f = SARIMAXFixture.all[k]
        #expect(abs(UnitRoot.kpss(f.y) - f.kpss) < 1e-6 * max(1, f.kpss), "\(f.name)")
    }

    /// Simulated series recover their true parameters (n = 3000, both estimators).
    static let simulated: [(String, ARIMASpec, [Double])] = [
        ("AR(2)", ARIMASpec(p: 2, d: 0, q: 0, constant: false), [0.5, -0.3]),
        ("MA(1)", ARIMASpec(p: 0, d: 0, q: 1, constant: false), [0.6]),
        ("ARMA(1,1)", ARIMASpec(p: 1, d: 0, q: 1, constant: false), [0.7, -0.4]),
        ("SAR(1)(1)[12]", ARIMASpec(p: 1, d: 0, q: 0, P: 1, period: 12, constant: false), [0.4, 0.5]),
        ("SMA(0,0,1)(0,0,1)[12]", ARIMASpec(p: 0, d: 0, q: 1, Q: 1, period: 12, constant: false), [0.3, 0.5])
    ]

    @Test(arguments: simulated.indices, [ARIMAMethod.exactML, .css])
    func simulatedSeriesRecoverTheirParameters(_ k: Int, _ method: ARIMAMethod) throws {
        let (label, spec, truth) = Self.simulated[k]
        let (ar, ma) = ARIMAModel.expand(truth, spec)
        var source = NormalSource(state: UInt64(100 + k))
        let y = source.arma(ar: ar, ma: ma, n: 3000)
        let m = try ARIMAModel.fit(y, spec: spec, method: method)
        for (a, b) in zip(m.coefficients, truth) { #expect(abs(a - b) < 0.06, "\(label) \(method): \(m.coefficients) vs \(truth)") }
        #expect(abs(m.sigma2 - 1) < 0.08, "\(label): sigma2 \(m.sigma2)")
    }

    @Test func admissibleTransformRoundTrips() {
        let phi = [0.9, -0.5, 0.2]
        let u = ARIMAModel.unconstrain(phi)!
        for (a, b) in zip(ARIMAModel.constrain(u), phi) { #expect(abs(a - b) < 1e-12) }
        #expect(ARIMAModel.unconstrain([1.2]) == nil)  // explosive AR(1)
        #expect(ARIMAModel.unconstrain([0.5, 0.6]) == nil)  // 1 - 0.5B - 0.6B^2 has a root inside the unit circle
    }

    @Test func intervalsFollowThePsiWeights() throws {
        // AR(1) with known coefficient: the h-step variance is sigma2 (1 + phi^2 + ... + phi^(2(h-1))).
        var source = NormalSource(state: 7)
        let y = source.arma(ar: [0.8], ma: [], n: 2000)
        let m = try ARIMAModel.fit(y, spec: ARIMASpec(p: 1, d: 0, q: 0, constant: false), method: .exactML)
        let f = try m.forecast(horizon: 3, level: 0.95)
        let phi = m.coefficients[0], z = normalQuantile(0.975)
        let variances = [1, 1 + phi * phi, 1 + phi * phi + pow(phi, 4)].map { $0 * m.sigma2 }
        for h in 0..<3 { #expect(abs((f.upper[h] - f.point[h]) - z * variances[h].squareRoot()) < 1e-9) }
        #expect(abs(f.point[0] - phi * y.last!) < 1e-6)
        #expect(abs(f.point[1] - phi * phi * y.last!) < 1e-6)
    }

    @Test func differencingAndDriftForecastALine() throws {
        // y_t = 2 t + noise: ARIMA(0,1,0) with drift forecasts y_n + 2h (up to the estimated drift).
        var source = NormalSource(state: 11)
        let y = (0..<400).map { 2 * Double($0) + 0.1 * source.normal() }
        let m = try ARIMAModel.fit(y, spec: ARIMASpec(p: 0, d: 1, q: 0, constant: true))
        let f = try m.forecast(horizon: 5, level: 0.9)
        for h in 0..<5 { #expect(abs(f.point[h] - (y.last! + Double(h + 1) * m.beta[0])) < 1e-9) }
        #expect(abs(m.beta[0] - 2) < 0.02)
    }

    @Test func invalidOrdersAreRejected() {
        #expect(throws: ARIMAError.self) { try ARIMAModel.fit([1, 2, 3], spec: ARIMASpec(p: -1, d: 0, q: 0)) }
        #expect(throws: ARIMAError.self) { try ARIMAModel.fit((0..<100).map(Double.init), spec: ARIMASpec(p: 0, d: 2, q: 0, constant: true)) }
        #expect(throws: ARIMAError.self) { try ARIMAModel.fit([1, 2, 3, 4], spec: ARIMASpec(p: 3, d: 0, q: 3)) }
    }
}

@Suite struct AutoARIMATests {
    @Test func differenceTestsFindTheIntegrationOrder() {
        var source = NormalSource(state: 3)
        let noise = (0..<600).map { _ in source.normal() }
        var walk: [Double] = []
        var level = 0.0
        for e in noise { level += e; walk.append(level) }
        #expect(UnitRoot.differences(noise) == 0)
        #expect(UnitRoot.differences(walk) == 1)
        let seasonal = (0..<600).map { 10 * sin(2 * Double.pi * Double($0) / 24) + noise[$0] }
        #expect(UnitRoot.seasonalDifferences(seasonal, period: 24) == 1)
        #expect(UnitRoot.seasonalDifferences(noise, period: 24) == 0)
    }

    /// A constant series (a stuck register, zero PV) has no variance to estimate: `arima` forecasts the value with
    /// a zero-width interval (it threw "zero or non-finite residual variance" and stopped the whole backtest), and
    /// the model saves and loads.
    @Test func aConstantSeriesIsForecastAsItsValue() throws {
        for value in [0.0, 5.0] {
            let s = TimeSeries(name: "c", start: Date(timeIntervalSince1970: 0), step: 3600, values: [Double](repeating: value, count: 24 * 30))
            var auto = AutoARIMA()
            try auto.fit(s)
            let f = try auto.forecast(horizon: 30, level: 0.95)
            #expect(f.point.allSatisfy { $0 == value } && f.lower == f.point && f.upper == f.point)
            #expect(auto.summary.contains("a constant series"), "\(auto.summary)")
            let loaded = try ModelFile.decode(try ModelFile.encode(SavedModel(forecaster: auto, fittedOn: s)), file: "c.json").forecaster
            #expect(try loaded.forecast(horizon: 30, level: 0.95).point == f.point)
            // With Fourier terms too; the same forecaster refitted on a varying series uses them again.
            var fourier = AutoARIMA(name: "arima-fourier", seasonal: false, fourier: [FourierTerms(period: 168, harmonics: 2)])
            try fourier.fit(s)
            #expect(try fourier.forecast(horizon: 30, level: 0.95).point == f.point)
            try fourier.fit(TimeSeries(name: "v", start: s.start, step: 3600, values: (0..<(24 * 30)).map { value + sin(Double($0) / 3) }))
            #expect(fourier.summary.contains("Fourier K=2@168"), "\(fourier.summary)")
        }
    }

    @Test func stepwiseSearchBeatsTheStartingModels() throws {
        var source = NormalSource(state: 5)
        let y = source.arma(ar: [0.6, -0.3], ma: [0.4], n: 1500).map { $0 + 50 }
        var auto = AutoARIMA(seasonal: false)
        try auto.fit(TimeSeries(name: "x", start: Date(timeIntervalSince1970: 0), step: 86_400, values: y))
        let chosen = try #require(auto.model)
        #expect(chosen.spec.d == 0 && chosen.spec.constant)
        // The chosen model has the lowest CSS AICc among every candidate the search visited.
        let best = auto.searched.min { $0.aicc < $1.aicc }!
        #expect(best.spec == chosen.spec)
        #expect(auto.searched.count >= 5)
        #expect(abs(chosen.beta[0] - 50) < 0.3)
    }

    @Test func halfHourlyLoadBeatsTheWeeklySeasonalNaive() throws {
        // Two weekdays (Wednesday and Thursday of the last week) as origins, to keep the test short; the full
        // 14-day comparison, weekends included (where the weekly naive is hard to beat), is `benchmark forecast`.
        let s = try TimeSeriesCSV.read(taylor, column: "demand_mw").prefix(4032 - 3 * 48)
        let backtest = Backtest(horizon: 48, testDays: 2)
        let naive = try backtest.run(SeasonalNaiveForecaster(period: 336, name: "seasonal-naive"), on: s)
        for name in ["arima", "mstl-arima"] {
            let score = try backtest.run(try ForecasterCatalog.make(name, periodsPerDay: 48), on: s)
            #expect(score.mase < naive.mase && score.mape < naive.mape, "\(name): \(score.mape) vs \(naive.mape)")
        }
    }
}

@Suite struct DecompositionTests {
    @Test func stlRecoversASeasonalPattern() {
        var source = NormalSource(state: 9)
        let n = 480, period = 24
        let pattern = (0..<period).map { 5 * sin(2 * Double.pi * Double($0) / Double(period)) + (($0 % 6) == 0 ? 2 : 0) }
        let trend = (0..<n).map { 100 + 0.05 * Double($0) }
        let y = (0..<n).map { trend[$0] + pattern[$0 % period] + 0.2 * source.normal() }
        let (seasonal, fittedTrend) = STL(period: period, seasonalWindow: 11).decompose(y)
        for t in period..<(n - period) {
            #expect(abs(seasonal[t] - (pattern[t % period] - pattern.reduce(0, +) / Double(period))) < 0.5)
            #expect(abs(fittedTrend[t] - trend[t] - pattern.reduce(0, +) / Double(period)) < 0.5)
        }
    }

    @Test func mstlSeparatesTwoPeriods() {
        let n = 24 * 7 * 6
        let daily = (0..<n).map { 3 * sin(2 * Double.pi * Double($0) / 24) }
        let weekly = (0..<n).map { 2 * cos(2 * Double.pi * Double($0) / 168) }
        let y = (0..<n).map { 50 + daily[$0] + weekly[$0] }
        let parts = MSTL(periods: [168, 24]).decompose(y)
        #expect(parts.seasonals.count == 2)
        for t in 168..<(n - 168) {
            #expect(abs(parts.seasonals[0][t] - daily[t]) < 0.3)
            #expect(abs(parts.seasonals[1][t] - weekly[t]) < 0.3)
            #expect(abs(parts.remainder[t]) < 0.3)
        }
    }
}
