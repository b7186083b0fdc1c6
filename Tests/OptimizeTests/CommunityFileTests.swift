import Foundation
import TestFixtures
import Testing
@testable import Optimize

@Suite struct CommunityFileTests {
    static func base() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixture.path("example-3x24.json")))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    static func parse(_ object: [String: Any]) throws -> Community {
        let data = try JSONSerialization.data(withJSONObject: object)
        return try CommunityFile.parse(data, file: "c.json", baseDirectory: URL(fileURLWithPath: "/tmp"))
    }

    static func prosumer(_ o: inout [String: Any], _ i: Int, _ edit: (inout [String: Any]) -> Void) {
        var list = o["prosumers"] as! [[String: Any]]
        edit(&list[i])
        o["prosumers"] = list
    }

    @Test func readsTheExample() throws {
        let c = try Fixture.community("example-3x24.json")
        #expect(c.prosumers.count == 3 && c.periods == 24 && c.periodMinutes == 60 && c.sharedStorage != nil)
    }

    /// Each broken rule names its JSON path.
    @Test(arguments: [
        ("missing field", "grid.import_limit_kw"),
        ("wrong array length", "prosumers[0].load_kw"),
        ("negative load", "prosumers[1].load_kw[3]"),
        ("efficiency 0", "prosumers[1].battery.charge_efficiency"),
        ("window outside the horizon", "prosumers[0].flexible_loads[0].latest"),
        ("export above import", "grid.export_price[0]"),
        ("initial below min soc", "shared_storage.initial_soc"),
        ("duplicate id", "prosumers[2].id"),
        ("line break in an id", "prosumers[1].id"),
        ("tab in a flexible load id", "prosumers[0].flexible_loads[0].id"),
        ("run longer than window", "prosumers[0].flexible_loads[0].run_periods")
    ])
    func brokenRulesNameTheField(_ label: String, _ path: String) throws {
        var o = try Self.base()
        switch label {
        case "missing field":
            var g = o["grid"] as! [String: Any]; g.removeValue(forKey: "import_limit_kw"); o["grid"] = g
        case "wrong array length":
            Self.prosumer(&o, 0) { $0["load_kw"] = [1.0, 2.0] }
        case "negative load":
            Self.prosumer(&o, 1) {
                var l = $0["load_kw"] as! [Double]; l[3] = -1; $0["load_kw"] = l
            }
        case "efficiency 0":
            Self.prosumer(&o, 1) {
                var b = $0["battery"] as! [String: Any]; b["charge_efficiency"] = 0; $0["battery"] = b
            }
        case "window outside the horizon":
            Self.prosumer(&o, 0) { $0["flexible_loads"] = [["id": "ev", "power_kw": 3.7, "run_periods": 2, "earliest": 20, "latest": 24]] }
        case "export above import":
            var g = o["grid"] as! [String: Any]; var e = g["export_price"] as! [Double]; e[0] = 9; g["export_price"] = e; o["grid"] = g
        case "initial below min soc":
            var s = o["shared_storage"] as! [String: Any]; s["initial_soc"] = 0.05; o["shared_storage"] = s
        case "duplicate id":
            Self.prosumer(&o, 2) { $0["id"] = "h001" }
        case "line break in an id":
            Self.prosumer(&o, 1) { $0["id"] = "h0\n02" }
        case "tab in a flexible load id":
            Self.prosumer(&o, 0) { $0["flexible_loads"] = [["id": "e\tv", "power_kw": 3.7, "run_periods": 2, "earliest": 20, "latest": 23]] }
        default:
            Self.prosumer(&o, 0) { $0["flexible_loads"] = [["id": "ev", "power_kw": 3.7, "run_periods": 5, "earliest": 20, "latest": 23]] }
        }
        do {
            _ = try Self.parse(o)
            Issue.record("\(label): accepted")
        } catch let e as CommunityFileError {
            #expect(e.path == path, "\(label): \(e)")
        }
    }

    /// A misspelt optional section is refused with the key it resembles (it used to be left out silently, and the
    /// community solved without its storage); metadata keys and a known key given next to a foreign one are kept.
    @Test func misspeltKeysAreRefusedAndMetadataKept() throws {
        func rename(_ o: inout [String: Any], _ from: String, _ to: String) { o[to] = o.removeValue(forKey: from) }
        var cases: [([String: Any], String, String)] = []
        var o = try Self.base(); rename(&o, "shared_storage", "shared_storge"); cases.append((o, "shared_storge", "shared_storage"))
        o = try Self.base(); Self.prosumer(&o, 1) { rename(&$0, "battery", "Battery") }; cases.append((o, "prosumers[1].Battery", "battery"))
        o = try Self.base(); Self.prosumer(&o, 0) { $0["flexible-loads"] = [Any]() }; cases.append((o, "prosumers[0].flexible-loads", "flexible_loads"))
        o = try Self.base()
        var p = o["p2p"] as! [String: Any]; rename(&p, "fee_per_kwh", "fee"); o["p2p"] = p
        cases.append((o, "p2p.fee", "fee_per_kwh"))
        o = try Self.base(); Self.prosumer(&o, 0) { $0["flexible_loads"] = [["id": "ev", "power_kw": 3.7, "run_period": 2, "earliest": 20, "latest": 23]] }
        cases.append((o, "prosumers[0].flexible_loads[0].run_period", "run_periods"))
        for (object, path, near) in cases {
            do {
                _ = try Self.parse(object)
                Issue.record("\(path): accepted")
            } catch let e as CommunityFileError {
                #expect(e.path == path && e.message.contains("did you mean '\(near)'"), "\(e)")
            }
        }
        o = try Self.base()
        o["note"] = "made by hand"; o["provenance"] = ["a test"]
        Self.prosumer(&o, 0) {
            $0["owner"] = "Smith"; $0["pv"] = 1
        }
        #expect(try Self.parse(o).prosumers.count == 3)
        #expect(JSONFieldReader.isMisspelling("shared_storge", of: "shared_storage") && !JSONFieldReader.isMisspelling("owner", of: "id"))
    }

    @Test func nanIsNamedByItsPath() throws {
        var text = try String(contentsOfFile: Fixture.path("example-3x24.json"), encoding: .utf8)
        let range = try #require(text.range(of: "\"connection_kw\": "))
        text.replaceSubrange(range, with: "\"connection_kw\": NaN, \"x\": ")
        do {
            _ = try CommunityFile.parse(Data(text.utf8), file: "c.json", baseDirectory: URL(fileURLWithPath: "/tmp"))
            Issue.record("NaN accepted")
        } catch let e as CommunityFileError {
            #expect(e.path == "prosumers[0].connection_kw" && e.message.contains("NaN"))
        }
    }

    @Test func loadAndPVFromCSVColumns() throws {
        let dir = try TestScratch.directory("pg-csv")
        var csv = "timestamp,load,pv\n"
        let start = Date(timeIntervalSince1970: 960_163_200)  // 2000-06-05T00:00:00Z
        let f = ISO8601DateFormatter()
        for k in 0..<48 { csv += "\(f.string(from: start.addingTimeInterval(Double(k) * 1800))),\(Double(k)),\(k % 2 == 0 ? 1.0 : 3.0)\n" }
        try csv.write(to: dir.appendingPathComponent("meter.csv"), atomically: true, encoding: .utf8)
        var o = try Self.base()
        Self.prosumer(&o, 0) {
            $0["load_kw"] = ["csv": "meter.csv", "column": "load"]
            $0["pv_kw"] = ["csv": "meter.csv", "column": "pv"]
        }
        let data = try JSONSerialization.data(withJSONObject: o)
        let c = try CommunityFile.parse(data, file: "c.json", baseDirectory: dir)
        #expect(c.prosumers[0].loadKW[0] == 0.5 && c.prosumers[0].loadKW[23] == 46.5)  // hourly means of half-hours
        #expect(c.prosumers[0].pvKW.allSatisfy { $0 == 2 })
        Self.prosumer(&o, 0) { $0["load_kw"] = ["csv": "meter.csv", "column": "nope"] }
        #expect(throws: CommunityFileError.self) { try CommunityFile.parse(JSONSerialization.data(withJSONObject: o), file: "c.json", baseDirectory: dir) }
    }

    /// CSV-backed series go through DataIO's reader: a Windows file (BOM, CRLF, quoted header and cells) reads like
    /// any other, and every refusal names the CSV file and its line.
    @Test func csvSeriesFromWindowsFilesAndRefusalsWithLines() throws {
        let dir = try TestScratch.directory("pg-csv")
        let start = Date(timeIntervalSince1970: 960_163_200)
        let f = ISO8601DateFormatter()
        var rows = (0..<24).map { k in "\"\(f.string(from: start.addingTimeInterval(Double(k) * 3600)))\",\"\(Double(k))\",1" }
        try ("\u{FEFF}\"timestamp\",\"load\",pv\r\n" + rows.joined(separator: "\r\n") + "\r\n").write(
            to: dir.appendingPathComponent("win.csv"), atomically: true, encoding: .utf8)
        var o = try Self.base()
        Self.prosumer(&o, 0) { $0["load_kw"] = ["csv": "win.csv", "column": "load"] }
        let c = try CommunityFile.parse(JSONSerialization.data(withJSONObject: o), file: "c.json", baseDirectory: dir)
        #expect(c.prosumers[0].loadKW == (0..<24).map(Double.init))
        rows[4] = rows[4].replacingOccurrences(of: "\"4.0\"", with: "four")
        try ("timestamp,load,pv\r\n" + rows.joined(separator: "\r\n") + "\r\n").write(
            to: dir.appendingPathComponent("win.csv"), atomically: true, encoding: .utf8)
        do {
            _ = try CommunityFile.parse(JSONSerialization.data(withJSONObject: o), file: "c.json", baseDirectory: dir)
            Issue.record("text accepted as a number")
        } catch let e as CommunityFileError {
            #expect(e.path == "prosumers[0].load_kw" && e.message.contains("win.csv:6: 'four' in column load is not a finite number"), "\(e)")
        }
        try "timestamp,load\n\"2000-06-05T00:00:00Z,1\n".write(to: dir.appendingPathComponent("win.csv"), atomically: true, encoding: .utf8)
        do {
            _ = try CommunityFile.parse(JSONSerialization.data(withJSONObject: o), file: "c.json", baseDirectory: dir)
            Issue.record("unclosed quote accepted")
        } catch let e as CommunityFileError {
            #expect(e.message.contains("win.csv:2: a quoted field is never closed"), "\(e)")
        }
    }
}
