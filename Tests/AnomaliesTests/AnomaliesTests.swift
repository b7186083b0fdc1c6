import Anomalies
import DataIO
import Foundation
import Testing

@testable import Forecast

/// A household-like series: a daily profile with morning and evening peaks, lower weekends, AR(1) noise of 8 %.
func syntheticLoad(days: Int, periodsPerDay: Int = 48, seed: UInt64) -> TimeSeries {
    var rng = SeededGenerator(seed: seed)
    var noise = 0.0
    let values = (0..<(days * periodsPerDay)).map { k -> Double in
        let hour = 24 * Double(k % periodsPerDay) / Double(periodsPerDay)
        let weekend = (k / periodsPerDay) % 7 >= 5
        let morning = exp(-pow((hour - 7.5) / 1.5, 2)), evening = exp(-pow((hour - 19) / 2, 2))
        let base = 0.6 + (weekend ? 0.8 : 1.2) * morning + 1.8 * evening + 0.3 * sin(Double.pi * hour / 24)
        let u = rng.uniform(-1, 1) + rng.uniform(-1, 1) + rng.uniform(-1, 1)
        noise = 0.7 * noise + 0.08 * u
        return (base * (1 + noise) * 1000).rounded() / 1000
    }
    return TimeSeries(name: "load", start: Date(timeIntervalSince1970: 946_684_800), step: 86_400 / Double(periodsPerDay), values: values)
}

/// A PV-like series: zero at night, a clear-sky bell times a day's clearness (0.2 to 1) and 10 % noise.
/// With `changeable`, each day's clearness is drawn afresh (0.2 to 1), as in a winter of passing fronts.
func syntheticPV(days: Int, periodsPerDay: Int = 24, seed: UInt64, changeable: Bool = false) -> TimeSeries {
    var rng = SeededGenerator(seed: seed)
    var clearness = 1.0
    var values: [Double] = []
    for _ in 0..<days {
        clearness = changeable ? rng.uniform(0.2, 1) : max(0.2, min(1, 0.6 * clearness + 0.4 * rng.uniform(0.2, 1.1)))
        for p in 0..<periodsPerDay {
            let hour = 24 * (Double(p) + 0.5) / Double(periodsPerDay)
            let bell = max(0, sin(Double.pi * (hour - 6) / 13))
            values.append(bell > 0 ? (4 * bell * clearness * (1 + 0.1 * rng.uniform(-1, 1)) * 1000).rounded() / 1000 : 0)
        }
    }
    return TimeSeries(name: "pv", start: Date(timeIntervalSince1970: 946_684_800), step: 86_400 / Double(periodsPerDay), values: values)
}

@Suite struct AnomalyDetectionTests {
    @Test func everyKindIsFoundWithHighPrecisionAndRecallOnSeededCases() throws {
        // Pooled over seeds, per kind: the issue's bar is 0.9 precision and 0.9 recall at a 1 % rate.
        var totals: [AnomalyKind: (tp: Int, flagged: Int, found: Int, injected: Int)] = [:]
        for seed in UInt64(1)...6 {
            let clean = syntheticLoad(days: 56, seed: seed)
            let (dirty, injected) = try AnomalyInjector(rate: 0.01, seed: seed).inject(into: clean)
            let flags = try AnomalyDetector().detect(dirty)
            for s in AnomalyScore.evaluate(flags: flags, injected: injected, kinds: AnomalyInjector().kinds) {
                let t = totals[s.kind] ?? (0, 0, 0, 0)
                totals[s.kind] = (t.tp + s.truePositives, t.flagged + s.flagged, t.found + s.found, t.injected + s.injected)
            }
        }
        for kind in AnomalyInjector().kinds {
            let t = try #require(totals[kind])
            #expect(t.injected >= 6, "\(kind)")
            #expect(Double(t.tp) >= 0.9 * Double(t.flagged), "\(kind): precision \(t.tp)/\(t.flagged)")
            #expect(Double(t.found) >= 0.9 * Double(t.injected), "\(kind): recall \(t.found)/\(t.injected)")
        }
    }

