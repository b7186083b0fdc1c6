import DataIO
import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif
import Reports
import TestFixtures
import Testing

/// Counts elements by name; fails on XML that does not parse.
final class ElementCounter: NSObject, XMLParserDelegate {
    var counts: [String: Int] = [:]
    var attributes: [[String: String]] = []
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes a: [String: String] = [:]) {
        counts[name, default: 0] += 1
        attributes.append(a)
    }

    static func parse(_ svg: String) -> ElementCounter? {
        let c = ElementCounter()
        let p = XMLParser(data: Data(svg.utf8))
        p.delegate = c
        return p.parse() ? c : nil
    }
}

@Suite struct SVGChartTests {
    @Test func aLineChartIsWellFormedSVGWithGapsForMissingValues() throws {
        let svg = SVGChart.line(
            title: "load <kW> & more", xLabels: (0..<6).map { "t\($0)" },
            series: [
                ChartSeries("a", [1, 2, .nan, 4, 5, 6], band: (lower: [0, 1, 2, 3, 4, 5], upper: [2, 3, 4, 5, 6, 7])),
                ChartSeries("b", [3, 3, 3, 3, 3, 3], dashed: true)
            ], yLabel: "kW")
        let c = try #require(ElementCounter.parse(svg), "not well-formed XML")
        #expect(c.counts["svg"] == 1)
        #expect(c.counts["polyline"] == 3)  // a splits in two at the NaN; b is one line
        #expect(c.counts["polygon"] == 1)
        #expect(!svg.contains("nan") && !svg.contains("inf"))
        #expect(svg.contains("load &lt;kW&gt; &amp; more"))
    }

    @Test func stackedBarsStackUpAndDown() throws {
        let svg = SVGChart.stackedBars(
            title: "flows", xLabels: ["0", "1"], up: [ChartSeries("pv", [1, 2]), ChartSeries("grid", [0, 1])],
            down: [ChartSeries("load", [1, 3])], yLabel: "kW")
        let c = try #require(ElementCounter.parse(svg))
        // Bars with a value > 0: pv 2, grid 1, load 2 (plus the background and the plot frame rectangles and legend keys).
        let bars = c.attributes.filter { $0["fill"] != nil && $0["height"] != nil && $0["width"] != "12" && $0["width"] != "100%" && $0["fill"] != "none" }
        #expect(bars.count == 5)
        // Heights are proportional to the values: the grid bar of period 1 is half the pv bar of period 1.
        let heights = bars.compactMap { Double($0["height"] ?? "") }
        #expect(abs(heights[1] - 2 * heights[2]) < 0.2)
    }

    @Test func niceTicksAndLogScale() throws {
        let svg = SVGChart.line(title: "t", xLabels: ["10", "50", "200"], series: [ChartSeries("cbc", [0.5, 20, 300])], yLabel: "s", logScale: true)
        #expect(ElementCounter.parse(svg) != nil)
        for tick in [">0.1<", ">1<", ">10<", ">100<", ">1000<"] { #expect(svg.contains(tick), "no tick \(tick)") }
    }

    @Test func aDocumentRendersToHTMLAndMarkdown() throws {
        var d = ReportDocument(title: "T & R")
        d.add(.heading("Section"))
        d.add(.table(header: ["a", "b|c"], rows: [["1", "2"]], note: "n"))
        d.add(.chart(name: "c1", svg: SVGChart.groupedBars(title: "g", categories: ["x"], series: [ChartSeries("s", [1])], yLabel: "y")))
        let html = d.html()
        #expect(html.contains("<h1>T &amp; R</h1>") && html.contains("<svg") && !html.contains("<script"))
        let md = d.markdown()
        #expect(md.contains("| a | b\\|c |") && md.contains("![c1](charts/c1.svg)"))
        #expect(d.files().map(\.name) == ["report.html", "report.md", "charts/c1.svg"])
    }

    @Test func aDirectoryIsReplacedWholeAndStaleStagingIsRemoved() throws {
        let root = TestScratch.root.appendingPathComponent("peergrid-out-\(UUID().uuidString)")
        let dir = root.appendingPathComponent("c/2000-01-01").path
        try OutputFiles.writeDirectory([("a.txt", "1"), ("sub/b.txt", "2")], to: dir)
        #expect(try String(contentsOfFile: dir + "/sub/b.txt", encoding: .utf8) == "2")
        // A killed run left staging behind (a PID that cannot be running).
        let stale = root.appendingPathComponent("c/.2000-01-01.partial-999999999-abcd")
        try FileManager.default.createDirectory(at: stale, withIntermediateDirectories: true)
        try OutputFiles.writeDirectory([("a.txt", "3")], to: dir)
        #expect(try String(contentsOfFile: dir + "/a.txt", encoding: .utf8) == "3")
        #expect(!FileManager.default.fileExists(atPath: dir + "/sub/b.txt"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("c").path) == ["2000-01-01"])
    }
}
