import Foundation

/// A JSON value whose objects keep their keys in insertion order, so that written files read the same way the
/// specs list their fields, and the same input always gives byte-identical output.
public indirect enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    public static func == (l: JSON, r: JSON) -> Bool { l.serialized() == r.serialized() }

    /// A number, or `null` for `nil` and non-finite values (JSON has no NaN).
    public static func number(_ x: Double?) -> JSON {
        guard let x, x.isFinite else { return .null }
        return .number(x)
    }

    /// Integers are written without a decimal point.
    public static func integer(_ n: Int) -> JSON { .number(Double(n)) }

    /// Compact (`pretty == false`) or indented text.
    public func serialized(pretty: Bool = true, indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .null: return "null"
        case let .bool(b): return b ? "true" : "false"
        case let .number(x):
            // JSON has no NaN or infinity: they are written as null (an all-zero series has no MAPE).
            guard x.isFinite else { return "null" }
            if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
            return "\(x)"
        case let .string(s): return JSON.quote(s)
        case let .array(items):
            if items.isEmpty { return "[]" }
            if !pretty
                || items.allSatisfy({
                    if case .number = $0 { return true }; if case .string = $0 { return true }; return false
                })
            {
                return "[" + items.map { $0.serialized(pretty: false) }.joined(separator: pretty ? ", " : ",") + "]"
            }
            return "[\n" + items.map { inner + $0.serialized(pretty: true, indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case let .object(pairs):
            if pairs.isEmpty { return "{}" }
            if !pretty { return "{" + pairs.map { JSON.quote($0.0) + ":" + $0.1.serialized(pretty: false) }.joined(separator: ",") + "}" }
            return "{\n"
                + pairs.map { inner + JSON.quote($0.0) + ": " + $0.1.serialized(pretty: true, indent: inner) }
                .joined(separator: ",\n") + "\n\(indent)}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
