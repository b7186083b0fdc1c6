import DataIO
import Forecast
import Foundation

/// The patterns meter tampering and faults leave in a series, and the catch-all residual band.
public enum AnomalyKind: String, CaseIterable, Codable, Sendable {
    /// Readings below zero in a series that otherwise never is (a meter wired backwards, energy fed back
    /// through a consumption meter).
    case reversedFlow = "reversed-flow"
    /// A reading of exactly zero at a time of day when the series is never zero (a meter or link dropping out).
    case suddenZero = "sudden-zero"
    /// A run of identical readings where the series always moves (a stuck register, a repeated last value).
    case flatLine = "flat-line"
    /// A reading several times both neighbouring readings and far above the reference, or well above any
    /// reading seen at that time of day.
    case spike
    /// A whole day whose profile matches a reference profile shifted by hours better than unshifted (a clock
    /// set wrong, a time zone applied twice). Two references are tried: the same-weekday one and the median of
    /// the 7 days either side (smoother, and the better one for PV, which has no weekly cycle).
    case shiftedProfile = "shifted-profile"
    /// Any other reading outside the residual band around the reference.
    case outsideBand = "outside-band"
}

/// One flag: `length` readings from observation `start` (a run, or a whole day for a shifted profile).
public struct AnomalyFlag: Sendable, Equatable {
    public var kind: AnomalyKind
    public var start: Int
    public var length: Int
    /// How far from normal, in the detector's unit (the reason says which); larger is surer.
    public var score: Double
    public var reason: String

    /// The observations it covers.
    public var range: Range<Int> { start..<(start + length) }

    public init(kind: AnomalyKind, start: Int, length: Int, score: Double, reason: String) {
        self.kind = kind
        self.start = start
        self.length = length
        self.score = score
        self.reason = reason
    }
}

/// Detects meter anomalies in a regular series. Every reading is compared with a robust reference: the median of
/// the same time of day on the same weekday one and two weeks before and after (medians are not moved by the
/// anomalies themselves; see ``reference(_:periodsPerDay:)``). The residual's scale at each time of day is the median absolute residual there
/// (times 1.4826, a standard deviation for normal noise). Detectors run in a fixed order and a reading is flagged
/// once, by the first that claims it: shifted profile (a whole day), reversed flow, sudden zero, flat line, spike, outside band.
public struct AnomalyDetector: Sendable {
    /// Identical consecutive readings that make a flat line.
    public var minimumFlatRun = 4
    /// A spike is above this multiple of both neighbouring readings...
    public var spikeRatio = 2.0
    /// ...and this many scales above the reference; or above this multiple of the third-largest reading seen at that
    /// time of day.
    public var spikeScales = 6.0
    public var highRatio = 1.25
    /// In a generation series (one with dark hours: at least a sixth of the times of day read exactly zero on at
    /// least 90 % of days, as PV does at night) `spikeRatio` times both neighbours is a spike without the
    /// reference's scales. A cloudy hour times 3 is not far above the sunny days' reference, but it is a jump
    /// clouds seldom make; in household load an appliance makes such jumps every day.
    public var generationSpikes = true
    /// A day is shifted when some shift of the same-weekday reference leaves at most this share of the unshifted
    /// squared error, and the unshifted error is above `shiftMinimumError` squared scales a reading...
    public var shiftErrorRatio = 0.5
    public var shiftMinimumError = 3.0
    /// ...or when a shift of the 14-day profile (the median of the 7 days either side) does the same with these
    /// two bounds.
    public var profileShiftErrorRatio = 0.5
    public var profileShiftMinimumError = 2.0
    /// Days either side in the profile reference.
    public var profileSpanDays = 7
    /// Shifts tried, in hours either way (whole observations).
    public var maximumShiftHours = 4.0
    /// The band: this many scales either side of the reference.
    public var bandScales = 6.0

    public init() {}

    /// Why a series cannot be checked.
    public static func problem(_ s: TimeSeries) -> String? {
        let day = s.periodsPerDay
        guard day >= 2 else { return "needs at least two observations a day (the step is \(Int(s.step)) s)" }
        guard s.count >= 3 * day else {
            return "needs at least 3 days of observations, the series has \(s.count) (\(String(format: "%.1f", Double(s.count) / Double(day))) days)"
        }
        if let k = s.values.firstIndex(where: { !$0.isFinite }) { return "observation \(k) is not a finite number" }
        return nil
    }

