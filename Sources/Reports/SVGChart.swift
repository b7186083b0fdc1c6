import Foundation

/// One named series of a chart.
public struct ChartSeries: Sendable {
    public var name: String
    public var values: [Double]
    /// A CSS colour (`#1f77b4`); `nil` picks the next of ``SVGChart/palette``.
    public var color: String?
    public var dashed: Bool
    /// A shaded band drawn under the line (a prediction interval): lower and upper values.
    public var band: (lower: [Double], upper: [Double])?
    /// What the legend calls the band (`95 % interval`): it reads "(95 % interval shaded)".
    public var bandLabel: String

    public init(
        _ name: String, _ values: [Double], color: String? = nil, dashed: Bool = false,
        band: (lower: [Double], upper: [Double])? = nil, bandLabel: String = "95 % interval"
    ) {
        self.name = name
        self.values = values
        self.color = color
        self.dashed = dashed
        self.band = band
        self.bandLabel = bandLabel
    }
}

/// Charts as standalone SVG text: no JavaScript, no fonts to fetch, no network. They embed in HTML as they are
/// and open on their own in any browser. Values that are not finite are left out (a gap in a line).
public enum SVGChart {
    /// The colours series take in order (colour-blind-safe Tableau 10).
    public static let palette = [
        "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1",
        "#ff9da7", "#9c755f", "#bab0ac"
    ]

    struct Frame {
        let width = 760.0, height = 300.0
        let left = 64.0, right = 16.0, top = 34.0, bottom = 74.0
        var plotWidth: Double { width - left - right }
        var plotHeight: Double { height - top - bottom }
        var lo: Double, hi: Double
        var logScale = false

        func y(_ v: Double) -> Double {
            let (a, b, x) = logScale ? (log10(lo), log10(hi), log10(max(v, lo))) : (lo, hi, v)
            return top + plotHeight * (1 - (x - a) / max(b - a, 1e-12))
        }
    }

