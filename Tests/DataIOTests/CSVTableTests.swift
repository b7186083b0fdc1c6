import DataIO
import Testing

struct CSVTableTests {
    @Test func readsQuotesCRLFAndABOM() throws {
        let text = "\u{FEFF}\"a\",b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n2,\"two\nlines\",3\r\n"
        let t = try CSVTable(text: text, file: "f.csv")
        #expect(t.header == ["a", "b", "c"])
        #expect(t.records.count == 2)
        #expect(t.records[0].fields == ["1", "x, y", "say \"hi\""])
        #expect(t.records[0].line == 2)
        #expect(t.records[1].fields == ["2", "two\nlines", "3"])
        #expect(t.records[1].line == 3)
    }

    @Test func lonelyCarriageReturnsEndRecordsAndEmptyLinesAreSkipped() throws {
        let t = try CSVTable(text: "a,b\r1,2\r\r3,4", file: "mac.csv")
        #expect(t.records.map(\.fields) == [["1", "2"], ["3", "4"]])
        #expect(t.records.map(\.line) == [2, 4])
    }

    @Test(arguments: [
        ("a,b\n1,\"2\n", "f.csv:2: a quoted field is never closed"),
        ("a,b\n1,\"2\"x\n", "f.csv:2: text after a closing quote"),
        ("a,b\n1,2,3\n", "f.csv:2: 3 fields where the header has 2"),
        ("a,b\n1,2\"3\n", "f.csv:2: a quote inside an unquoted field (quote the whole field and double the quote)"),
        ("\n\n", "f.csv: the file is empty (a header is expected)"),
        // A semicolon export is refused by the same rules, naming the line.
        ("\u{FEFF}a;b\r\n1;2\r\n1;2;3\r\n", "f.csv:3: 3 fields where the header has 2"),
        ("a;b\n1;\"2\n", "f.csv:2: a quoted field is never closed"),
        ("a\tb\n1\t2\t3\n", "f.csv:2: 3 fields where the header has 2")
    ]) func refusesBrokenFilesNamingTheLine(text: String, message: String) {
        #expect { try CSVTable(text: text, file: "f.csv") } throws: { ($0 as? CSVError)?.description == message }
    }

    @Test func readsSemicolonFilesWithADecimalComma() throws {
        let text = "\u{FEFF}timestamp;load;note\r\n2016-05-02T00:00:00Z;0,071629;\"a; b\"\r\n2016-05-02T00:15:00Z;-1,5e3;1.234,5\r\n"
        let t = try CSVTable(text: text, file: "excel.csv")
        #expect(t.header == ["timestamp", "load", "note"])
        #expect(t.records.map(\.fields) == [["2016-05-02T00:00:00Z", "0.071629", "a; b"], ["2016-05-02T00:15:00Z", "-1.5e3", "1.234,5"]])
        #expect(t.records.map(\.line) == [2, 3])
    }

    @Test func aCommaInTheHeaderKeepsCommasAndDecimalPointsAsTheyAre() throws {
        let t = try CSVTable(text: "\n\"a;b\",c\n\"1,5\",2\n", file: "f.csv")
        #expect(t.header == ["a;b", "c"])
        #expect(t.records[0].fields == ["1,5", "2"])
        let tabs = try CSVTable(text: "a\tb\n1,5\t2\n", file: "t.tsv")
        #expect(tabs.records[0].fields == ["1,5", "2"])
        #expect(try CSVTable(text: "load\n0.5\n", file: "one.csv").records[0].fields == ["0.5"])
    }

    @Test(arguments: [
        ("1,5", "1.5"), ("+0,25", "+0.25"), ("2,5E-3", "2.5E-3"), (",5", ",5"), ("1,", "1,"), ("1,2,3", "1,2,3"), ("a,b", "a,b"), ("1,5e", "1,5e"), ("12", "12")
    ])
    func decimalCommasOnlyInWholeNumbers(field: String, read: String) throws {
        #expect(try CSVTable(text: "a;b\n\"\(field)\";x\n", file: "f.csv").records[0].fields == [read, "x"])
    }

    @Test func writesFieldsThatReadBack() throws {
        let values = ["plain", "with, comma", "with \"quote\"", "two\r\nlines"]
        let text = "h1,h2,h3,h4\n" + values.map(CSVText.field).joined(separator: ",") + "\n"
        #expect(try CSVTable(text: text, file: "w.csv").records[0].fields == values)
    }

    @Test func seededGeneratorRepeats() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
        var c = SeededGenerator(seed: 1)
        #expect((0..<1000).map { _ in c.uniform(2, 3) }.allSatisfy { $0 >= 2 && $0 < 3 })
    }

    @Test func everyFailureKindIsNamed() {
        #expect(Set(FailureKind.allCases.map(\.rawValue)).count == FailureKind.allCases.count)
    }
}
