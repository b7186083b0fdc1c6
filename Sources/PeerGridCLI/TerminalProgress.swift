import DataIO
import Foundation
import LinearProgramming

/// Progress of a long solve on standard error: elapsed time, incumbent, bound and gap, redrawn in place.
/// Silent when standard error is not a terminal (piped, in CI, in tests).
final class TerminalProgress: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var label = ""
    private var last: SolveProgress?
    private var clock = Stopwatch()
    private var timer: DispatchSourceTimer?

    init(enabled: Bool) {
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
    }

    var report: (@Sendable (SolveProgress) -> Void)? {
        guard enabled else { return nil }
        return { [weak self] p in self?.lock.withLock { self?.last = p } }
    }

    func start(_ label: String) {
        guard enabled else { return }
        self.label = label
        clock = Stopwatch()
        bound = nil
        let t = DispatchSource.makeTimerSource(queue: .global())
        t.schedule(deadline: .now() + 1, repeating: 1)
        t.setEventHandler { [weak self] in self?.draw() }
        t.resume()
        timer = t
    }

    /// The bound last drawn and when it was first drawn (seconds on ``clock``).
    private var bound: (value: Double, since: Double)?
    /// After this many seconds without a better bound, the line says how to stop sooner.
    static let stallSeconds = 30.0

    private func draw() {
        let p = lock.withLock { last }
        let now = clock.seconds
        var line = String(format: "%@: %.0f s", label, now)
        if let p {
            if let i = p.incumbent { line += String(format: ", incumbent %.4f", i) }
            if let b = p.bound { line += String(format: ", bound %.4f", b) }
            // Relative to the incumbent, as the solvers measure it: above 1 (an incumbent near 0) it says little.
            if let g = p.gap { line += g < 1 ? String(format: ", gap %.2e", g) : ", gap > 1" }
            if let b = p.bound, b != bound?.value { bound = (b, now) }
            if p.incumbent != nil, let since = bound?.since, now - since >= Self.stallSeconds {
                line += String(format: " (bound unchanged for %.0f s: --gap or --time-limit stops sooner)", now - since)
            }
        }
        ProgressLine(enabled: true).show(line)
    }

    func finish() {
        guard enabled, let t = timer else { return }
        t.cancel()
        timer = nil
        ProgressLine(enabled: true).finish()
    }
}

/// A progress line on standard error, redrawn in place; silent when standard error is not a terminal.
enum StatusLine {
    static let line = ProgressLine()
    static func show(_ text: String) { line.show(text) }
    static func clear() { line.finish() }
}
