import DataIO
import Foundation
import ResultStore

/// `peergrid history`: the results store's runs as a table, and two runs side by side.
public enum HistoryReport {
    static func money(_ x: Double?) -> String { x.map { String(format: "%.2f", $0) } ?? "-" }

    /// Newest first, one line per run; `(no runs)` for none. *error cost* is what the forecast errors cost the plan
    /// on the metered day (`-` when the history did not cover the day, or for runs recorded before 0.22.0).
    public static func list(_ runs: [RunRecord]) -> String {
        let table = TextTable([
            .init("id", 5), .init("finished", 20, left: true, gap: 2), .init("community", 16, left: true, gap: 2),
            .init("date", 10, left: true, gap: 2), .init("status", 9, left: true, gap: 2), .init("cost", 10),
            .init("savings", 10), .init("pricing", 9, left: true, gap: 2), .init("profit", 9),
            .init("load MAPE", 11), .init("error cost", 12), .init("total s", 9)
        ])
        let rows = runs.map { r in
            [
                "\(r.id ?? 0)", r.finishedAt, r.community, r.date, r.status, money(r.cost), money(r.savings), r.pricingStatus,
                money(r.profit), r.forecastMAPE.map { String(format: "%.2f %%", $0) } ?? "-", money(r.forecastErrorCost),
                String(format: "%.1f", r.totalSeconds)
            ]
        }
        return table.render(rows) + (runs.isEmpty ? "\n(no runs)" : "")
    }

    /// Two runs side by side with the change of every number and whether the inputs changed.
    public static func compare(_ a: RunRecord, _ b: RunRecord) -> String {
        func line(_ name: String, _ x: String, _ y: String, _ delta: String = "") -> String {
            name.padding(toLength: 16, withPad: " ", startingAt: 0) + x.padding(toLength: 26, withPad: " ", startingAt: 0)
                + y.padding(toLength: 26, withPad: " ", startingAt: 0) + delta
        }
        func diff(_ x: Double?, _ y: Double?) -> String { (x != nil && y != nil) ? String(format: "%+.2f", y! - x!) : "" }
        var lines = [
            line("", "run \(a.id ?? 0)", "run \(b.id ?? 0)", "change"),
            line("community", a.community, b.community),
            line("date", a.date, b.date),
            line("status", a.status, b.status),
            line("model", a.model, b.model),
            line("solver", a.solver, b.solver),
            line("cost", money(a.cost), money(b.cost), diff(a.cost, b.cost)),
            line("stand-alone", money(a.standaloneCost), money(b.standaloneCost), diff(a.standaloneCost, b.standaloneCost)),
            line("savings", money(a.savings), money(b.savings), diff(a.savings, b.savings)),
            line("pricing", a.pricingStatus, b.pricingStatus),
            line("profit", money(a.profit), money(b.profit), diff(a.profit, b.profit)),
            line("load MAPE %", money(a.forecastMAPE), money(b.forecastMAPE), diff(a.forecastMAPE, b.forecastMAPE)),
            line("kept (metered)", money(a.keptCost), money(b.keptCost), diff(a.keptCost, b.keptCost)),
            line("hindsight", money(a.hindsightCost), money(b.hindsightCost), diff(a.hindsightCost, b.hindsightCost)),
            line("error cost", money(a.forecastErrorCost), money(b.forecastErrorCost), diff(a.forecastErrorCost, b.forecastErrorCost)),
            line("total s", String(format: "%.1f", a.totalSeconds), String(format: "%.1f", b.totalSeconds), diff(a.totalSeconds, b.totalSeconds)),
            line("community file", a.communityHash, b.communityHash, a.communityHash == b.communityHash ? "same" : "changed"),
            line("history", a.historyHash, b.historyHash, a.historyHash == b.historyHash ? "same" : "changed"),
            line("settings", "", "", a.settingsJSON == b.settingsJSON ? "same" : "changed")
        ]
        let ma = models(a.modelsJSON), mb = models(b.modelsJSON)
        let changed = ma.keys.sorted().filter { ma[$0] != mb[$0] }
        lines.append(
            line(
                "forecasters", "", "",
                changed.isEmpty
                    ? "same"
                    : changed.prefix(3).map { "\($0): \(ma[$0] ?? "-") -> \(mb[$0] ?? "-")" }.joined(separator: ", ")
                        + (changed.count > 3 ? " and \(changed.count - 3) more" : "")))
        return lines.joined(separator: "\n")
    }

    /// The header of ``csv(_:)``: every column of the store's `run` table but the prices, under the table's names.
    public static let csvHeader = [
        "id", "run_key", "community", "date", "finished_at", "status", "solver", "model", "cost", "standalone_cost",
        "savings", "gap", "pricing_status", "profit", "forecast_mape", "kept_cost", "hindsight_cost",
        "forecast_error_cost", "forecast_seconds", "schedule_seconds", "pricing_seconds", "total_seconds",
        "community_hash", "history_hash", "models_json", "settings_json", "report_dir"
    ]

    /// The runs as CSV (`peergrid history --csv`), one line per run in the order given, for a spreadsheet or pandas.
    /// Missing numbers are empty fields; numbers keep every digit the store holds (the shortest text that reads back as the same double);
    /// text fields are quoted when they need it (the models and settings JSON always do).
    public static func csv(_ runs: [RunRecord]) -> String {
        func number(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }
        var text = csvHeader.joined(separator: ",") + "\n"
        for r in runs {
            let fields: [String] = [
                "\(r.id ?? 0)", CSVText.field(r.runKey), CSVText.field(r.community), r.date, r.finishedAt, r.status, r.solver,
                CSVText.field(r.model), number(r.cost), number(r.standaloneCost), number(r.savings), number(r.gap),
                r.pricingStatus, number(r.profit), number(r.forecastMAPE), number(r.keptCost), number(r.hindsightCost),
                number(r.forecastErrorCost), number(r.forecastSeconds), number(r.scheduleSeconds), number(r.pricingSeconds),
                number(r.totalSeconds), r.communityHash, r.historyHash, CSVText.field(r.modelsJSON),
                CSVText.field(r.settingsJSON), CSVText.field(r.reportDirectory)
            ]
            text += fields.joined(separator: ",") + "\n"
        }
        return text
    }

    /// What each series used, from the run's models JSON.
    static func models(_ json: String) -> [String: String] {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]) ?? [:]
    }
}
