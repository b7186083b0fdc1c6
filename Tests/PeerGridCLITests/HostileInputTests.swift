import Foundation
import Testing

/// Hostile inputs found by trying `peergrid` as a hostile user would (the hostile-input issue): each case once
/// crashed, hung, gave a wrong answer or left files behind; each now exits with a documented code and a message.
@Suite(.serialized) struct HostileInputTests {
    static func edited(_ fixture: String, _ edit: (inout [String: Any]) -> Void) throws -> URL {
        let dir = try CLI.temporaryDirectory()
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: CLI.fixture(fixture)))) as! [String: Any]
        edit(&object)
        let file = dir.appendingPathComponent("hostile.json")
        try JSONSerialization.data(withJSONObject: object).write(to: file)
        return file
    }

    static func setImportPrice(_ value: Double) -> (inout [String: Any]) -> Void {
        { o in
            var grid = o["grid"] as! [String: Any]
            var prices = grid["import_price"] as! [Double]
            prices[3] = value
            grid["import_price"] = prices
            o["grid"] = grid
        }
    }

    /// Large but finite numbers crashed CBC (SIGABRT) or read as unbounded. Now refused, naming the field.
    @Test(arguments: [
        (1e26, "grid.import_price[3]: is 1e+26; numbers in a community file are refused above"),
        (1e20, "grid.import_price[3]: is 1e+20"),
        (1e300, "grid.import_price[3]: is 1e+300")
    ])
    func communityNumbersOutOfRange(_ value: Double, _ message: String) throws {
        let file = try Self.edited("example-3x24.json", Self.setImportPrice(value))
        for command in ["schedule", "price"] {
            let out = file.deletingLastPathComponent().appendingPathComponent("out-\(command)")
            let r = try CLI.run([command, "--community", file.path, "--out", out.path])
            #expect(r.code == 2 && r.stderr.contains(message), "\(command): \(r.code) \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
    }

    /// A negative import price gave a wrong optimum (cost 0 where importing and curtailing earns money). The
    /// schedule now uses it; pricing, whose bounds assume prices >= 0, refuses it naming the field.
    @Test func negativeImportPricesAreScheduledAndRefusedByPricing() throws {
        let plain = try Self.edited("example-3x24.json") { _ in }
        func negative(_ fixture: String) throws -> URL {
            try Self.edited(fixture) { o in
                Self.setImportPrice(-0.1)(&o)
                var grid = o["grid"] as! [String: Any]
                var prices = grid["export_price"] as! [Double]
                prices[3] = -0.15  // export_price <= import_price
                grid["export_price"] = prices
                o["grid"] = grid
            }
        }
        func cost(_ file: URL) throws -> Double {
            let out = file.deletingLastPathComponent().appendingPathComponent("out-schedule")
            let r = try CLI.run(["schedule", "--community", file.path, "--out", out.path, "--no-standalone"])
            #expect(r.code == 0, "\(r.stderr)")
            let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
            return try #require(summary["objective"] as? Double)
        }
        // Paid to import in period 3, the community draws there at least what it drew at the normal price.
        #expect(try cost(negative("example-3x24.json")) < cost(plain))
        let pricing = try negative("example-pricing-3x24.json")
        let out = pricing.deletingLastPathComponent().appendingPathComponent("out-price")
        let r = try CLI.run(["price", "--community", pricing.path, "--out", out.path])
        #expect(r.code == 2 && r.stderr.contains("grid.import_price[3]: is -0.1; pricing needs import prices >= 0"), "\(r.code) \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    /// Found by `make fuzz`: one bid at period 777,771 made every mechanism clear and report 777,772 periods (5 s,
    /// an 88 MB summary.json; over 10 s under the sanitizer). A bid file's horizon is now at most 100,000 periods.
    @Test func aBidFarInTheFutureIsRefused() throws {
        let dir = try CLI.temporaryDirectory()
        let bids = dir.appendingPathComponent("bids.csv")
        try "\u{FEFF}bidder,period,side,quantity_kwh,price_per_kwh,divisible\r\n\"b,1\",000000000000000000000000000000000000777771,sell,1.5,0.1,true\r\n"
            .write(to: bids, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let r = try CLI.run(["market", "clear", "--bids", bids.path, "--mechanism", "muda", "--out", out.path])
        #expect(r.code == 2 && r.stderr.contains("bids.csv: the horizon has 777772 periods") && r.stderr.contains("100000"), "\(r.code) \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
        // A JSON file's own horizon out of range is named with the file too.
        let json = dir.appendingPathComponent("bids.json")
        try #"{"periods": -1, "bids": []}"#.write(to: json, atomically: true, encoding: .utf8)
        let j = try CLI.run(["market", "clear", "--bids", json.path, "--mechanism", "muda", "--out", out.path])
        #expect(j.code == 2 && j.stderr.contains("bids.json: the horizon has -1 periods"), "\(j.stderr)")
    }

    @Test func aHugeBatteryIsRefused() throws {
        let file = try Self.edited("example-3x24.json") { o in
            var prosumers = o["prosumers"] as! [[String: Any]]
            let k = prosumers.firstIndex { $0["battery"] is [String: Any] }!
            var battery = prosumers[k]["battery"] as! [String: Any]
            battery["capacity_kwh"] = 1e300
            prosumers[k]["battery"] = battery
            o["prosumers"] = prosumers
        }
        let r = try CLI.run(["schedule", "--community", file.path, "--out", file.deletingLastPathComponent().path])
        #expect(r.code == 2 && r.stderr.contains("battery.capacity_kwh: is 1e+300"), "\(r.stderr)")
    }

    /// GLPK aborted the process on an LP coefficient of 1e300; CBC called feasible MPS models with coefficients of
    /// 1e26 infeasible. Both solvers now get only what they handle.
    @Test(arguments: ["cbc", "glpk"]) func hugeCoefficientsInModelFiles(_ solver: String) throws {
        let dir = try CLI.temporaryDirectory()
        let lp = dir.appendingPathComponent("huge.lp")
        try "Maximize\n obj: x + y\nSubject To\n c1: 1e300 x + y <= 10\nBounds\n x <= 4\n y <= 4\nEnd\n".write(to: lp, atomically: true, encoding: .utf8)
        let r = try CLI.run(["solve", lp.path, "--solver", solver])
        #expect(r.code == 2 && r.stderr.contains("magnitudes above 1e+15 are refused"), "\(r.code) \(r.stderr)")
        let mps = dir.appendingPathComponent("huge.mps")
        try """
        NAME huge
        ROWS
         N obj
         L c1
        COLUMNS
         x obj 1 c1 1e26
        RHS
         rhs c1 1e26
        BOUNDS
         UP bnd x 1
        ENDATA

        """.write(to: mps, atomically: true, encoding: .utf8)
        let m = try CLI.run(["solve", mps.path, "--solver", solver])
        #expect(m.code == 2 && m.stderr.contains("is 1e+26; magnitudes above"), "\(m.code) \(m.stderr)")
    }

    /// An integer column with an explicit LO 0 and then UP -3 was solved at x <= -3, below its bound: the CPLEX
    /// convention (a negative UP makes the lower bound -inf) only applies to the default lower bound.
    @Test(arguments: ["cbc", "glpk"]) func explicitLowerBoundKeptUnderANegativeUpperBound(_ solver: String) throws {
        let dir = try CLI.temporaryDirectory()
        let mps = dir.appendingPathComponent("bounds.mps")
        try """
        NAME bounds
        ROWS
         N obj
        COLUMNS
         MARKER MARKER INTORG
         x obj 1
         MARKER MARKER INTEND
        BOUNDS
         LO bnd x 0
         UP bnd x -3
        ENDATA

        """.write(to: mps, atomically: true, encoding: .utf8)
        let r = try CLI.run(["solve", mps.path, "--solver", solver])
        #expect(r.code != 0, "solved a model whose bounds contradict: \(r.stdout)")
        #expect(!r.stdout.contains("optimal"))
    }

    /// Hand-edited saved models trapped (illegal instruction) or were used with impossible values.
    @Test func corruptSavedModelsExitTwoNamingTheFile() throws {
        let dir = try CLI.temporaryDirectory()
        let data = CLI.packageRoot.appendingPathComponent("Datasets/taylor_england_wales_halfhourly_2000.csv").path
        var saved: [String: URL] = [:]
        for model in ["seasonal-naive", "ar-weekly", "arima"] {
            let file = dir.appendingPathComponent("\(model).json")
            let r = try CLI.run([
                "forecast", "--data", data, "--column", "demand_mw", "--model", model, "--horizon", "4",
                "--out", dir.appendingPathComponent("\(model).csv").path, "--save-model", file.path
            ])
            try #require(r.code == 0, "\(r.stderr)")
            saved[model] = file
        }
        func corrupt(_ model: String, _ edit: (inout [String: Any]) -> Void) throws -> (Int32, String) {
            var o = try JSONSerialization.jsonObject(with: Data(contentsOf: saved[model]!)) as! [String: Any]
            var inner = o["model"] as! [String: Any]
            edit(&inner)
            o["model"] = inner
            let file = dir.appendingPathComponent("bad-\(model).json")
            try JSONSerialization.data(withJSONObject: o).write(to: file)
            let r = try CLI.run(["forecast", "--load-model", file.path, "--horizon", "4"])
            return (r.code, r.stderr)
        }
        let cases: [(String, (inout [String: Any]) -> Void, String)] = [
            ("seasonal-naive", { $0["period"] = 0 }, "period is 0; it must be 1 to 1000000"),
            ("seasonal-naive", { $0["period"] = -3 }, "period is -3"),
            ("ar-weekly", { $0["history"] = Array(($0["history"] as! [Double]).prefix(10)) }, "the history holds 10 values"),
            ("ar-weekly", { $0["week"] = 0 }, "week (0) and day"),
            (
                "arima",
                { m in
                    var a = m["model"] as! [String: Any]; a["y"] = [1.0, 2.0, 3.0]; m["model"] = a
                }, "the history holds 3 values"
            ),
            ("arima", { $0["periodsPerDay"] = 0 }, "periodsPerDay is 0")
        ]
        for (model, edit, message) in cases {
            let (code, stderr) = try corrupt(model, edit)
            #expect(code == 2 && stderr.contains("bad-\(model).json: the ") && stderr.contains(message), "\(model): \(code) \(stderr)")
        }
    }

    /// `forecast --horizon 1000000000` grew to gigabytes; a negative horizon was reported as a missing value.
    @Test func horizonsAreBounded() throws {
        let data = CLI.packageRoot.appendingPathComponent("Datasets/taylor_england_wales_halfhourly_2000.csv").path
        for h in ["1000000000", "-5", "0"] {
            let r = try CLI.run(["forecast", "--data", data, "--column", "demand_mw", "--horizon", h])
            #expect(r.code == 2 && r.stderr.contains("--horizon is \(h); it must be 1 to 100000"), "\(h): \(r.stderr)")
        }
    }

    /// Found by the fuzzer: a gap of centuries filled at a 30-minute step appended billions of values.
    @Test func gapFillingIsBounded() throws {
        let dir = try CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("gap.csv")
        try "timestamp,load\n2000-01-01T00:00:00Z,1\n2000-01-01T00:30:00Z,2\n2000-01-01T01:00:00Z,3\n9000-01-01T00:00:00Z,4\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["forecast", "--data", file.path, "--column", "load", "--horizon", "2", "--fill", "linear"])
        #expect(r.code == 2 && r.stderr.contains("gap.csv:5: a gap of") && r.stderr.contains("more than 10000000 observations"), "\(r.stderr)")
    }

    /// `history` on an unrelated SQLite file added PeerGrid's tables to it; on a text file it failed obscurely.
    @Test func foreignDatabasesAreLeftAlone() throws {
        let dir = try CLI.temporaryDirectory()
        let text = dir.appendingPathComponent("notes.db")
        try "not a database".write(to: text, atomically: true, encoding: .utf8)
        let r = try CLI.run(["history", "--store", text.path])
        #expect(r.code == 2 && r.stderr.contains("is not a PeerGrid results store"), "\(r.stderr)")
        #expect(try String(contentsOf: text, encoding: .utf8) == "not a database")
    }

    /// A readable store in a folder the reader cannot write could not be read (SQLite's WAL needs its -shm file
    /// there, and the lock file could not be created). Run as the unprivileged user `nobody` when the tests run as
    /// root (as CI does), because root may write anywhere.
    @Test func aStoreInAReadOnlyFolderCanBeRead() throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") else { return }
        let dir = try CLI.temporaryDirectory()
        let store = dir.appendingPathComponent("ro/peergrid.sqlite")
        let r = try CLI.run([
            "day-ahead", "--community", CLI.fixture("small-community.json"), "--date", "2000-08-27",
            "--model", "seasonal-naive", "--out", dir.appendingPathComponent("out").path, "--store", store.path
        ])
        try #require(r.code == 0, "\(r.stderr)")
        // The reader's temporary directory, where its private copy goes; it must be empty again afterwards.
        let tmp = dir.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: tmp.path)
        for path in [dir.path, store.deletingLastPathComponent().path] {
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: path)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: store.path)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        p.arguments = ["-u", "nobody", "--", "/usr/bin/env", "TMPDIR=\(tmp.path)", CLI.executable.path, "history", "--store", store.path]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0 && text.contains("small-3"), "\(text)\(errors)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty, "the private copy was left behind")
    }

    /// A prosumer id ../outside read a file outside --history DIR.
    @Test func idsStayInsideTheHistoryDirectory() throws {
        let dir = try CLI.temporaryDirectory()
        let history = dir.appendingPathComponent("history")
        try FileManager.default.createDirectory(at: history, withIntermediateDirectories: true)
        let file = try Self.edited("small-community.json") { o in
            var prosumers = o["prosumers"] as! [[String: Any]]
            prosumers[0]["id"] = "../outside"
            prosumers[0]["load_kw"] = [Double](repeating: 1, count: (o["periods"] as! Int))
            o["prosumers"] = prosumers
        }
        let r = try CLI.run(["day-ahead", "--community", file.path, "--history", history.path, "--out", dir.path, "--store", "none"])
        #expect(r.code == 2 && r.stderr.contains("id '../outside' cannot name a file in"), "\(r.code) \(r.stderr)")
    }

    /// JSON has no NaN: an all-zero series' MAPE is null in `backtest --json`, not `nan`.
    @Test func backtestJSONStaysJSON() throws {
        let dir = try CLI.temporaryDirectory()
        var csv = "timestamp,x\n"
        let start = Date(timeIntervalSince1970: 946_684_800)
        let f = ISO8601DateFormatter()
        for k in 0..<(48 * 21) { csv += "\(f.string(from: start.addingTimeInterval(Double(k) * 1800))),0\n" }
        let data = dir.appendingPathComponent("zeros.csv")
        try csv.write(to: data, atomically: true, encoding: .utf8)
        let json = dir.appendingPathComponent("scores.json")
        let r = try CLI.run([
            "backtest", "--data", data.path, "--column", "x", "--horizon", "48", "--test-days", "2",
            "--models", "seasonal-naive", "--json", json.path
        ])
        #expect(r.code == 0, "\(r.stderr)")
        let text = try String(contentsOf: json, encoding: .utf8)
        #expect(!text.contains("nan") && (try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil, "\(text)")
    }

    /// A killed run's temporaries (`.NAME.tmp-PID-*`) are removed by the next write into the same directory.
    @Test func staleTemporariesAreRemoved() throws {
        let out = try CLI.temporaryDirectory()
        let stale = out.appendingPathComponent(".summary.json.tmp-999999-deadbeef")
        try "partial".write(to: stale, atomically: true, encoding: .utf8)
        let r = try CLI.run(["schedule", "--community", CLI.fixture("example-3x24.json"), "--out", out.path])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: stale.path))
    }
}

