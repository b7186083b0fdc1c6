import Foundation

/// One line of progress on standard error, redrawn in place ("deriving bids 3/10"). Silent when standard error is
/// not a terminal (piped, in CI, in tests), so logs and outputs never hold progress text.
public struct ProgressLine: Sendable {
    public let enabled: Bool

    public init(enabled: Bool = true) { self.enabled = enabled && isatty(STDERR_FILENO) == 1 }

    /// Replaces the line with `text`.
    public func show(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data(("\r" + text + "\u{1B}[K").utf8))
    }

    /// Clears the line.
    public func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