    /// PV: the night is no sudden zero, and every kind is found over seeded cases (pooled). A spike on a cloudy
    /// reading stays below the sunny days' reference; it is found as a jump above both neighbours, which the
    /// detector accepts without the reference in a series with dark hours.
    @Test func pvNightsAreNotSuddenZerosAndPVAnomaliesAreFound() throws {
        var totals: [AnomalyKind: (tp: Int, flagged: Int, found: Int, injected: Int)] = [:]
        for seed in UInt64(1)...6 {
            let clean = syntheticPV(days: 56, seed: seed)
            #expect(try AnomalyDetector().detect(clean).filter { $0.kind == .suddenZero || $0.kind == .flatLine }.isEmpty)
            let (dirty, injected) = try AnomalyInjector(rate: 0.01, seed: seed).inject(into: clean)
            for s in AnomalyScore.evaluate(flags: try AnomalyDetector().detect(dirty), injected: injected, kinds: AnomalyInjector().kinds) {
                let t = totals[s.kind] ?? (0, 0, 0, 0)
                totals[s.kind] = (t.tp + s.truePositives, t.flagged + s.flagged, t.found + s.found, t.injected + s.injected)
            }
        }
        for kind in AnomalyInjector().kinds {
            let t = try #require(totals[kind])
            #expect(Double(t.tp) >= 0.9 * Double(t.flagged), "\(kind): precision \(t.tp)/\(t.flagged)")
            #expect(Double(t.found) >= 0.9 * Double(t.injected), "\(kind): recall \(t.found)/\(t.injected)")
        }
    }

    /// A PV meter that reads its inverter's standby draw (-0.004 kW) every night is flat there by nature: no flat
    /// line at night (there were 56, one a night), while a stuck register by day still is one.
    @Test func aStandbyDrawAtNightIsNotAFlatLine() throws {
        var pv = syntheticPV(days: 56, seed: 3)
        pv.values = pv.values.map { $0 == 0 ? -0.004 : $0 }
        #expect(try AnomalyDetector().detect(pv).filter { $0.kind == .flatLine }.isEmpty)
        let noon = 40 * 24 + 10
        for t in noon..<(noon + 5) { pv.values[t] = pv.values[noon - 1] }
        let flat = try AnomalyDetector().detect(pv).filter { $0.kind == .flatLine }
        #expect(flat.count == 1 && flat.first?.start == noon - 1, "\(flat)")
    }

    /// Shifted PV days under changeable weather: each test day alone moved by 2-4 h is flagged, and clean PV has no
    /// shifted day. The same-weekday reference is a median of four cloudy-or-clear days; the 14-day profile adds
    /// the days that it alone misses.
    @Test func shiftedPVDaysAreFoundAgainstTheFourteenDayProfile() throws {
        var found = 0, foundWeekdayOnly = 0, cases = 0
        var weekdayOnly = AnomalyDetector()
        weekdayOnly.profileShiftErrorRatio = 0
        for seed in UInt64(1)...4 {
            let clean = syntheticPV(days: 56, seed: seed, changeable: true)
            #expect(try AnomalyDetector().detect(clean).filter { $0.kind == .shiftedProfile }.isEmpty, "seed \(seed)")
            for (k, d) in stride(from: 16, to: 42, by: 5).enumerated() {
                let hours = [2, -3, 4, -2, 3, -4][k % 6]
                var dirty = clean
                for t in (d * 24)..<((d + 1) * 24) { dirty.values[t] = clean.values[t - hours] }
                let hit = { (flags: [AnomalyFlag]) in flags.contains { $0.kind == .shiftedProfile && $0.start == d * 24 } }
                cases += 1
                if hit(try AnomalyDetector().detect(dirty)) { found += 1 }
                if hit(try weekdayOnly.detect(dirty)) { foundWeekdayOnly += 1 }
            }
        }
        #expect(Double(found) >= 0.9 * Double(cases), "\(found) of \(cases)")
        #expect(found > foundWeekdayOnly, "\(found) against \(foundWeekdayOnly) with the same-weekday reference alone")
        print("shifted PV days found: \(found) of \(cases), \(foundWeekdayOnly) with the same-weekday reference alone")
    }

    @Test func aCleanSeriesHasFewFlags() throws {
        for seed in UInt64(10)...13 {
            let s = syntheticLoad(days: 28, seed: seed)
            let flags = try AnomalyDetector().detect(s)
            // Gaussian-like noise: a 6-scale band leaves essentially nothing.
            #expect(flags.count <= 2, "seed \(seed): \(flags.map(\.reason))")
        }
    }