/// Messages that were unclear: each now names the file, line or field and says what to do.
@Suite(.serialized) struct ClearMessageTests {
    static func series(_ dir: URL, _ name: String, header: String, newline: String) throws -> URL {
        var csv = header + newline
        let start = Date(timeIntervalSince1970: 946_684_800)
        let f = ISO8601DateFormatter()
        for k in 0..<(48 * 10) { csv += "\(f.string(from: start.addingTimeInterval(Double(k) * 1800))),\(100 + k % 48)" + newline }
        let file = dir.appendingPathComponent(name)
        try csv.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// CRLF files were read as one line (and the whole file printed into the error); a quoted header was refused.
    @Test func windowsAndQuotedTimeSeriesFilesRead() throws {
        let dir = try CLI.temporaryDirectory()
        for (name, header, newline) in [
            ("crlf.csv", "timestamp,load", "\r\n"), ("quoted.csv", "\"timestamp\",\"load\"", "\n"),
            ("bom.csv", "\u{FEFF}timestamp,load", "\r\n")
        ] {
            let file = try Self.series(dir, name, header: header, newline: newline)
            let r = try CLI.run(["forecast", "--data", file.path, "--column", "load", "--horizon", "4"])
            #expect(r.code == 0, "\(name): \(r.stderr)")
        }
    }

    /// A file that is not a time series is not echoed into the message.
    @Test func aForeignFileIsNotEchoed() throws {
        let dir = try CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("passwd")
        try "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n".write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["forecast", "--data", file.path, "--column", "load", "--horizon", "4"])
        #expect(r.code == 2 && r.stderr.contains("passwd:1: no column 'load': line 1 does not look like a header"), "\(r.stderr)")
        #expect(!r.stderr.contains("/bin/bash"), "\(r.stderr)")
    }

