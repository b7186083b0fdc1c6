/// Writing CSV fields by RFC 4180's rules.
public enum CSVText {
    /// The field as written: quoted (with inner quotes doubled) when it holds a comma, a quote or a line break.
    public static func field(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