    @Test func eachInjectedPatternLooksAsDocumented() throws {
        let clean = syntheticLoad(days: 28, seed: 3)
        let (dirty, injected) = try AnomalyInjector(rate: 0.01, seed: 3).inject(into: clean)
        for a in injected {
            let x = dirty.values, y = clean.values
            switch a.kind {
            case .reversedFlow: #expect(x[a.start] == -y[a.start] && y[a.start] > 0)
            case .suddenZero: #expect(x[a.start] == 0 && y[a.start] > 0)
            case .spike: #expect(x[a.start] >= 3 * y[a.start] && x[a.start] <= 5 * y[a.start])
            case .flatLine: #expect(a.range.allSatisfy { x[$0] == y[a.start - 1] })
            case .shiftedProfile: #expect(a.length == 48 && a.start % 48 == 0)
            case .outsideBand: Issue.record("outside-band is never injected")
            }
        }
        // Outside the anomalies, nothing changed.
        let touched = Set(injected.flatMap { Array($0.range) })
        #expect(dirty.values.indices.allSatisfy { touched.contains($0) || dirty.values[$0] == clean.values[$0] })
        // The same seed gives the same anomalies.
        #expect(try AnomalyInjector(rate: 0.01, seed: 3).inject(into: clean).anomalies == injected)
    }

    @Test func unusableSeriesAndOptionsAreRefused() throws {
        var s = syntheticLoad(days: 10, seed: 1)
        s.values[100] = .nan
        #expect(throws: AnomalyError.unusableSeries(name: "load", detail: "observation 100 is not a finite number")) { try AnomalyDetector().detect(s) }
        let short = TimeSeries(name: "x", start: Date(), step: 3600, values: [1, 2, 3])
        #expect(throws: AnomalyError.self) { try AnomalyDetector().detect(short) }
        #expect(throws: AnomalyError.self) { try AnomalyInjector(rate: 0.2).inject(into: syntheticLoad(days: 10, seed: 1)) }
    }
}

@Suite struct SharedDeviationTests {
    static func flag(_ kind: AnomalyKind, _ start: Int, _ length: Int = 1) -> AnomalyFlag {
        AnomalyFlag(kind: kind, start: start, length: length, score: 7, reason: "")
    }

    /// A deviation at the same instant on at least half of the meters (and at least three) is shared; one meter's
    /// own deviation, and kinds other than outside-band and spike, are not; meters on different grids are matched
    /// by instant, not by index.
    @Test func sharedMomentsAreTheWeatherNotAMeter() {
        let t0 = Date(timeIntervalSince1970: 946_684_800), step = 1800.0
        var meters = (0..<6).map { _ in SharedDeviation.Meter(start: t0, step: step, flags: [Self.flag(.outsideBand, 10)]) }
        meters[0].flags.append(Self.flag(.outsideBand, 20))  // its own
        meters[1].flags.append(Self.flag(.flatLine, 10, 4))  // not a statistical kind
        meters[2] = SharedDeviation.Meter(start: t0.addingTimeInterval(5 * step), step: step, flags: [Self.flag(.spike, 5)])  // instant 10 again
        meters[3].flags = [Self.flag(.outsideBand, 9, 4)]  // 9...12: half of its readings at the shared instant 10? one of four
        let masks = SharedDeviation.shared(meters)
        #expect(masks[0] == [true, false] && masks[1] == [true, false] && masks[2] == [true] && masks[3] == [false], "\(masks)")
        #expect(masks[4] == [true] && masks[5] == [true])
        // Two meters, or a moment on fewer than half of them: nothing is shared.
        #expect(SharedDeviation.shared(Array(meters.prefix(2))).allSatisfy { $0.allSatisfy { !$0 } })
        var few = (0..<8).map { _ in SharedDeviation.Meter(start: t0, step: step, flags: []) }
        for k in 0..<3 { few[k].flags = [Self.flag(.outsideBand, 10)] }
        #expect(SharedDeviation.shared(few).allSatisfy { $0.allSatisfy { !$0 } })
        few[3].flags = [Self.flag(.spike, 10)]
        #expect(SharedDeviation.shared(few).prefix(4).allSatisfy { $0 == [true] })
    }
}
