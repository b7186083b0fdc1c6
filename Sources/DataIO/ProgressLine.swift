import Foundation

/// One line of progress on standard error, redrawn in place ("deriving bids 3/10"). Silent when standard error is
/// not a terminal (piped, in CI, in tests), so logs and outputs never hold progress text.
public struct ProgressLine: Sendable {
    public let enabled: Bool

    public init(enabled: Bool = true) { self.enabled = enabled && isatty(STDERR_FILENO) == 1 }

    /// Replaces the line with `text`, cut to the terminal's width (a line that wrapped could not be redrawn in place:
    /// each redraw would leave its first rows behind).
    public func show(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data(("\r" + Self.fitted(text, columns: Self.columns()) + "\u{1B}[K").utf8))
    }

    /// The width of the terminal on standard error, nil when it cannot be read.
    static func columns() -> Int? {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// `text` when it fits in `columns - 1` characters (the last column would wrap on some terminals), else its
    /// start and an ellipsis in that many.
    static func fitted(_ text: String, columns: Int?) -> String {
        guard let columns, text.count > columns - 1 else { return text }
        return String(text.prefix(max(0, columns - 2))) + "…"
    }

    /// Clears the line.
    public func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