    /// The reference value of each observation: the median of the same time of day 7 and 14 days before and after
    /// when at least two of those exist (the same weekday), else of 1, 2, 7 and 14 days before and after (nil
    /// where no other day has that time of day).
    public static func reference(_ x: [Double], periodsPerDay day: Int, weekly: Bool = true) -> [Double?] {
        func values(_ t: Int, _ lags: [Int]) -> [Double] {
            lags.flatMap { (k: Int) -> [Int] in [t - k * day, t + k * day] }.filter { $0 >= 0 && $0 < x.count }.map { x[$0] }
        }
        return x.indices.map { t in
            let sameWeekday = weekly ? values(t, [7, 14]) : []
            if sameWeekday.count >= 2 { return median(sameWeekday) }
            let v = values(t, [1, 2, 7, 14])
            return v.isEmpty ? nil : median(v)
        }
    }

    /// The median of the same time of day on the `span` days either side (the day itself left out; nil where no
    /// other day exists): a smooth daily profile that ignores the weekday.
    public static func profile(_ x: [Double], periodsPerDay day: Int, span: Int) -> [Double?] {
        x.indices.map { t in
            let v = (-span...span).compactMap { (k: Int) -> Double? in
                let u = t + k * day
                return k != 0 && u >= 0 && u < x.count ? x[u] : nil
            }
            return v.isEmpty ? nil : median(v)
        }
    }

    /// 1.4826 times the median absolute residual at each time of day, at least `floor`.
    static func scales(_ x: [Double], _ ref: [Double?], periodsPerDay day: Int, floor: Double) -> [Double] {
        (0..<day).map { s in
            let r = stride(from: s, to: x.count, by: day).compactMap { t in ref[t].map { abs(x[t] - $0) } }
            return r.isEmpty ? floor : max(floor, 1.4826 * median(r))
        }
    }

    static func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// What one detection builds up: the readings, their references and scales, and the flags so far (a reading is
    /// flagged at most once, by the first rule that claims it, in the order of ``detect(_:)``).
    struct Pass {
        let x: [Double], n: Int, day: Int, step: Double
        /// The series' 95th percentile of magnitudes, and the scales' floor (1 % of it).
        let level: Double, floor: Double
        let cleaned: [Double], ref: [Double?], residual: [Double?], scale: [Double]
        var claimed: [Bool]
        var flags: [AnomalyFlag] = []

        mutating func claim(_ f: AnomalyFlag) {
            for t in f.range { claimed[t] = true }
            flags.append(f)
        }

        /// The maximal runs of unclaimed readings where `predicate` holds.
        func runs(where predicate: (Int) -> Bool) -> [Range<Int>] {
            var out: [Range<Int>] = [], t = 0
            while t < n {
                guard !claimed[t], predicate(t) else { t += 1; continue }
                var u = t + 1
                while u < n, !claimed[u], predicate(u) { u += 1 }
                out.append(t..<u)
                t = u
            }
            return out
        }
    }

    /// The flags of `series`, in time order. Throws ``AnomalyError`` for a series that cannot be checked.
    public func detect(_ series: TimeSeries) throws -> [AnomalyFlag] {
        if let p = Self.problem(series) { throw AnomalyError.unusableSeries(name: series.name, detail: p) }
        var pass = prepare(series)
        shiftedDays(&pass)
        reversedFlow(&pass)
        suddenZeros(&pass)
        flatLines(&pass)
        spikes(&pass)
        outsideBand(&pass)
        return pass.flags.sorted { ($0.start, $0.kind.rawValue) < ($1.start, $1.kind.rawValue) }
    }

    /// The references and scales of `series`, nothing flagged yet.
    func prepare(_ series: TimeSeries) -> Pass {
        let x = series.values, n = x.count, day = series.periodsPerDay
        let magnitudes = x.map(abs).sorted()
        let level = magnitudes[min(n - 1, Int(0.95 * Double(n)))]
        // The scale's floor: 1 % of the 95th percentile (PV at dawn, a meter's resolution).
        let floor = max(1e-9, 0.01 * level)
        // Two passes: gross readings against the eight-day reference are replaced by it before the same-weekday
        // reference is taken, so that one anomaly on a reference day does not move it.
        let rough = Self.reference(x, periodsPerDay: day, weekly: false)
        let roughScale = Self.scales(x, rough, periodsPerDay: day, floor: floor)
        let cleaned: [Double] = x.indices.map { t in
            guard let r = rough[t] else { return x[t] }
            return abs(x[t] - r) > bandScales * roughScale[t % day] ? r : x[t]
        }
        let ref = Self.reference(cleaned, periodsPerDay: day)
        let residual: [Double?] = x.indices.map { t in ref[t].map { x[t] - $0 } }
        // Scale per time of day, floored so that a flat slot (PV at night) does not make every wiggle infinite.
        let scale = Self.scales(x, ref, periodsPerDay: day, floor: floor)
        return Pass(
            x: x, n: n, day: day, step: series.step, level: level, floor: floor, cleaned: cleaned, ref: ref, residual: residual, scale: scale,
            claimed: [Bool](repeating: false, count: n))
    }

