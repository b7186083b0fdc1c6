import Foundation

/// The one timestamp rule of every time-series file PeerGrid reads: ISO 8601 with `Z` or an offset (a space may
/// replace the `T`; seconds may be left out or carry a fraction), local time in a zone (`2000-06-05 00:00`, `2000-06-05T00:00:00`), or a date alone
/// (`2000-06-05`), which is that day at 00:00 UTC whatever the zone, so that a daily series keeps a 24-hour step
/// across daylight-saving changes.
public struct TimestampParser {
    public let timeZone: TimeZone?
    let iso = ISO8601DateFormatter()
    /// The same with fractional seconds (`2000-06-05T00:00:00.000Z`, as JavaScript and pandas write them).
    let isoFractional = ISO8601DateFormatter()
    var lastLocal: Date?
    /// Why the last stamp was refused, when it is more than "not a timestamp".
    public private(set) var problem: String?

    /// `timeZone`: the zone of offset-free stamps; without one they are refused.
    public init(timeZone: TimeZone?) {
        self.timeZone = timeZone
        iso.formatOptions = [.withInternetDateTime]
        isoFractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    }

    /// The stamp's instant; stamps must come in time order for the autumn hour's second occurrence to be found.
    public mutating func parse(_ s: String) -> Date? {
        if let d = InternetTime.parse(s) ?? iso.date(from: s) { return d }
        if let hint = Self.notISO(s) {
            problem = hint
            return nil
        }
        let withT = Self.withSeconds(s.replacingOccurrences(of: " ", with: "T"))
        if let d = iso.date(from: withT) ?? isoFractional.date(from: withT) { return d }
        if let d = Self.date(s) { return d }
        guard let tz = timeZone else { return nil }
        let parts = withT.split(whereSeparator: { "-T:".contains($0) }).compactMap { Int($0) }
        guard parts.count >= 5 else { return nil }
        var c = DateComponents()
        c.year = parts[0]; c.month = parts[1]; c.day = parts[2]; c.hour = parts[3]; c.minute = parts[4]
        c.second = parts.count > 5 ? parts[5] : 0
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = tz
        guard var d = cal.date(from: c) else { return nil }
        let back = cal.dateComponents([.year, .month, .day, .hour, .minute], from: d)
        if back.hour != c.hour || back.minute != c.minute || back.day != c.day {
            problem =
                "local time \(s) does not exist in \(tz.identifier): the clocks jump forward at the daylight-saving change (write UTC or an offset, or drop the row)"
            return nil
        }
        // An ambiguous autumn hour: the second occurrence of a local time is one hour later in UTC.
        if let last = lastLocal, d <= last, tz.isDaylightSavingTime(for: d), !tz.isDaylightSavingTime(for: d.addingTimeInterval(3600)) {
            d = d.addingTimeInterval(3600)
        }
        lastLocal = d
        return d
    }

    /// Why a common non-ISO form is not read, with what to write instead: a date with slashes (`05/06/2000`, whose
    /// day and month order cannot be told from the stamp alone) or a Unix time (9 or 10 digits: seconds since
    /// 1970, from 1973 to 2286 with 10; 12 or 13: milliseconds). nil for anything else.
    static func notISO(_ s: String) -> String? {
        let shown = s.count > 40 ? String(s.prefix(40)) + "..." : s
        if s.contains("/"), s.first?.isNumber == true {
            return
                "'\(shown)' is not an ISO 8601 timestamp: dates with slashes are not read, as their day and month order is ambiguous (05/06 is 5 June or May 6); write YYYY-MM-DD"
        }
        if [9, 10, 12, 13].contains(s.count), s.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Double(s) {
            let milliseconds = s.count > 10
            let example = UTCTime.string(Date(timeIntervalSince1970: milliseconds ? n / 1000 : n))
            return
                "'\(shown)' is not an ISO 8601 timestamp: it looks like Unix time (\(milliseconds ? "milliseconds" : "seconds") since 1970, here \(example)); write ISO 8601"
        }
        return nil
    }

    /// `2000-06-05T00:00Z` (minutes, then `Z` or an offset, all ISO 8601) with the seconds written out, for the
    /// formatter; any other text as it is.
    static func withSeconds(_ s: String) -> String {
        let u = Array(s.utf8)
        guard u.count > 16, u[10] == UInt8(ascii: "T"), u[13] == UInt8(ascii: ":"), "Z+-".utf8.contains(u[16]) else { return s }
        return String(decoding: u[..<16], as: UTF8.self) + ":00" + String(decoding: u[16...], as: UTF8.self)
    }

    /// `YYYY-MM-DD` (a real calendar date) at 00:00 UTC; nil for anything else.
    static func date(_ s: String) -> Date? {
        let u = Array(s.utf8)
        guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"),
            u.indices.allSatisfy({ $0 == 4 || $0 == 7 || (u[$0] >= UInt8(ascii: "0") && u[$0] <= UInt8(ascii: "9")) })
        else { return nil }
        let year = Int(s.prefix(4))!, month = Int(s.dropFirst(5).prefix(2))!, day = Int(s.suffix(2))!
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        guard let d = cal.date(from: DateComponents(year: year, month: month, day: day)) else { return nil }
        let back = cal.dateComponents([.year, .month, .day], from: d)
        return back.year == year && back.month == month && back.day == day ? d : nil
    }
}
