import Foundation

/// A report written once and rendered twice: as one self-contained HTML file (charts inline as SVG, CSS inline,
/// no JavaScript, nothing fetched) and as Markdown whose charts are SVG files next to it.
public struct ReportDocument: Sendable {
    /// One element of a report, in reading order.
    public enum Block: Sendable {
        case heading(String)
        case subheading(String)
        case paragraph(String)
        case bullets([String])
        /// A table; numbers should be formatted by the caller. `note` is a caption under it.
        case table(header: [String], rows: [[String]], note: String?)
        /// A table whose rows' first cells link to other files (`links[i]`, a relative path or URL; nil: plain text),
        /// such as a batch's rows to each community's report.
        case linkedTable(header: [String], rows: [[String]], links: [String?], note: String?)
        /// A chart: `name` is its file name without extension in the Markdown rendering.
        case chart(name: String, svg: String)
        /// Preformatted text (a command line and its output).
        case code(String)
    }

    public var title: String
    public var blocks: [Block] = []

    public init(title: String) { self.title = title }

    /// Appends a block at the end of the report.
    public mutating func add(_ block: Block) { blocks.append(block) }

    /// The charts, as `(file name, svg)`.
    public var charts: [(name: String, svg: String)] {
        blocks.compactMap {
            if case let .chart(name, svg) = $0 { return (name + ".svg", svg) }; return nil
        }
    }

    /// One HTML file that opens in any browser without a network.
    public func html() -> String {
        let e = SVGChart.escape
        var s = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(e(title))</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>
            body{font-family:Helvetica,Arial,sans-serif;max-width:1000px;margin:24px auto;padding:0 16px;color:#222;line-height:1.45}
            h1{font-size:24px;border-bottom:2px solid #4e79a7;padding-bottom:6px}h2{font-size:19px;margin-top:32px;border-bottom:1px solid #ddd}
            h3{font-size:15px;margin-top:20px}table{border-collapse:collapse;margin:8px 0;font-size:13px}
            th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f5f8}td:first-child,th:first-child{text-align:left}
            .note{font-size:12px;color:#555;margin-top:2px}svg{max-width:100%;height:auto;display:block;margin:8px 0}
            pre{background:#f6f6f6;padding:8px;font-size:12px;overflow-x:auto}
            </style></head><body>
            <h1>\(e(title))</h1>

            """
        for b in blocks {
            switch b {
            case let .heading(t): s += "<h2>\(e(t))</h2>\n"
            case let .subheading(t): s += "<h3>\(e(t))</h3>\n"
            case let .paragraph(t): s += "<p>\(e(t))</p>\n"
            case let .bullets(items): s += "<ul>\n" + items.map { "<li>\(e($0))</li>\n" }.joined() + "</ul>\n"
            case let .table(header, rows, note):
                s += "<table>\n<tr>" + header.map { "<th>\(e($0))</th>" }.joined() + "</tr>\n"
                for r in rows { s += "<tr>" + r.map { "<td>\(e($0))</td>" }.joined() + "</tr>\n" }
                s += "</table>\n"
                if let note { s += "<p class=\"note\">\(e(note))</p>\n" }
            case let .linkedTable(header, rows, links, note):
                s += "<table>\n<tr>" + header.map { "<th>\(e($0))</th>" }.joined() + "</tr>\n"
                for (i, r) in rows.enumerated() {
                    let cells = r.enumerated().map { j, c in
                        guard j == 0, i < links.count, let link = links[i] else { return "<td>\(e(c))</td>" }
                        return "<td><a href=\"\(e(link))\">\(e(c))</a></td>"
                    }
                    s += "<tr>" + cells.joined() + "</tr>\n"
                }
                s += "</table>\n"
                if let note { s += "<p class=\"note\">\(e(note))</p>\n" }
            case let .chart(_, svg): s += svg
            case let .code(t): s += "<pre>\(e(t))</pre>\n"
            }
        }
        return s + "</body></html>\n"
    }

    /// Markdown; each chart is an image link to `chartDirectory/<name>.svg`.
    public func markdown(chartDirectory: String = "charts") -> String {
        var s = "# \(title)\n\n"
        for b in blocks {
            switch b {
            case let .heading(t): s += "## \(t)\n\n"
            case let .subheading(t): s += "### \(t)\n\n"
            case let .paragraph(t): s += t + "\n\n"
            case let .bullets(items): s += items.map { "- \($0)\n" }.joined() + "\n"
            case let .table(header, rows, note):
                s += Self.markdownTable(header, rows, note)
            case let .linkedTable(header, rows, links, note):
                let linked = rows.enumerated().map { i, r -> [String] in
                    guard let first = r.first, i < links.count, let link = links[i] else { return r }
                    return ["[\(first)](\(link.replacingOccurrences(of: " ", with: "%20")))"] + r.dropFirst()
                }
                s += Self.markdownTable(header, linked, note)
            case let .chart(name, _): s += "![\(name)](\(chartDirectory)/\(name).svg)\n\n"
            case let .code(t): s += "```\n\(t)\n```\n\n"
            }
        }
        return s
    }

    /// A Markdown table (cells' `|` escaped) with its note in italics under it.
    static func markdownTable(_ header: [String], _ rows: [[String]], _ note: String?) -> String {
        func row(_ cells: [String]) -> String { "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n" }
        return row(header) + "|" + header.map { _ in "---|" }.joined() + "\n" + rows.map(row).joined() + (note.map { "\n*\($0)*\n" } ?? "") + "\n"
    }

    /// Every file of the report: `report.html`, `report.md` and `charts/*.svg`, for ``OutputFiles``.
    public func files(stem: String = "report") -> [(name: String, text: String)] {
        [(stem + ".html", html()), (stem + ".md", markdown())] + charts.map { ("charts/" + $0.name, $0.svg) }
    }
}
