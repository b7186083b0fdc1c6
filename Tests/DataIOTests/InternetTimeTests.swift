import DataIO
import Foundation
import Testing

/// The arithmetic reader and writer of internet times give the formatter's answers.
@Suite struct InternetTimeTests {
    static func formatterParse(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: s)
    }

    static func formatterString(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: d)
    }

    /// 20,000 seeded stamps over 1900-9999 (real dates, leap days, offsets from -18:00 to +18:00) read as the
    /// formatter reads them, and written back as it writes them.
    @Test func readsAndWritesAsTheFormatterDoes() {
        var g = SeededGenerator(seed: 11)
        func pick(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(g.next() % UInt64(r.count)) }
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var checked = 0
        for k in 0..<20_000 {
            let year = k % 10 == 0 ? pick(1900...9999) : pick(1960...2100)
            let month = pick(1...12)
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            let day = k % 7 == 0 ? days : pick(1...days)
            let zone = k % 3 == 0 ? "Z" : "\(k % 2 == 0 ? "+" : "-")\(two(pick(0...18))):\(two(pick(0...59)))"
            let s = "\(year)-\(two(month))-\(two(day))T\(two(pick(0...23))):\(two(pick(0...59))):\(two(pick(0...59)))\(zone)"
            let fast = InternetTime.parse(s), slow = Self.formatterParse(s)
            #expect(fast != nil && fast == slow, "\(s): \(String(describing: fast)) vs \(String(describing: slow))")
            if let d = fast, let written = InternetTime.string(d) {
                #expect(written == Self.formatterString(d), "\(s)")
                checked += 1
            }
        }
        #expect(checked > 19_000)
    }

    /// Stamps with one byte changed (20,000 seeded mutations): whatever the fast path accepts, the formatter reads
    /// as the same instant.
    @Test func mutatedStampsAreReadAsTheFormatterReadsThem() {
        var g = SeededGenerator(seed: 5)
        let bases = ["2000-06-05T00:30:00Z", "2024-02-29T23:59:59+05:30", "1999-12-31T12:00:00-08:00", "2100-03-01T06:07:08Z"]
        let alphabet = Array("0123456789-:+TZtz .".utf8)
        var accepted = 0
        for k in 0..<20_000 {
            var bytes = Array(bases[k % bases.count].utf8)
            let at = Int(g.next() % UInt64(bytes.count))
            bytes[at] = alphabet[Int(g.next() % UInt64(alphabet.count))]
            let s = String(decoding: bytes, as: UTF8.self)
            if let fast = InternetTime.parse(s) {
                accepted += 1
                #expect(fast == Self.formatterParse(s), "\(s)")
            }
        }
        #expect(accepted > 1000)
    }

    /// Forms outside the fast path are left to the formatter (nil here), and UTCTime still reads them.
    @Test func otherFormsAreLeftToTheFormatter() {
        for s in [
            "2000-02-30T00:00:00Z", "2001-02-29T00:00:00Z", "2000-06-05T24:00:00Z", "2000-06-05T00:00:60Z", "1899-12-31T23:59:59Z",
            "2000-06-05T00:00:00.250Z", "2000-06-05T00:00Z", "2000-06-05 00:00:00Z", "2000-06-05T00:00:00z", "2000-06-05T00:00:00+0100",
            "2000-06-05T00:00:00+19:00", "20000-06-05T00:00:00Z", "2000-6-05T00:00:00Z", ""
        ] {
            #expect(InternetTime.parse(s) == nil, "\(s)")
        }
        #expect(UTCTime.parse("2000-06-05T00:00:00.250Z") == Self.formatterParse("2000-06-05T00:00:00Z")!.addingTimeInterval(0.25))
        #expect(InternetTime.string(Date(timeIntervalSince1970: 0.5)) == nil)
        #expect(UTCTime.string(Date(timeIntervalSince1970: 0.5)) == Self.formatterString(Date(timeIntervalSince1970: 0.5)))
        #expect(InternetTime.string(Date(timeIntervalSince1970: -2_300_000_000)) == nil)  // 1897: the formatter's
    }

    /// Cells are trimmed as Foundation trims them, the fast case included.
    @Test func trimsAsFoundationDoes() {
        for s in ["", " ", "a", " a", "a ", "\ta\t", "\u{00A0}x\u{00A0}", "x\u{2003}", "2000-06-05T00:00:00Z", " 1.5 "] {
            #expect(CSVTable.trimmed(s) == s.trimmingCharacters(in: .whitespaces), "\(s.debugDescription)")
        }
    }
}