    func shiftedDays(_ p: inout Pass) {
        let x = p.x, n = p.n, day = p.day, ref = p.ref, scale = p.scale, floor = p.floor
        // Shifted profile: a whole day that fits a reference better when moved by 1..maximumShiftHours hours, tried
        // against the same-weekday reference and against the 14-day profile.
        let maxShift = max(1, Int((maximumShiftHours * 3600 / p.step).rounded()))
        let profileRef = Self.profile(x, periodsPerDay: day, span: max(1, profileSpanDays))
        let profileScale = Self.scales(x, profileRef, periodsPerDay: day, floor: floor)
        let tests: [(name: String, ref: [Double?], scale: [Double], ratio: Double, minimum: Double)] = [
            ("same-weekday reference", ref, scale, shiftErrorRatio, shiftMinimumError),
            ("\(2 * max(1, profileSpanDays))-day profile", profileRef, profileScale, profileShiftErrorRatio, profileShiftMinimumError)
        ]
        for d in 0..<(n / day) {
            let range = (d * day)..<((d + 1) * day)
            guard !range.contains(where: { p.claimed[$0] }), range.lowerBound - maxShift >= 0, range.upperBound + maxShift <= n else { continue }
            for test in tests {
                // Squared errors in scales, each capped at 4 scales so that a single spike or reversed reading in
                // the day does not decide it.
                func loss(_ s: Int) -> Double? {
                    var total = 0.0
                    for t in range {
                        guard let r = test.ref[t - s] else { return nil }
                        let e = min(4, abs(x[t] - r) / test.scale[(t - s) % day])
                        total += e * e
                    }
                    return total
                }
                guard let unshifted = loss(0), unshifted > 0 else { continue }
                var best: (shift: Int, error: Double)?
                for s in -maxShift...maxShift where s != 0 {
                    if let e = loss(s), e < best?.error ?? .infinity { best = (s, e) }
                }
                // The shift must explain the day: its loss well below the unshifted one, and the unshifted one well
                // above what an ordinary day leaves (about one squared scale a reading).
                guard let best, best.error <= test.ratio * unshifted, unshifted > test.minimum * Double(day) else { continue }
                let hours = Double(best.shift) * p.step / 3600
                p.claim(
                    AnomalyFlag(
                        kind: .shiftedProfile, start: range.lowerBound, length: day, score: unshifted / max(best.error, 1e-300),
                        reason: String(
                            format: "the day matches the %@ moved %@%.4g h (squared error %.3g scales^2 instead of %.3g)",
                            test.name as NSString, (hours > 0 ? "+" : "") as NSString,
                            hours, best.error, unshifted)))
                break
            }
        }
    }

    func reversedFlow(_ p: inout Pass) {
        let x = p.x, n = p.n, day = p.day, scale = p.scale
        // Reversed flow: negative readings where at least 95 % are not.
        let negatives = x.filter { $0 < 0 }.count
        if negatives > 0, Double(negatives) <= 0.05 * Double(n) {
            for r in p.runs(where: { x[$0] < 0 }) {
                let worst = r.map { x[$0] }.min() ?? 0
                p.claim(
                    AnomalyFlag(
                        kind: .reversedFlow, start: r.lowerBound, length: r.count, score: -worst / scale[r.lowerBound % day],
                        reason: String(format: "reading %.4g below zero in a series that is otherwise never negative", worst)))
            }
        }
    }

    func suddenZeros(_ p: inout Pass) {
        let x = p.x, n = p.n, day = p.day, ref = p.ref, scale = p.scale, level = p.level
        // Sudden zero: exactly zero where at least three quarters of the reference days have a positive reading and
        // the reference is at least a tenth of the series' 95th percentile.
        func referencesPositive(_ t: Int) -> Bool {
            let around: [Int] = [1, 2, 7, 14].flatMap { (k: Int) -> [Int] in [t - k * day, t + k * day] }
            let v: [Double] = around.filter { $0 >= 0 && $0 < n }.map { x[$0] }
            return v.count >= 2 && 4 * v.filter({ $0 > 0 }).count >= 3 * v.count
        }
        for r in p.runs(where: { x[$0] == 0 && referencesPositive($0) }) {
            let references: [Double] = r.compactMap { ref[$0] }
            let expected = references.reduce(0, +) / Double(max(1, r.count))
            // A zero where the reference is itself small (dusk, a cloudy winter afternoon) is not sudden.
            guard expected >= 0.1 * level else { continue }
            p.claim(
                AnomalyFlag(
                    kind: .suddenZero, start: r.lowerBound, length: r.count, score: expected / scale[r.lowerBound % day],
                    reason: String(format: "%d reading(s) of exactly 0 where the reference days read %.4g on average", r.count, expected)))
        }
    }