    @Test func aCommunityFileGivenAsAModelSaysSo() throws {
        let r = try CLI.run(["forecast", "--load-model", CLI.fixture("example-3x24.json"), "--horizon", "4"])
        #expect(r.code == 2 && r.stderr.contains("example-3x24.json: is JSON, but not a PeerGrid model file"), "\(r.stderr)")
    }

    @Test func badJSONNamesLineAndColumn() throws {
        let (dir, file) = try CLI.editedFixture("example-3x24.json", "\"periods\": 24,", "\"periods\": 24,,")
        let r = try CLI.run(["schedule", "--community", file.path, "--out", dir.path])
        #expect(r.code == 2 && r.stderr.contains("not valid JSON (line "), "\(r.stderr)")
    }

    /// Every input a command reads goes through one reader (`DataIO.InputFiles`), so a path that does not exist or
    /// names a directory gets the same words from each, after the path, with exit 2 and nothing written.
    @Test(arguments: ["no such file", "is a directory, not a file"])
    func everyInputReaderSaysWhyItCannotRead(_ reason: String) throws {
        let dir = try CLI.temporaryDirectory()
        let bad = reason == "no such file" ? dir.appendingPathComponent("absent.x").path : dir.path
        let community = CLI.fixture("example-pricing-3x24.json")
        let cases: [[String]] = [
            ["solve", bad],
            ["schedule", "--community", bad],
            ["clear", "--community", bad],
            ["price", "--community", community, "--prices", bad],
            ["market", "clear", "--bids", bad, "--mechanism", "pay-as-clear"],
            ["forecast", "--data", bad, "--column", "x", "--horizon", "4"],
            ["forecast", "--load-model", bad, "--horizon", "4"],
            ["anomalies", "--data", bad, "--column", "x"],
            ["day-ahead", "--community", bad, "--store", "none"],
            ["batch", "--manifest", bad],
            ["rl", "evaluate", "--community", RLCommandTests.demo, "--policy", bad, "--no-mpc"],
            ["ledger", "verify-proof", "--proof", bad],
            ["ledger", "append", "--ledger", "l.db", "--key", bad, "--trades", bad, "--clearing", "c"]
        ]
        for arguments in cases {
            let out = try CLI.temporaryDirectory()
            let r = try CLI.run(
                arguments + ["--out", out.path].filter { _ in !["solve", "forecast", "anomalies", "rl", "ledger", "batch"].contains(arguments[0]) }, in: out)
            #expect(r.code == 2 && r.stderr.contains("\(bad): \(reason)"), "\(arguments): exit \(r.code): \(r.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty, "\(arguments) wrote a file")
        }
    }

