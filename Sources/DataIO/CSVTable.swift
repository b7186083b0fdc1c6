import Foundation

/// A CSV file read by RFC 4180's rules: fields separated by commas, records by CRLF or LF (a lone CR too),
/// fields optionally in double quotes (a quote inside a quoted field is doubled; quoted fields may hold commas
/// and line breaks), a UTF-8 byte-order mark ignored. Every record keeps the line it starts on, so messages can
/// name `file:line`.
///
/// Spreadsheet exports in locales with a decimal comma are read too: when the header line holds no comma outside
/// quotes but a semicolon (or a tab), that is the separator of the whole file, and in a semicolon-separated file a
/// field that is a number with a decimal comma (`-0,25`, `1,5e3`) reads as the same number with a point. A field
/// with thousands separators (`1.234,5`) is left as it is, so the reader that expects a number names it.
///
/// This is PeerGrid's one CSV rule: readers of new file formats (bids, ledgers, fees) build on it. A hand
/// parser rather than yaslab/CSV.swift or SwiftCSV because both keep no line numbers per record, which every
/// message needs; it is one pass over the UTF-8 bytes.
public struct CSVTable: Sendable {
    /// One record: its fields and the 1-based line of the file it starts on.
    public struct Record: Sendable {
        public var fields: [String]
        public var line: Int
    }

    /// The header's field names, trimmed of surrounding spaces.
    public var header: [String]
    /// The data records (empty lines skipped).
    public var records: [Record]
    /// The file name used in messages.
    public var file: String

    /// `s` without leading and trailing `CharacterSet.whitespaces`; a cell that starts and ends with a visible ASCII
    /// character (nearly every cell) is returned as it is, without Foundation's scan.
    @inline(__always) public static func trimmed(_ s: String) -> String {
        if let f = s.utf8.first, let l = s.utf8.last, f > 0x20, f < 0x7F, l > 0x20, l < 0x7F { return s }
        return s.trimmingCharacters(in: .whitespaces)
    }

    /// Parses `text`. The first non-empty record is the header. Throws ``CSVError`` on an unterminated quote,
    /// text after a closing quote, or a record whose field count differs from the header's.
    public init(text: String, file: String) throws {
        self.file = file
        let bytes = Array(text.utf8)
        let separator = CSVTable.separator(bytes)
        var all = try CSVTable.records(bytes, file: file, separator: separator)
        if separator == UInt8(ascii: ";") {
            for r in all.indices { all[r].fields = all[r].fields.map(CSVTable.pointDecimal) }
        }
        all.removeAll { $0.fields.count == 1 && CSVTable.trimmed($0.fields[0]).isEmpty }
        guard let first = all.first else { throw CSVError(file: file, line: 0, message: "the file is empty (a header is expected)") }
        header = first.fields.map(CSVTable.trimmed)
        records = Array(all.dropFirst())
        for r in records where r.fields.count != header.count {
            throw CSVError(
                file: file, line: r.line,
                message: "\(r.fields.count) fields where the header has \(header.count)")
        }
    }

    /// Reads and parses a file; a file that cannot be read or is not UTF-8 throws ``CSVError``.
    public init(contentsOf path: String, maxBytes: Int = 1 << 30) throws {
        let text: String
        do { text = try InputFiles.text(path, maxBytes: maxBytes) } catch { throw CSVError(file: path, line: 0, message: error.description) }
        try self.init(text: text, file: path)
    }

    /// The index of a header column, or `nil`.
    public func column(_ name: String) -> Int? { header.firstIndex(of: name) }

    /// The field separator: a comma, unless the first non-empty line holds no comma outside quotes and does hold a
    /// semicolon (then `;`) or a tab (then a tab).
    static func separator(_ bytes: [UInt8]) -> UInt8 {
        var quoted = false, seen = false
        var semicolon = false, tab = false
        for b in bytes {
            if b == UInt8(ascii: "\"") { quoted.toggle() }
            if quoted { continue }
            switch b {
            case UInt8(ascii: ","): return UInt8(ascii: ",")
            case UInt8(ascii: ";"): semicolon = true
            case UInt8(ascii: "\t"): tab = true
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"): if seen { return semicolon ? UInt8(ascii: ";") : tab ? UInt8(ascii: "\t") : UInt8(ascii: ",") }
            default: if b != 0xEF, b != 0xBB, b != 0xBF, b != UInt8(ascii: " ") { seen = true }
            }
        }
        return semicolon ? UInt8(ascii: ";") : tab ? UInt8(ascii: "\t") : UInt8(ascii: ",")
    }

    /// `field` with a decimal comma replaced by a point when the whole field is such a number (an optional sign,
    /// digits, one comma, digits, an optional exponent); any other field unchanged.
    static func pointDecimal(_ field: String) -> String {
        let u = Array(field.utf8)
        guard let comma = u.firstIndex(of: UInt8(ascii: ",")) else { return field }
        func digits(_ s: ArraySlice<UInt8>) -> Bool { !s.isEmpty && s.allSatisfy { $0 >= 48 && $0 <= 57 } }
        var start = u.startIndex
        if start < u.endIndex, u[start] == UInt8(ascii: "-") || u[start] == UInt8(ascii: "+") { start += 1 }
        let rest = u[(comma + 1)...]
        let exponent = rest.firstIndex { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        let fraction = exponent.map { rest[..<$0] } ?? rest
        guard digits(u[start..<comma]), digits(fraction) else { return field }
        if let exponent {
            var e = exponent + 1
            if e < u.endIndex, u[e] == UInt8(ascii: "-") || u[e] == UInt8(ascii: "+") { e += 1 }
            guard digits(u[e...]) else { return field }
        }
        var out = u
        out[comma] = UInt8(ascii: ".")
        return String(decoding: out, as: UTF8.self)
    }

    static func records(_ bytes: [UInt8], file: String, separator: UInt8 = UInt8(ascii: ",")) throws -> [Record] {
        var i = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        var out: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1, recordLine = 1
        var quoted = false, afterQuote = false
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            afterQuote = false
        }
        func endRecord() {
            endField()
            out.append(Record(fields: fields, line: recordLine))
            fields.removeAll(keepingCapacity: true)
        }
        while i < bytes.count {
            let b = bytes[i]
            if quoted {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") { field.append(b); i += 2; continue }
                    quoted = false; afterQuote = true
                } else {
                    if b == UInt8(ascii: "\n") { line += 1 }
                    field.append(b)
                }
                i += 1
                continue
            }
            switch b {
            case separator: endField()
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                if b == UInt8(ascii: "\r"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\n") { i += 1 }
                endRecord()
                line += 1
                recordLine = line
            case UInt8(ascii: "\""):
                guard field.allSatisfy({ $0 == UInt8(ascii: " ") }), !afterQuote else {
                    throw CSVError(file: file, line: line, message: "a quote inside an unquoted field (quote the whole field and double the quote)")
                }
                field.removeAll()
                quoted = true
            default:
                if afterQuote, b != UInt8(ascii: " ") {
                    throw CSVError(file: file, line: line, message: "text after a closing quote")
                }
                if !afterQuote { field.append(b) }
            }
            i += 1
        }
        if quoted { throw CSVError(file: file, line: recordLine, message: "a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty || afterQuote { endRecord() }
        return out
    }
}

/// A CSV file that breaks RFC 4180 or the reader's rules. Bad input.
public struct CSVError: PeerGridError, CustomStringConvertible {
    public var file: String
    /// 1-based line; 0 when the whole file is at fault.
    public var line: Int
    public var message: String
    public var kind: FailureKind { .badInput }
    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }
}
