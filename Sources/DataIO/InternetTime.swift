import Foundation

/// RFC 3339 internet times in the one form most files hold, `YYYY-MM-DDTHH:MM:SSZ` or with `+HH:MM` / `-HH:MM`,
/// read and written by arithmetic instead of `ISO8601DateFormatter`, which takes tens of microseconds a stamp
/// through ICU (a day-ahead run on the demo spent 29 % of its time there, 2026-12-06). Anything else (a fraction,
/// a leap second, a year before 1900, an impossible date) is left to the formatter, so every answer is the
/// formatter's: `InternetTimeTests` compares the two on many seeded stamps.
public enum InternetTime {
    /// The years read and written here; the formatter's proleptic calendar and this one agree on them.
    static let years = 1900...9999

    /// The instant of `text`, or nil when it is not exactly that form with a real date and time.
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse(utf8: $0) }
    }

    static func parse(utf8 u: UnsafeBufferPointer<UInt8>) -> Date? {
        let n = u.count
        guard n == 20 || n == 25, u[4] == 0x2D, u[7] == 0x2D, u[10] == 0x54, u[13] == 0x3A, u[16] == 0x3A else { return nil }
        func number(_ at: Int, _ digits: Int) -> Int? {
            var v = 0
            for k in at..<(at + digits) {
                let c = u[k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            return v
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
            let minute = number(14, 2), let second = number(17, 2)
        else { return nil }
        var offset = 0
        if n == 20 {
            guard u[19] == 0x5A else { return nil }
        } else {
            guard u[19] == 0x2B || u[19] == 0x2D, u[22] == 0x3A, let oh = number(20, 2), let om = number(23, 2), oh <= 18, om <= 59 else { return nil }
            offset = (oh * 3600 + om * 60) * (u[19] == 0x2B ? 1 : -1)
        }
        guard years.contains(year), (1...12).contains(month), day >= 1, day <= daysIn(month, of: year), hour <= 23, minute <= 59, second <= 59
        else { return nil }
        let seconds = daysSinceEpoch(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds))
    }

    /// `2000-08-27T00:00:00Z` for a whole second in the years above; nil otherwise.
    public static func string(_ date: Date) -> String? {
        let t = date.timeIntervalSince1970
        guard t.isFinite, t == t.rounded(), abs(t) < 1e12 else { return nil }
        let total = Int(t)
        let days = Int((Double(total) / 86_400).rounded(.down))
        let rest = total - days * 86_400
        let (year, month, day) = civil(days)
        guard years.contains(year) else { return nil }
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(year)-\(two(month))-\(two(day))T\(two(rest / 3600)):\(two(rest % 3600 / 60)):\(two(rest % 60))Z"
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysIn(_ month: Int, of year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to the date in the proleptic Gregorian calendar (H. Hinnant's `days_from_civil`).
    static func daysSinceEpoch(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (H. Hinnant's `civil_from_days`).
    static func civil(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