    func flatLines(_ p: inout Pass) {
        let x = p.x, n = p.n, ref = p.ref
        // Flat line: identical non-zero readings, at least `minimumFlatRun` of them.
        var t = 1
        while t < n {
            guard x[t] == x[t - 1], x[t] != 0 else { t += 1; continue }
            var u = t + 1
            while u < n, x[u] == x[t - 1] { u += 1 }
            let r = (t - 1)..<u
            let expected = r.compactMap { ref[$0] }
            let moves = (expected.max() ?? 0) - (expected.min() ?? 0)
            // Where the reference days hold the very same value (a PV meter's standby draw at night) the series is
            // flat by nature, not stuck: only the other readings of the run count towards a flat line.
            let unexpected = r.filter { ref[$0] != x[t] }.count
            if unexpected >= minimumFlatRun, !r.contains(where: { p.claimed[$0] }) {
                p.claim(
                    AnomalyFlag(
                        kind: .flatLine, start: r.lowerBound, length: r.count, score: Double(r.count),
                        reason: String(format: "%d identical readings of %.4g (the reference moves by %.4g over them)", r.count, x[t], moves)))
            }
            t = u
        }
    }

    func spikes(_ p: inout Pass) {
        let x = p.x, n = p.n, day = p.day, cleaned = p.cleaned, residual = p.residual, scale = p.scale, level = p.level
        // Spike: far above both neighbours and the reference, or far above anything seen at that time of day.
        let slotHigh: [Double] = (0..<day).map { s in
            let v = stride(from: s, to: n, by: day).map { x[$0] }.sorted()
            return v[max(0, v.count - 3)]
        }
        // Neighbours are taken from the cleaned readings, so a reading next to a zeroed or reversed one is no spike.
        func largestNeighbour(_ t: Int) -> Double {
            [t - 1, t + 1].filter { $0 >= 0 && $0 < n }.map { cleaned[$0] }.max() ?? 0
        }
        let darkSlots = (0..<day).filter { s in
            let v = stride(from: s, to: n, by: day).map { x[$0] }
            return 10 * v.filter { $0 == 0 }.count >= 9 * v.count
        }.count
        let generation = generationSpikes && 6 * darkSlots >= day && darkSlots < day
        for t in 0..<n where !p.claimed[t] {
            // A spike is material: at least a tenth of the series' 95th percentile (not a dawn reading beside zeros).
            guard let r = residual[t], x[t] >= 0.1 * level, x[t] > 0 else { continue }
            let largest = largestNeighbour(t)
            let z = r / scale[t % day]
            // The generation rule needs both neighbours as they were read: beside a reading another rule has
            // flagged, the comparison says nothing.
            let plainNeighbours = t > 0 && t < n - 1 && !p.claimed[t - 1] && !p.claimed[t + 1]
            let jump = x[t] > spikeRatio * largest
            let high = slotHigh[t % day] > 0 && x[t] > highRatio * slotHigh[t % day]
            let againstReference = (jump && z > spikeScales) || high
            guard againstReference || (jump && generation && plainNeighbours) else { continue }
            let facts = String(
                format:
                    "reading %.4g is %.1f times the larger neighbouring reading, %.1f scales above the reference and %.2f times the third-largest reading at this time of day",
                x[t], x[t] / max(largest, 1e-300), z, x[t] / max(slotHigh[t % day], 1e-300))
            // Flagged by the jump alone, the score is the jump (times the larger neighbour), not the scales.
            p.claim(
                AnomalyFlag(
                    kind: .spike, start: t, length: 1, score: againstReference ? z : x[t] / max(largest, 1e-300),
                    reason: againstReference ? facts : "a jump in a series with dark hours (score: times the larger neighbour): " + facts))
        }
    }

    func outsideBand(_ p: inout Pass) {
        let x = p.x, n = p.n, day = p.day, residual = p.residual, scale = p.scale
        // Outside the band.
        for t in 0..<n where !p.claimed[t] {
            guard let r = residual[t] else { continue }
            let z = r / scale[t % day]
            if abs(z) > bandScales {
                p.claim(
                    AnomalyFlag(
                        kind: .outsideBand, start: t, length: 1, score: abs(z),
                        reason: String(
                            format: "reading %.4g is %.1f scales %@ the reference %.4g (band +-%.1f scales)", x[t], abs(z),
                            (z > 0 ? "above" : "below") as NSString,
                            x[t] - r, bandScales)))
            }
        }
    }
}

/// Why anomaly detection or its evaluation cannot run.
public enum AnomalyError: PeerGridError, Equatable {
    case unusableSeries(name: String, detail: String)
    case invalidOption(name: String, detail: String)

    public var kind: FailureKind { .badInput }

    public var description: String {
        switch self {
        case let .unusableSeries(name, detail): return "series \(name): \(detail)"
        case let .invalidOption(name, detail): return "\(name): \(detail)"
        }
    }
}
