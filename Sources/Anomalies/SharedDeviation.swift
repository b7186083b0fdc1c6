import Foundation

/// Deviations that many meters of one kind show at the same moment: a cloud over the neighbourhood dims every PV
/// meter at once, a cold evening raises every load. A meter fault or tampering is one meter's, so a statistical
/// flag (``AnomalyKind/outsideBand`` or ``AnomalyKind/spike``) that at least half of the meters share at that
/// moment is the weather or the calendar, not a meter. Utilities compare a meter with its neighbours for the same
/// reason. The other kinds (reversed flow, sudden zeros, flat lines, shifted days) are kept even when shared: on
/// many meters at once they point at the data collection.
public enum SharedDeviation {
    /// One meter's flags and the instants its readings stand for.
    public struct Meter: Sendable {
        public var start: Date
        public var step: TimeInterval
        public var flags: [AnomalyFlag]

        public init(start: Date, step: TimeInterval, flags: [AnomalyFlag]) {
            self.start = start
            self.step = step
            self.flags = flags
        }

        /// The instants (seconds since 1970, whole) of a flag's readings.
        func instants(_ f: AnomalyFlag) -> [Int64] {
            f.range.map { Int64((start.timeIntervalSince1970 + Double($0) * step).rounded()) }
        }
    }

    /// The kinds a shared moment explains.
    public static let statisticalKinds: Set<AnomalyKind> = [.outsideBand, .spike]

    /// For each meter, for each of its flags, whether it is shared: a statistical flag most of whose readings fall
    /// at instants flagged (statistically) on at least `share` of the meters, and on at least `minimumMeters`.
    /// With fewer meters than that, nothing is shared.
    public static func shared(_ meters: [Meter], share: Double = 0.5, minimumMeters: Int = 3) -> [[Bool]] {
        let none = meters.map { Array(repeating: false, count: $0.flags.count) }
        guard meters.count >= minimumMeters else { return none }
        let needed = max(minimumMeters, Int((share * Double(meters.count)).rounded(.up)))
        var count: [Int64: Int] = [:]
        for m in meters {
            var seen = Set<Int64>()
            for f in m.flags where statisticalKinds.contains(f.kind) { seen.formUnion(m.instants(f)) }
            for t in seen { count[t, default: 0] += 1 }
        }
        return meters.map { m in
            m.flags.map { f in
                guard statisticalKinds.contains(f.kind) else { return false }
                let instants = m.instants(f)
                let common = instants.filter { count[$0, default: 0] >= needed }.count
                return 2 * common >= instants.count
            }
        }
    }
}