    /// Lines over categories (`xLabels`, one per value), with optional bands.
    public static func line(
        title: String, xLabels: [String], series: [ChartSeries], yLabel: String,
        logScale: Bool = false, zeroBased: Bool = false
    ) -> String {
        var all = series.flatMap { s in s.values + (s.band.map { $0.lower + $0.upper } ?? []) }.filter(\.isFinite)
        if logScale { all = all.filter { $0 > 0 } }
        if zeroBased { all.append(0) }
        var f = frame(all, logScale: logScale)
        f.logScale = logScale
        let n = max(xLabels.count, series.map(\.values.count).max() ?? 0)
        func x(_ i: Int) -> Double { f.left + (n <= 1 ? f.plotWidth / 2 : f.plotWidth * Double(i) / Double(n - 1)) }
        var body = axes(f, title: title, yLabel: yLabel, xLabels: xLabels, xAt: x)
        for (k, s) in series.enumerated() {
            let color = s.color ?? palette[k % palette.count]
            if let band = s.band {
                let idx = (0..<min(band.lower.count, band.upper.count, n)).filter { band.lower[$0].isFinite && band.upper[$0].isFinite }
                if !idx.isEmpty {
                    let upper = idx.map { "\(fmt(x($0))),\(fmt(f.y(band.upper[$0])))" }
                    let lower = idx.reversed().map { "\(fmt(x($0))),\(fmt(f.y(band.lower[$0])))" }
                    body += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(color)\" fill-opacity=\"0.18\" stroke=\"none\"/>\n"
                }
            }
            for segment in segments(s.values) {
                let pts = segment.map { "\(fmt(x($0))),\(fmt(f.y(s.values[$0])))" }.joined(separator: " ")
                if segment.count == 1 {
                    body += "<circle cx=\"\(fmt(x(segment[0])))\" cy=\"\(fmt(f.y(s.values[segment[0]])))\" r=\"3\" fill=\"\(color)\"/>\n"
                } else {
                    body +=
                        "<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\"\(s.dashed ? " stroke-dasharray=\"5 3\"" : "")/>\n"
                }
                if n <= 12 { for i in segment { body += "<circle cx=\"\(fmt(x(i)))\" cy=\"\(fmt(f.y(s.values[i])))\" r=\"2.5\" fill=\"\(color)\"/>\n" } }
            }
        }
        body += legend(f, series.enumerated().map { ($1.name, $1.color ?? palette[$0 % palette.count], $1.band != nil ? $1.bandLabel : nil) })
        return wrap(f, title: title, body)
    }

    /// Step curves over a numeric x axis (supply and demand: each step is `(width, price)`, drawn left to right from
    /// x = 0 as a staircase; x is the cumulative width).
    public static func stepCurves(
        title: String, curves: [(name: String, steps: [(width: Double, y: Double)], color: String)],
        xLabel: String, yLabel: String
    ) -> String {
        let ys = curves.flatMap { $0.steps.map(\.y) }.filter(\.isFinite)
        let f = frame(ys + [0], logScale: false)
        let xMax = max(1e-9, curves.map { $0.steps.reduce(0) { $0 + $1.width } }.max() ?? 1)
        let xStep = niceStep(xMax / 6)
        let xTop = (xMax / xStep).rounded(.up) * xStep
        func x(_ v: Double) -> Double { f.left + f.plotWidth * v / xTop }
        let tickCount = Int((xTop / xStep).rounded())
        let labels = (0...tickCount).map { tickLabel(Double($0) * xStep) }
        var body = axes(f, title: title, yLabel: yLabel, xLabels: labels, xAt: { x(Double($0) * xStep) })
        body +=
            "<text x=\"\(fmt(f.left + f.plotWidth / 2))\" y=\"\(fmt(f.top + f.plotHeight + 32))\" font-size=\"11\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        for c in curves where !c.steps.isEmpty {
            var at = 0.0
            var points: [String] = []
            for step in c.steps {
                points.append("\(fmt(x(at))),\(fmt(f.y(step.y)))")
                at += step.width
                points.append("\(fmt(x(at))),\(fmt(f.y(step.y)))")
            }
            body += "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(c.color)\" stroke-width=\"2\"/>\n"
        }
        body += legend(f, curves.map { ($0.name, $0.color, nil) })
        return wrap(f, title: title, body)
    }

    /// Stacked bars per category: `up` series stack above zero, `down` series below (flows out drawn negative).
    public static func stackedBars(
        title: String, xLabels: [String], up: [ChartSeries], down: [ChartSeries] = [],
        yLabel: String
    ) -> String {
        let n = xLabels.count
        func total(_ s: [ChartSeries], _ i: Int) -> Double { s.reduce(0) { $0 + max(0, i < $1.values.count && $1.values[i].isFinite ? $1.values[i] : 0) } }
        let hi = (0..<n).map { total(up, $0) }.max() ?? 1
        let lo = -((0..<n).map { total(down, $0) }.max() ?? 0)
        let f = frame([hi, lo, 0], logScale: false)
        let slot = f.plotWidth / Double(max(n, 1))
        func x(_ i: Int) -> Double { f.left + slot * (Double(i) + 0.5) }
        var body = axes(f, title: title, yLabel: yLabel, xLabels: xLabels, xAt: x)
        let w = max(1, slot * 0.8)
        for (group, sign) in [(up, 1.0), (down, -1.0)] {
            var base = [Double](repeating: 0, count: n)
            for (k, s) in group.enumerated() {
                let color = s.color ?? palette[(k + (sign < 0 ? up.count : 0)) % palette.count]
                for i in 0..<n {
                    let v = i < s.values.count && s.values[i].isFinite ? max(0, s.values[i]) : 0
                    guard v > 0 else { continue }
                    let y0 = f.y(sign * base[i]), y1 = f.y(sign * (base[i] + v))
                    body +=
                        "<rect x=\"\(fmt(x(i) - w / 2))\" y=\"\(fmt(min(y0, y1)))\" width=\"\(fmt(w))\" height=\"\(fmt(abs(y1 - y0)))\" fill=\"\(color)\"><title>\(escape(s.name)) \(escape(xLabels[i])): \(String(format: "%.3f", v))</title></rect>\n"
                    base[i] += v
                }
            }
        }
        body += "<line x1=\"\(fmt(f.left))\" y1=\"\(fmt(f.y(0)))\" x2=\"\(fmt(f.left + f.plotWidth))\" y2=\"\(fmt(f.y(0)))\" stroke=\"#333\"/>\n"
        let entries =
            up.enumerated().map { ($1.name, $1.color ?? palette[$0 % palette.count], String?.none) }
            + down.enumerated().map { ($1.name, $1.color ?? palette[($0 + up.count) % palette.count], String?.none) }
        body += legend(f, entries)
        return wrap(f, title: title, body)
    }

    /// Grouped bars: one group per category, one bar per series.
    public static func groupedBars(title: String, categories: [String], series: [ChartSeries], yLabel: String) -> String {
        let values = series.flatMap(\.values).filter(\.isFinite)
        let f = frame(values + [0], logScale: false)
        let n = categories.count
        let slot = f.plotWidth / Double(max(n, 1))
        func x(_ i: Int) -> Double { f.left + slot * (Double(i) + 0.5) }
        var body = axes(f, title: title, yLabel: yLabel, xLabels: categories, xAt: x)
        let w = slot * 0.8 / Double(max(series.count, 1))
        for (k, s) in series.enumerated() {
            let color = s.color ?? palette[k % palette.count]
            for i in 0..<min(n, s.values.count) where s.values[i].isFinite {
                let x0 = x(i) - slot * 0.4 + w * Double(k)
                let y0 = f.y(0), y1 = f.y(s.values[i])
                body +=
                    "<rect x=\"\(fmt(x0))\" y=\"\(fmt(min(y0, y1)))\" width=\"\(fmt(w * 0.92))\" height=\"\(fmt(abs(y1 - y0)))\" fill=\"\(color)\"><title>\(escape(s.name)) \(escape(categories[i])): \(String(format: "%.4g", s.values[i]))</title></rect>\n"
            }
        }
        body += "<line x1=\"\(fmt(f.left))\" y1=\"\(fmt(f.y(0)))\" x2=\"\(fmt(f.left + f.plotWidth))\" y2=\"\(fmt(f.y(0)))\" stroke=\"#333\"/>\n"
        body += legend(f, series.enumerated().map { ($1.name, $1.color ?? palette[$0 % palette.count], String?.none) })
        return wrap(f, title: title, body)
    }

    // MARK: - Parts

    static func frame(_ values: [Double], logScale: Bool) -> Frame {
        let finite = values.filter(\.isFinite)
        var lo = finite.min() ?? 0, hi = finite.max() ?? 1
        if logScale {
            lo = pow(10, floor(log10(max(lo, 1e-6))))
            hi = pow(10, ceil(log10(max(hi, lo * 10))))
            return Frame(lo: lo, hi: hi)
        }
        if hi - lo < 1e-12 { hi = lo + max(1, abs(lo) * 0.1) }
        let step = niceStep((hi - lo) / 5)
        return Frame(lo: floor(lo / step) * step, hi: ceil(hi / step) * step)
    }

    /// 1, 2 or 5 times a power of ten, close to `raw`.
    static func niceStep(_ raw: Double) -> Double {
        let p = pow(10, floor(log10(max(raw, 1e-12))))
        let m = raw / p
        return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p
    }

    static func ticks(_ f: Frame) -> [Double] {
        if f.logScale {
            var t: [Double] = []
            var v = f.lo
            while v <= f.hi * 1.0001 { t.append(v); v *= 10 }
            return t
        }
        let step = niceStep((f.hi - f.lo) / 5)
        return stride(from: f.lo, through: f.hi + step * 1e-9, by: step).map { abs($0) < step * 1e-9 ? 0 : $0 }
    }

    static func axes(_ f: Frame, title: String, yLabel: String, xLabels: [String], xAt: (Int) -> Double) -> String {
        var s = "<text x=\"\(fmt(f.left))\" y=\"20\" font-size=\"14\" font-weight=\"bold\">\(escape(title))</text>\n"
        for t in ticks(f) {
            let y = f.y(t)
            s += "<line x1=\"\(fmt(f.left))\" y1=\"\(fmt(y))\" x2=\"\(fmt(f.left + f.plotWidth))\" y2=\"\(fmt(y))\" stroke=\"#e5e5e5\"/>\n"
            s += "<text x=\"\(fmt(f.left - 6))\" y=\"\(fmt(y + 4))\" font-size=\"11\" text-anchor=\"end\">\(tickLabel(t))</text>\n"
        }
        s += "<rect x=\"\(fmt(f.left))\" y=\"\(fmt(f.top))\" width=\"\(fmt(f.plotWidth))\" height=\"\(fmt(f.plotHeight))\" fill=\"none\" stroke=\"#999\"/>\n"
        let widest = Double(xLabels.map(\.count).max() ?? 1) * 6.4 + 10
        let fit = max(1, Int(f.plotWidth / widest))
        let every = max(1, Int((Double(xLabels.count) / Double(fit)).rounded(.up)))
        for (i, label) in xLabels.enumerated() where i % every == 0 {
            s += "<text x=\"\(fmt(xAt(i)))\" y=\"\(fmt(f.top + f.plotHeight + 16))\" font-size=\"11\" text-anchor=\"middle\">\(escape(label))</text>\n"
        }
        s += "<text transform=\"translate(14,\(fmt(f.top + f.plotHeight / 2))) rotate(-90)\" font-size=\"12\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
        return s
    }

    /// One legend entry per series: its name, colour and, for a series with a band, what the band is.
    static func legend(_ f: Frame, _ entries: [(String, String, String?)]) -> String {
        var s = "", x = f.left
        var y = f.height - 30
        for (name, color, band) in entries {
            let text = name + (band.map { " (\($0) shaded)" } ?? "")
            // Widths are estimates (fonts vary); the band's note is taken as 21 characters wide, as it always was.
            let w = 26 + Double(name.count + (band == nil ? 0 : 21)) * 6.3
            if x + w > f.width - f.right && x > f.left { x = f.left; y += 16 }
            s += "<rect x=\"\(fmt(x))\" y=\"\(fmt(y - 9))\" width=\"12\" height=\"10\" fill=\"\(color)\"\(band != nil ? " fill-opacity=\"0.6\"" : "")/>"
            s += "<text x=\"\(fmt(x + 16))\" y=\"\(fmt(y))\" font-size=\"11\">\(escape(text))</text>\n"
            x += w
        }
        return s
    }

    static func wrap(_ f: Frame, title: String, _ body: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(f.width)) \(Int(f.height))\" width=\"\(Int(f.width))\" height=\"\(Int(f.height))\" font-family=\"Helvetica, Arial, sans-serif\" role=\"img\" aria-label=\"\(escape(title))\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + body + "</svg>\n"
    }

    /// Index runs of finite values.
    static func segments(_ v: [Double]) -> [[Int]] {
        var out: [[Int]] = [], cur: [Int] = []
        for i in v.indices {
            if v[i].isFinite { cur.append(i) } else if !cur.isEmpty { out.append(cur); cur = [] }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    static func tickLabel(_ v: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 1e4 || abs(v) < 1e-3 { return String(format: "%.0e", v) }
        return String(format: "%g", (v * 1e6).rounded() / 1e6)
    }

    static func fmt(_ v: Double) -> String { String(format: "%.1f", v) }

    /// Escapes text for XML/HTML.
    public static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
