import DataIO
import Forecast
import Foundation

/// One anomaly put into a series on purpose.
public struct InjectedAnomaly: Sendable, Equatable {
    public var kind: AnomalyKind
    public var start: Int
    public var length: Int
    public var range: Range<Int> { start..<(start + length) }
}

/// Puts anomalies of each kind into a clean series, at a given rate, reproducibly for a seed. Each kind covers
/// about `rate` of the readings (at least one event per kind), at positions that do not touch each other:
/// - reversed flow: a reading negated;
/// - sudden zero: a reading set to 0;
/// - flat line: 6 readings set to the reading before them (a stuck register);
/// - spike: a reading multiplied by 3 to 5;
/// - shifted profile: a whole day replaced by the readings 2 to 4 hours earlier or later (a clock error).
/// Point anomalies go on readings of at least a fifth of the series' 95th percentile (a meter that reads
/// nothing cannot read backwards).
public struct AnomalyInjector: Sendable {
    public var rate: Double
    public var seed: UInt64
    public var kinds: [AnomalyKind]
    public static let flatRun = 6

    public init(rate: Double = 0.01, seed: UInt64 = 1, kinds: [AnomalyKind] = AnomalyKind.allCases.filter { $0 != .outsideBand }) {
        self.rate = rate
        self.seed = seed
        self.kinds = kinds
    }

    /// The series with the anomalies, and where they are.
    public func inject(into series: TimeSeries) throws -> (series: TimeSeries, anomalies: [InjectedAnomaly]) {
        guard rate > 0, rate <= 0.05 else { throw AnomalyError.invalidOption(name: "--inject-rate", detail: "must be in (0, 0.05], not \(rate)") }
        if let p = AnomalyDetector.problem(series) { throw AnomalyError.unusableSeries(name: series.name, detail: p) }
        guard !kinds.contains(.outsideBand) else {
            throw AnomalyError.invalidOption(name: "kinds", detail: "outside-band is what is left, not a kind to inject")
        }
        var x = series.values
        let n = x.count, day = series.periodsPerDay
        let sorted = x.sorted()
        let strong = 0.2 * sorted[min(n - 1, Int(0.95 * Double(n)))]
        var rng = SeededGenerator(seed: seed)
        var taken = [Bool](repeating: false, count: n)
        var out: [InjectedAnomaly] = []
        // Days 0 and the last are left alone (shifted days need readings on both sides; references need both).
        let usable = day..<(n - day)
        func free(_ r: Range<Int>, margin: Int) -> Bool {
            r.lowerBound - margin >= usable.lowerBound && r.upperBound + margin <= usable.upperBound
                && !((r.lowerBound - margin)..<(r.upperBound + margin)).contains { taken[$0] }
        }
        for kind in kinds {
            let length = kind == .flatLine ? Self.flatRun : kind == .shiftedProfile ? day : 1
            let events = max(1, Int((rate * Double(n) / Double(length)).rounded()))
            var placed = 0, attempts = 0
            while placed < events, attempts < 10_000 {
                attempts += 1
                var start = usable.lowerBound + Int(rng.next() % UInt64(usable.count))
                if kind == .shiftedProfile { start -= start % day }
                let r = start..<(start + length)
                guard free(r, margin: 2) else { continue }
                switch kind {
                case .reversedFlow, .suddenZero, .spike:
                    guard x[start] >= strong, x[start] > 0 else { continue }
                    x[start] = kind == .reversedFlow ? -x[start] : kind == .suddenZero ? 0 : x[start] * rng.uniform(3, 5)
                case .flatLine:
                    // A stuck register repeats a reading where the series was moving.
                    guard x[start - 1] != 0, r.contains(where: { x[$0] != x[start - 1] }) else { continue }
                    for t in r { x[t] = x[start - 1] }
                case .shiftedProfile:
                    let hours = rng.uniform(2, 4) * (rng.next() % 2 == 0 ? 1 : -1)
                    let s = Int((hours * 3600 / series.step).rounded())
                    guard s != 0 else { continue }
                    let original = x
                    for t in r { x[t] = original[t - s] }
                case .outsideBand: continue
                }
                for t in r { taken[t] = true }
                out.append(InjectedAnomaly(kind: kind, start: start, length: length))
                placed += 1
            }
        }
        var s = series
        s.values = x
        return (s, out.sorted { $0.start < $1.start })
    }
}

/// Precision and recall of the flags of one kind against the anomalies of that kind that were injected: a flag
/// is right when it overlaps an injected anomaly of its kind, an injected anomaly is found when a flag of its
/// kind overlaps it.
public struct AnomalyScore: Sendable, Equatable {
    public var kind: AnomalyKind
    public var injected: Int
    public var flagged: Int
    public var truePositives: Int
    public var found: Int
    /// 1 when nothing was flagged.
    public var precision: Double { flagged == 0 ? 1 : Double(truePositives) / Double(flagged) }
    /// 1 when nothing was injected.
    public var recall: Double { injected == 0 ? 1 : Double(found) / Double(injected) }

    /// One score per kind in `kinds`.
    public static func evaluate(flags: [AnomalyFlag], injected: [InjectedAnomaly], kinds: [AnomalyKind]) -> [AnomalyScore] {
        kinds.map { kind in
            let f = flags.filter { $0.kind == kind }, a = injected.filter { $0.kind == kind }
            let tp = f.filter { flag in a.contains { $0.range.overlaps(flag.range) } }.count
            let found = a.filter { anomaly in f.contains { $0.range.overlaps(anomaly.range) } }.count
            return AnomalyScore(kind: kind, injected: a.count, flagged: f.count, truePositives: tp, found: found)
        }
    }
}
