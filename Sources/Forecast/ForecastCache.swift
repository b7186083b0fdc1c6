import DataIO
import Foundation

/// Memoized point forecasts of catalog models, for the rolling validations inside `ensemble` and `auto`.
///
/// Those models refit their members at the origins of a validation window before every fit, and in a backtest
/// (one fit per test day) consecutive fits share all but one of those origins: without memoization a 14-day
/// backtest of `ensemble` refits each member 8 times per origin. A model fitted on a history prefix is a
/// deterministic function of that prefix (the catalog's statistical models have no random state), so a
/// forecast is looked up by what determines it: the model name, the observations a day, the prefix (its
/// values, start, step and regressors, by a 128-bit fingerprint) and the horizon. A hit returns exactly the
/// values a refit would; the cache changes the time a backtest takes, never its numbers.
public final class ForecastCache: @unchecked Sendable {
    struct Key: Hashable {
        var model: String
        var periodsPerDay: Int
        var count: Int
        var horizon: Int
        var bounded: Bool
        var fingerprint: Fingerprint
    }

    struct Fingerprint: Hashable {
        var a: UInt64
        var b: UInt64
    }

    /// Shared by every fit in the process (day-ahead forecasts several series at once, hence the lock).
    static let shared = ForecastCache()
    /// Entries kept before the cache is emptied (a day's forecast each: small).
    static let capacity = 4096

    private var entries: [Key: [Double]] = [:]
    private let lock = NSLock()

    /// True within a task that must not use the cache: every lookup recomputes and nothing is kept (a test compares
    /// the two ways; task-local, so tests running beside it keep the cache).
    @TaskLocal static var bypass = false

    /// FNV-1a over the series' bits, twice with different offsets, plus its start, step and regressors.
    static func fingerprint(_ s: TimeSeries) -> Fingerprint {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325, b: UInt64 = 0x8422_2325_cbf2_9ce4
        func mix(_ x: UInt64) {
            a = (a ^ x) &* 0x0000_0100_0000_01b3
            b = (b ^ (x &+ 0x9e37_79b9_7f4a_7c15)) &* 0x0000_0100_0000_01b3
            b ^= b >> 29
        }
        mix(UInt64(s.values.count))
        for v in s.values { mix(v.bitPattern) }
        mix(s.start.timeIntervalSince1970.bitPattern)
        mix(s.step.bitPattern)
        mix(UInt64(s.regressorValues.count))
        for column in s.regressorValues {
            mix(UInt64(column.count))
            for v in column { mix(v.bitPattern) }
        }
        return Fingerprint(a: a, b: b)
    }

    /// The point forecast of catalog model `model` fitted on `history`, `horizon` steps ahead (with the history's
    /// ``PhysicalBounds`` applied when `bounded`), computed by `make` on a miss.
    func point(
        model: String, history: TimeSeries, fingerprint: Fingerprint? = nil, horizon: Int, bounded: Bool, make: () throws -> [Double]
    ) throws -> [Double] {
        guard !Self.bypass else { return try make() }
        let key = Self.key(model, history, fingerprint, horizon, bounded)
        if let hit = lock.withLock({ entries[key] }) { return hit }
        let value = try make()
        insert(value, key)
        return value
    }

    /// Records a forecast computed elsewhere (a member fitted on the whole history, whose next-day forecast is a
    /// later fit's validation forecast).
    func store(_ value: [Double], model: String, history: TimeSeries, fingerprint: Fingerprint? = nil, horizon: Int, bounded: Bool) {
        guard !Self.bypass else { return }
        insert(value, Self.key(model, history, fingerprint, horizon, bounded))
    }

    private static func key(_ model: String, _ history: TimeSeries, _ fingerprint: Fingerprint?, _ horizon: Int, _ bounded: Bool) -> Key {
        Key(
            model: model, periodsPerDay: history.periodsPerDay, count: history.count, horizon: horizon, bounded: bounded,
            fingerprint: fingerprint ?? Self.fingerprint(history))
    }

    private func insert(_ value: [Double], _ key: Key) {
        lock.withLock {
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = value
        }
    }

    var count: Int { lock.withLock { entries.count } }

    /// `body(0) ... body(count - 1)` on every core (DataIO's ``concurrentOutcomes``), outcomes in index order, with
    /// this task's ``bypass`` carried into the workers (a task-local value does not cross into Dispatch's threads).
    /// For the validation fits of `ensemble` and `auto`: each is a deterministic function of its history prefix, so
    /// the numbers are those of a plain loop.
    static func concurrently<T: Sendable>(_ count: Int, _ body: @Sendable (Int) throws -> T) -> [Result<T, Error>] {
        let bypass = Self.bypass
        return concurrentOutcomes(count) { k in try Self.$bypass.withValue(bypass) { try body(k) } }
    }

    /// Forgets every memoized forecast, so that the next backtest runs cold (`benchmark forecast` times each
    /// repeat from an empty cache).
    public static func reset() { shared.lock.withLock { shared.entries.removeAll() } }
}
