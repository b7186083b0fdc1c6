import DataIO
import Foundation
import Optimize
import TestFixtures
import Testing

@testable import Control

/// The controllers' whole-day reader takes a Windows CSV (BOM, CRLF, quoted cells) as its LF original, and names
/// file and line when it refuses one.
@Suite struct HistoryReaderTests {
    static func community(_ dir: URL, csv: String, other: String? = nil) throws -> Community {
        let battery =
            #"{"capacity_kwh": 5, "power_kw": 2.5, "charge_efficiency": 0.95, "discharge_efficiency": 0.95, "initial_soc": 0.5, "min_soc": 0.1, "max_soc": 0.95, "final_min_soc": 0.5, "degradation_cost_per_kwh": 0.02}"#
        let json = """
            {"name": "t", "start": "2000-01-03T00:00:00Z", "period_minutes": 60, "periods": 24,
             "grid": {"import_price": [\(Array(repeating: "0.2", count: 24).joined(separator: ","))], "export_price": [\(Array(repeating: "0.05", count: 24).joined(separator: ","))], "import_limit_kw": 40, "export_limit_kw": 40},
             "p2p": {"enabled": false, "fee_per_kwh": 0},
             "prosumers": [{"id": "h1", "connection_kw": 12, "load_kw": {"csv": "\(csv)", "column": "load"}, "pv_kw": {"csv": "\(csv)", "column": "pv"}, "battery": \(battery)}\(
                other.map { #", {"id": "h2", "connection_kw": 12, "load_kw": {"csv": "\#($0)", "column": "load"}, "pv_kw": {"csv": "\#($0)", "column": "pv"}}"# } ?? "")]}
            """
        let file = dir.appendingPathComponent("c-\(csv)-\(other ?? "").json")
        try Data(json.utf8).write(to: file)
        return try CommunityFile.read(file.path)
    }

    static func rows(days: Int) -> [String] {
        (0..<(days * 24)).map { k in
            let stamp = UTCTime.string(Date(timeIntervalSince1970: 946_857_600 + Double(k) * 3600))  // from 2000-01-03
            return "\(stamp),\(1 + Double(k % 24) / 10),\(max(0, Double(12 - abs(12 - k % 24))) / 4)"
        }
    }

    /// Ten days of hourly history in `dir` three ways: `lf.csv` (LF), `win.csv` (a BOM, CRLF, quoted cells) and
    /// `bad.csv` (CRLF, the load on line 101 not a number; the header is line 1).
    static func writeHistories(_ dir: URL) throws {
        let lines = ["timestamp,load,pv"] + rows(days: 10)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("lf.csv"))
        let windows =
            ["\"timestamp\",\"load\",pv"]
            + rows(days: 10).map { row in
                let cells = row.split(separator: ",")
                return "\"\(cells[0])\",\"\(cells[1])\",\(cells[2])"
            }
        try Data([0xEF, 0xBB, 0xBF] + Array((windows.joined(separator: "\r\n") + "\r\n").utf8)).write(to: dir.appendingPathComponent("win.csv"))
        var bad = lines
        bad[100] = bad[100].replacingOccurrences(of: ",", with: ",x", options: [], range: bad[100].range(of: ","))
        try Data(bad.joined(separator: "\r\n").utf8).write(to: dir.appendingPathComponent("bad.csv"))
    }

    @Test func aWindowsFileReadsAsItsLFOriginal() throws {
        let dir = try TestScratch.directory("peergrid-rl")
        try Self.writeHistories(dir)
        let a = try HouseholdDays.read(community: Self.community(dir, csv: "lf.csv"), prosumer: nil, warmUpDays: 2)
        let b = try HouseholdDays.read(community: Self.community(dir, csv: "win.csv"), prosumer: nil, warmUpDays: 2)
        #expect(a.days == 10 && b.days == 10)
        #expect(a.load == b.load && a.pv == b.pv && a.forecastLoad == b.forecastLoad && a.first == b.first)

        // A bad cell in the middle of the history is refused with file and line (header = line 1).
        let c = try Self.community(dir, csv: "bad.csv")
        #expect(throws: CommunityFileError.self) { try HouseholdDays.read(community: c, prosumer: nil, warmUpDays: 2) }
        do { _ = try HouseholdDays.read(community: c, prosumer: nil, warmUpDays: 2) } catch let e as CommunityFileError {
            #expect(e.description.contains("bad.csv:101") && e.kind == .badInput, "\(e.description)")
        }
    }

    /// `rl train --also-train-on` reads the other prosumers' days through the same reader: a Windows copy of
    /// their file gives the same days, and a bad cell in it is refused with file and line.
    @Test func anotherProsumersWindowsFileIsReadAndABadOneNamed() throws {
        let dir = try TestScratch.directory("peergrid-rl-pool")
        try Self.writeHistories(dir)
        let plain = try Self.community(dir, csv: "lf.csv", other: "lf.csv")
        let windows = try Self.community(dir, csv: "lf.csv", other: "win.csv")
        let own = try HouseholdDays.read(community: plain, prosumer: "h1", warmUpDays: 2)
        let train = try own.split(testDays: 2).train
        let a = try own.addingTrainingDays(of: ["h2"], community: plain, trainingDays: train)
        let b = try own.addingTrainingDays(of: ["h2"], community: windows, trainingDays: train)
        #expect(a.added == train.count && b.added == train.count && a.skipped.isEmpty && b.skipped.isEmpty)
        #expect(a.data.load == b.data.load && a.data.pv == b.data.pv && a.data.forecastLoad == b.data.forecastLoad)

        let broken = try Self.community(dir, csv: "lf.csv", other: "bad.csv")
        do {
            _ = try own.addingTrainingDays(of: ["h2"], community: broken, trainingDays: train)
            Issue.record("a bad cell in the other prosumer's file was accepted")
        } catch let e as CommunityFileError {
            #expect(e.description.contains("bad.csv:101") && e.kind == .badInput, "\(e.description)")
        }
    }
}
