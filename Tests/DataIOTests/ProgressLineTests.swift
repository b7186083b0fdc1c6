import Testing

@testable import DataIO

@Suite struct ProgressLineTests {
    /// A progress line longer than the terminal is cut, with an ellipsis, to one column less than its width (a
    /// wrapped line could not be redrawn in place); one that fits, or an unknown width, leaves it whole.
    @Test func aLineIsCutToTheTerminalsWidth() {
        #expect(ProgressLine.fitted("solving example: 12 s", columns: 10) == "solving …")
        #expect(ProgressLine.fitted("solving example: 12 s", columns: 10).count == 9)
        #expect(ProgressLine.fitted("abcd", columns: 5) == "abcd")
        #expect(ProgressLine.fitted("abcde", columns: 5) == "abc…")
        #expect(ProgressLine.fitted("abcdef", columns: nil) == "abcdef")
        #expect(ProgressLine.fitted("abc", columns: 1) == "…")
    }
}
