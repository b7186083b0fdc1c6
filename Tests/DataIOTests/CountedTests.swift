import DataIO
import Testing

@Suite struct CountedTests {
    /// One of a thing is singular; none or several plural, by the usual English endings.
    @Test func countsAgreeWithTheirNouns() {
        #expect(counted(1, "prosumer") == "1 prosumer" && counted(3, "prosumer") == "3 prosumers" && counted(0, "trade") == "0 trades")
        #expect(counted(1, "entry") == "1 entry" && counted(2, "entry") == "2 entries" && counted(2, "day") == "2 days")
        #expect(counted(2, "hash") == "2 hashes" && counted(2, "batch") == "2 batches" && counted(2, "series", "series") == "2 series")
    }
}
