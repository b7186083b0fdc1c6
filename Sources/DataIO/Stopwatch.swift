import Foundation

/// The clock: monotonic wall time for timing (never the calendar clock, which can jump).
public struct Stopwatch: Sendable {
    private let start = DispatchTime.now().uptimeNanoseconds
    public init() {}
    /// Seconds since creation.
    public var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}
