import Foundation
import TestFixtures
import Testing

@Suite struct AnomaliesCommandTests {
    static let taylor = TestFixtures.packageRoot.appendingPathComponent("Datasets/taylor_england_wales_halfhourly_2000.csv").path

    /// The Taylor series as it is has no flags; with 1 % of each kind injected, every kind is found with precision
    /// and recall of at least 0.9, and the CSV and JSON hold every flag.
    @Test func flagsInjectedAnomaliesOnARealSeries() throws {
        let dir = try CLI.temporaryDirectory()
        var r = try CLI.run(["anomalies", "--data", Self.taylor, "--column", "demand_mw"])
        #expect(r.code == 0 && r.stdout.contains("demand_mw: 4032 readings, 0 flag(s)"), "\(r.stdout)\(r.stderr)")
        let csv = dir.appendingPathComponent("flags.csv").path, json = dir.appendingPathComponent("flags.json").path
        r = try CLI.run(["anomalies", "--data", Self.taylor, "--column", "demand_mw", "--inject-rate", "0.01", "--seed", "4", "--csv", csv, "--json", json])
        #expect(r.code == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        let evaluation = object["evaluation"] as! [[String: Any]]
        #expect(Set(evaluation.map { $0["kind"] as! String }) == ["reversed-flow", "sudden-zero", "flat-line", "spike", "shifted-profile"])
        for row in evaluation {
            #expect((row["precision"] as! Double) >= 0.9 && (row["recall"] as! Double) >= 0.9, "\(row)")
        }
        let flags = object["flags"] as! [[String: Any]]
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "timestamp,end,kind,readings,score,reason" && lines.count == flags.count + 1)
        #expect(flags.allSatisfy { ($0["score"] as! Double) > 0 && !($0["reason"] as! String).isEmpty })
    }

    @Test func badInputExitsTwoNamingTheFileAndWritesNothing() throws {
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("flags.csv").path
        // A bad cell: file and line.
        let bad = dir.appendingPathComponent("bad.csv")
        var text = "timestamp,x\n"
        for k in 0..<(24 * 5) { text += "2000-01-0\(1 + k / 24)T\(String(format: "%02d", k % 24)):00:00Z,\(k == 50 ? "oops" : "1.5")\n" }
        try text.write(to: bad, atomically: true, encoding: .utf8)
        var r = try CLI.run(["anomalies", "--data", bad.path, "--column", "x", "--csv", out])
        #expect(r.code == 2 && r.stderr.contains("bad.csv") && r.stderr.contains("52"), "\(r.stderr)")
        // Too short to have a reference day.
        let short = dir.appendingPathComponent("short.csv")
        try "timestamp,x\n2000-01-01T00:00:00Z,1\n2000-01-01T01:00:00Z,2\n2000-01-01T02:00:00Z,3\n".write(to: short, atomically: true, encoding: .utf8)
        r = try CLI.run(["anomalies", "--data", short.path, "--column", "x", "--csv", out])
        #expect(r.code == 2 && r.stderr.contains("short.csv") && r.stderr.contains("at least 3 days"), "\(r.stderr)")
        // An injection rate out of range.
        r = try CLI.run(["anomalies", "--data", Self.taylor, "--column", "demand_mw", "--inject-rate", "0.5", "--csv", out])
        #expect(r.code == 2 && r.stderr.contains("--inject-rate"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        // A JSON path that cannot be written (a directory): the CSV is not written either, and nothing is left over.
        let taken = dir.appendingPathComponent("taken")
        try FileManager.default.createDirectory(at: taken, withIntermediateDirectories: true)
        r = try CLI.run(["anomalies", "--data", Self.taylor, "--column", "demand_mw", "--csv", out, "--json", taken.path])
        #expect(r.code == 2 && r.stderr.contains("taken") && r.stderr.contains("is a directory"), "\(r.code) \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).allSatisfy { !$0.contains(".tmp-") })
    }
}
