import Anomalies
import ArgumentParser
import DataIO
import Forecast
import Foundation
import Reports

/// `benchmark anomalies`: injects anomalies of every kind at a rate (1 % of the readings per kind by default)
/// into real series with several seeds, and scores the detector per kind and series. Writes
/// `Reports/benchmarks/anomalies.md` and `anomalies.json`.
struct AnomaliesBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anomalies", abstract: "Precision and recall of the meter-anomaly detector on real series with injected anomalies.")

    @Option(help: "Share of the readings each kind covers.")
    var rate = 0.01

    @Option(help: "Seeds per series (1...N).")
    var seeds = 10

    @Option(help: "Directory for the reports.")
    var out = "Reports/benchmarks"

    /// The series: national demand, a derived household's load and PV, and metered household load and PV.
    static let series: [(file: String, column: String, label: String)] = [
        ("Datasets/taylor_england_wales_halfhourly_2000.csv", "demand_mw", "Taylor national demand (half-hourly)"),
        ("Datasets/demo/history.csv", "h03_load_kw", "demo h03 load (derived, half-hourly)"),
        ("Datasets/demo/history.csv", "h03_pv_kw", "demo h03 PV (derived, half-hourly)"),
        ("Datasets/citylearn_fontana_2017q1_hourly.csv", "b01_load_kw", "CityLearn Fontana b01 load (metered, hourly)"),
        ("Datasets/citylearn_fontana_2017q1_hourly.csv", "b03_load_kw", "CityLearn Fontana b03 load (metered, hourly)"),
        ("Datasets/citylearn_fontana_2017q1_hourly.csv", "b02_pv_kw", "CityLearn Fontana b02 PV (metered, hourly)"),
        ("Datasets/citylearn_fontana_2017q1_hourly.csv", "b04_pv_kw", "CityLearn Fontana b04 PV (metered, hourly)")
    ]

    struct Row {
        var label: String
        var kind: AnomalyKind
        var injected = 0, flagged = 0, truePositives = 0, found = 0
        /// Flags on the series before injection that are raised again: unknown truth, left out of `newPrecision`.
        var preexisting = 0
        var precision: Double { flagged == 0 ? 1 : Double(truePositives) / Double(flagged) }
        var newPrecision: Double { flagged - preexisting <= 0 ? 1 : Double(truePositives) / Double(flagged - preexisting) }
        var recall: Double { injected == 0 ? 1 : Double(found) / Double(injected) }
    }

    func run() throws {
        guard seeds >= 1 else { throw ValidationError("--seeds must be >= 1") }
        let kinds = AnomalyInjector().kinds
        var rows: [Row] = []
        var cleanFlags: [(String, Int, [AnomalyKind: Int])] = []
        for s in Self.series {
            let clean = try TimeSeriesCSV.read(s.file, column: s.column)
            let before = try AnomalyDetector().detect(clean)
            cleanFlags.append((s.label, clean.count, Dictionary(grouping: before, by: \.kind).mapValues(\.count)))
            var perKind = Dictionary(uniqueKeysWithValues: kinds.map { ($0, Row(label: s.label, kind: $0)) })
            for seed in 1...UInt64(seeds) {
                let (dirty, injected) = try AnomalyInjector(rate: rate, seed: seed).inject(into: clean)
                let flags = try AnomalyDetector().detect(dirty)
                for score in AnomalyScore.evaluate(flags: flags, injected: injected, kinds: kinds) {
                    var r = perKind[score.kind]!
                    r.injected += score.injected
                    r.flagged += score.flagged
                    r.truePositives += score.truePositives
                    r.found += score.found
                    let falseFlags = flags.filter { f in f.kind == score.kind && !injected.contains { $0.kind == f.kind && $0.range.overlaps(f.range) } }
                    r.preexisting += falseFlags.filter { f in before.contains { $0.kind == f.kind && $0.range == f.range } }.count
                    perKind[score.kind] = r
                }
            }
            rows += kinds.map { perKind[$0]! }
            print("\(s.label): done")
        }
        var md = "# Meter anomaly detection on real series with injected anomalies\n\n"
        md += "`benchmark anomalies --rate \(rate) --seeds \(seeds)`: each kind covers \(rate * 100) % of the readings (at least one event), "
        md += "positions and magnitudes seeded (1...\(seeds)), all kinds injected together; a flag is right when it overlaps an injected anomaly of its kind. "
        md +=
            "*precision (new)* leaves out the wrong flags the detector also raises on the series before injection (anomalies the real series may have; their truth is unknown).\n\n"
        md += "| series | kind | injected | flagged | precision | precision (new) | recall |\n|---|---|---|---|---|---|---|\n"
        for r in rows {
            md +=
                "| \(r.label) | \(r.kind.rawValue) | \(r.injected) | \(r.flagged) | \(String(format: "%.3f", r.precision)) | \(String(format: "%.3f", r.newPrecision)) | \(String(format: "%.3f", r.recall)) |\n"
        }
        md += "\n## Flags on the series as they are (before injection)\n\n| series | readings | flags |\n|---|---|---|\n"
        for (label, count, flags) in cleanFlags {
            md +=
                "| \(label) | \(count) | \(flags.isEmpty ? "none" : flags.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.value) \($0.key.rawValue)" }.joined(separator: ", ")) |\n"
        }
        let json: JSON = .object([
            ("rate", .number(rate)), ("seeds", .integer(seeds)),
            (
                "rows",
                .array(
                    rows.map { r in
                        .object([
                            ("series", .string(r.label)), ("kind", .string(r.kind.rawValue)), ("injected", .integer(r.injected)),
                            ("flagged", .integer(r.flagged)), ("precision", .number(r.precision)), ("precision_new", .number(r.newPrecision)),
                            ("recall", .number(r.recall))
                        ])
                    })
            )
        ])
        try OutputFiles.writeAll([("anomalies.md", md), ("anomalies.json", json.serialized() + "\n")], into: out)
        print(md)
        print("wrote \(out)/anomalies.md and anomalies.json")
    }
}
