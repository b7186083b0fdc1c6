import Anomalies
import ArgumentParser
import CommandLineExit
import DataIO
import Forecast
import Foundation
import Reports

/// `peergrid anomalies`: flags meter readings that tampering or faults explain better than the series' own pattern.
struct AnomaliesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anomalies",
        abstract: "Flag anomalous meter readings (reversed flow, sudden zeros, flat lines, spikes, shifted days, readings outside the band).",
        discussion:
            "Each flag has a kind, a score and a reason. With --inject-rate, anomalies of every kind are first put into the series (seeded) and the flags are scored against them (precision and recall per kind)."
    )

    @OptionGroup var series: SeriesOptions

    @Option(help: "Write the flags as CSV (timestamp,end,kind,readings,score,reason) to this file.")
    var csv: String?

    @Option(help: "Write the flags (and, with --inject-rate, the scores) as JSON to this file.")
    var json: String?

    @Option(name: .customLong("inject-rate"), help: "Evaluate: inject anomalies of each kind covering this share of the readings (0 to 0.05) first.")
    var injectRate: Double?

    @Option(name: .customLong("seed"), help: "With --inject-rate: seed of the injected anomalies (default: 1).")
    var seedGiven: UInt64?

    var seed: UInt64 { seedGiven ?? 1 }

    @Option(help: "Print at most this many flags (the files hold all).")
    var limit = 40

    func validate() throws {
        if let injectRate, !(injectRate > 0 && injectRate <= 0.05) { throw ValidationError("--inject-rate must be in (0, 0.05], not \(injectRate)") }
        guard limit >= 0 else { throw ValidationError("--limit must be >= 0") }
        if seedGiven != nil, injectRate == nil { throw ValidationError("--seed applies with --inject-rate only") }
        if series.exog != nil { throw ValidationError("--exog: anomalies reads no regressors (the detector compares the series with its own pattern)") }
    }

    func run() throws {
        let file = series.data ?? ""
        var s = try series.load()
        var injected: [InjectedAnomaly]?
        if let injectRate {
            let result = try inContext(file) { try AnomalyInjector(rate: injectRate, seed: seed).inject(into: s) }
            s = result.series
            injected = result.anomalies
        }
        let flags = try inContext(file) { try AnomalyDetector().detect(s) }
        let stamp = { (k: Int) in UTCTime.string(s.timestamp(k)) }
        let counts = AnomalyKind.allCases.map { k in (k, flags.filter { $0.kind == k }.count) }.filter { $0.1 > 0 }
        print(
            "\(s.name): \(counted(s.count, "reading")), \(flags.count) flag(s)\(counts.isEmpty ? "" : ": " + counts.map { "\($0.1) \($0.0.rawValue)" }.joined(separator: ", "))"
        )
        for f in flags.prefix(limit) {
            print(
                "  \(stamp(f.start))  \(f.kind.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0))"
                    + String(format: " %4d  score %8.2f  ", f.length, f.score) + f.reason)
        }
        if flags.count > limit { print("  ... \(flags.count - limit) more (--csv or --json for all)") }
        var scores: [AnomalyScore] = []
        if let injected {
            let kinds = AnomalyInjector(rate: injectRate ?? 0.01).kinds
            scores = AnomalyScore.evaluate(flags: flags, injected: injected, kinds: kinds)
            print("injected \(injected.count) anomalies (rate \(injectRate ?? 0), seed \(seed)):")
            print("  kind              injected  flagged  precision  recall")
            for r in scores {
                print(
                    "  " + r.kind.rawValue.padding(toLength: 17, withPad: " ", startingAt: 0)
                        + String(format: " %8d %8d %10.3f %7.3f", r.injected, r.flagged, r.precision, r.recall))
            }
        }
        // Both files are written together: a file that cannot be written leaves neither.
        var outputs: [(path: String, text: String, message: String)] = []
        if let csv {
            var text = "timestamp,end,kind,readings,score,reason\n"
            for f in flags {
                text +=
                    "\(stamp(f.start)),\(stamp(f.start + f.length)),\(f.kind.rawValue),\(f.length),\(String(format: "%.4f", f.score)),\(CSVText.field(f.reason))\n"
            }
            outputs.append((csv, text, "wrote \(flags.count) flag(s) to \(csv)"))
        }
        if let json {
            let document = Self.document(series: s, flags: flags, injected: injected, scores: scores, stamp: stamp)
            outputs.append((json, document.serialized() + "\n", "wrote \(json)"))
        }
        do { try OutputFiles.write(files: outputs.map { ($0.path, $0.text) }) } catch let error as OutputFileError {
            throw CLIFailure("cannot write \(error.path): \(error.message)")
        } catch {
            throw CLIFailure("cannot write the outputs: \(error.localizedDescription)")
        }
        for o in outputs { print(o.message) }
    }

    /// The `--json` document: the flags, and with `--inject-rate` the injected anomalies and the scores per kind.
    static func document(
        series s: TimeSeries, flags: [AnomalyFlag], injected: [InjectedAnomaly]?, scores: [AnomalyScore], stamp: (Int) -> String
    ) -> JSON {
        var fields: [(String, JSON)] = [
            ("series", .string(s.name)), ("readings", .integer(s.count)),
            (
                "flags",
                .array(
                    flags.map { f in
                        .object([
                            ("timestamp", .string(stamp(f.start))), ("end", .string(stamp(f.start + f.length))), ("kind", .string(f.kind.rawValue)),
                            ("readings", .integer(f.length)), ("score", .number(f.score)), ("reason", .string(f.reason))
                        ])
                    })
            )
        ]
        if let injected {
            fields.append(
                (
                    "injected",
                    .array(
                        injected.map { a in
                            .object([("timestamp", .string(stamp(a.start))), ("kind", .string(a.kind.rawValue)), ("readings", .integer(a.length))])
                        })
                ))
            fields.append(
                (
                    "evaluation",
                    .array(
                        scores.map { r in
                            .object([
                                ("kind", .string(r.kind.rawValue)), ("injected", .integer(r.injected)), ("flagged", .integer(r.flagged)),
                                ("precision", .number(r.precision)), ("recall", .number(r.recall))
                            ])
                        })
                ))
        }
        return .object(fields)
    }
}