    @Test func aDirectoryGivenAsAnOutputFileSaysSo() throws {
        let dir = try CLI.temporaryDirectory()
        let file = try Self.series(dir, "s.csv", header: "timestamp,load", newline: "\n")
        let r = try CLI.run(["forecast", "--data", file.path, "--column", "load", "--horizon", "4", "--out", dir.path])
        #expect(r.code == 2 && r.stderr.contains("is a directory; give a file name") && !r.stderr.contains("NSCocoaErrorDomain"), "\(r.stderr)")
    }

    /// An output file that cannot be written (a directory in the way, a folder that cannot be created under /proc)
    /// exits 2 with `cannot write PATH: why`, the path named once, in every command that writes one file. Until
    /// 2026-12-07 a folder that could not be created exited 70 (`internal error`) and some messages named the path
    /// twice.
    @Test func anOutputFileThatCannotBeWrittenExitsTwoNamingItOnce() throws {
        let dir = try CLI.temporaryDirectory()
        let file = try Self.series(dir, "s.csv", header: "timestamp,load", newline: "\n")
        for target in [dir.path, "/proc/peergrid-no-such-folder/out.json"] {
            let cases: [[String]] = [
                ["forecast", "--data", file.path, "--column", "load", "--horizon", "4", "--out", target],
                ["solve", CLI.fixture("mknap-1.mps"), "--solution", target],
                [
                    "rl", "train", "--community", RLCommandTests.demo, "--prosumer", "h09", "--policy", "qlearning", "--episodes", "40", "--also-train-on",
                    "none", "--out", target
                ]
            ]
            for arguments in cases {
                let r = try CLI.run(arguments, in: dir)
                #expect(r.code == 2 && r.stderr.contains("cannot write \(target): "), "\(arguments): exit \(r.code): \(r.stderr)")
                #expect(r.stderr.components(separatedBy: target).count == 2, "the path named more than once: \(r.stderr)")
            }
        }
    }

    @Test func aZeroTimeLimitSaysWhatIsWrong() throws {
        let r = try CLI.run(["schedule", "--community", CLI.fixture("example-3x24.json"), "--time-limit", "0"])
        #expect(r.code == 2 && r.stderr.contains("time limit is 0.0; it must be a number of seconds > 0"), "\(r.stderr)")
    }
}
