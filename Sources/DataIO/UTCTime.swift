import Foundation

/// ISO 8601 times as every PeerGrid file writes them (UTC, whole seconds, `Z`) and reads them (`Z` or an offset,
/// with or without fractional seconds). Local wall-clock times with a time zone and daylight-saving rules are the
/// history reader's (`Forecast.TimeSeriesCSV`).
public enum UTCTime {
    /// `2000-08-27T00:00:00Z`.
    public static func string(_ date: Date) -> String {
        if let fast = InternetTime.string(date) { return fast }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }

    /// `2000-08-27T00:00:00Z`, `2000-08-27T01:00:00+01:00` or `2000-08-27T00:00:00.250Z`; nil otherwise.
    public static func parse(_ text: String) -> Date? {
        if let fast = InternetTime.parse(text) { return fast }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text)
    }
}
