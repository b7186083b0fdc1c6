import Foundation

/// Results written by concurrent workers, read in index order.
public final class ResultSlots<T: Sendable>: @unchecked Sendable {
    private var slots: [Result<T, Error>?]
    private let lock = NSLock()

    public init(count: Int) { slots = Array(repeating: nil, count: count) }

    /// Records job `k`'s outcome.
    public func set(_ k: Int, _ r: Result<T, Error>) { lock.withLock { slots[k] = r } }

    /// Every job's outcome in index order (a job that never reported is a failure).
    public var outcomes: [Result<T, Error>] { lock.withLock { slots }.map { $0 ?? .failure(CancellationError()) } }

    /// The values; the first failure in index order is thrown (so the message does not depend on timing).
    public func values() throws -> [T] { try outcomes.map { try $0.get() } }
}

/// `body(0) ... body(count - 1)` on every core (`DispatchQueue.concurrentPerform`), each outcome in index order.
/// The jobs must be independent; then the outcomes are those of a plain loop, whatever the timing.
public func concurrentOutcomes<T: Sendable>(_ count: Int, _ body: @Sendable (Int) throws -> T) -> [Result<T, Error>] {
    let slots = ResultSlots<T>(count: count)
    DispatchQueue.concurrentPerform(iterations: count) { k in slots.set(k, Result { try body(k) }) }
    return slots.outcomes
}

/// Numbers progress reports 1, 2, ... from concurrent workers, one report at a time.
public final class ProgressCounter: @unchecked Sendable {
    private var done = 0
    private let lock = NSLock()

    public init() {}

    /// Counts one more and calls `report` with the count, under the lock (so reports never interleave).
    public func next(_ report: (Int) -> Void) {
        lock.withLock {
            done += 1
            report(done)
        }
    }
}
