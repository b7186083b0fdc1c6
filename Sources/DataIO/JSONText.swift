import Foundation

/// Helpers for messages about JSON input.
public enum JSONText {
    /// "line L, column C" of a JSONSerialization error when it gives a byte offset, or its own description.
    public static func position(of error: Error, in data: Data) -> String {
        let info = (error as NSError).userInfo
        let text = (info[NSDebugDescriptionErrorKey] as? String) ?? "\(error.localizedDescription)"
        var offset = info["NSJSONSerializationErrorIndex"] as? Int
        if offset == nil, let r = text.range(of: #"character \d+"#, options: .regularExpression) {
            offset = Int(text[r].dropFirst("character ".count))
        }
        // Foundation gives no position for a truncated text: the end of the file is where it stopped.
        if offset == nil, text.lowercased().contains("end of file") { offset = data.count }
        guard let offset, offset >= 0, offset <= data.count else { return text }
        var line = 1, column = 1
        for byte in data.prefix(offset) {
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
        }
        return "line \(line), column \(column): \(text)"
    }
}
