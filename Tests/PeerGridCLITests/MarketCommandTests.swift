import Foundation
import Testing

@Suite(.serialized) struct MarketCommandTests {
    static let mechanisms = ["pay-as-clear", "pay-as-bid", "huang", "muda", "bilateral"]

    static func csvRows(_ url: URL) throws -> [[String]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    @Test func bidsStayBetweenTheTariffs() throws {
        let out = try CLI.temporaryDirectory()
        let r = try CLI.run(["market", "bids", "--community", CLI.fixture("example-3x24.json"), "--out", out.path])
        #expect(r.code == 0, "\(r.stderr)")
        let rows = try Self.csvRows(out.appendingPathComponent("bids.csv"))
        #expect(rows.first == ["bidder", "period", "side", "quantity_kwh", "price_per_kwh", "divisible"])
        #expect(rows.count > 24)
        let community = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: CLI.fixture("example-3x24.json")))) as! [String: Any]
        let grid = community["grid"] as! [String: Any]
        let imp = grid["import_price"] as! [Double], exp = grid["export_price"] as! [Double]
        for row in rows.dropFirst() {
            let t = Int(row[1])!, price = Double(row[4])!
            #expect(price > exp[t] && price < imp[t], "bid \(row) outside (\(exp[t]), \(imp[t]))")
            #expect(Double(row[3])! > 0)
        }
    }

    @Test(arguments: mechanisms) func clearsTheCommunityAndSettles(_ mechanism: String) throws {
        let out = try CLI.temporaryDirectory()
        let r = try CLI.run([
            "market", "clear", "--community", CLI.fixture("example-3x24.json"), "--mechanism", mechanism,
            "--out", out.path
        ])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("market    \(mechanism)") && r.stdout.contains("bills     prosumer"))
        let trades = try Self.csvRows(out.appendingPathComponent("trades.csv"))
        #expect(trades.first == ["buyer", "seller", "period", "quantity_kwh", "buyer_price", "seller_price"])
        let payments = try Self.csvRows(out.appendingPathComponent("payments.csv"))
        #expect(
            payments.first == [
                "bidder", "bought_kwh", "sold_kwh", "paid", "received", "fees", "net_payment",
                "standalone_bill", "pool_bill", "market_bill"
            ])
        #expect(payments.count == 4)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        #expect(summary["mechanism"] as? String == mechanism)
        let surplus = try #require(summary["operator_surplus"] as? Double)
        let net = payments.dropFirst().reduce(0.0) { $0 + Double($1[6])! }
        #expect(abs(net - surplus) < 1e-5)
        let share = try #require(summary["welfare_share"] as? Double)
        #expect(share >= 0 && share <= 1 + 1e-9)
        // Market bills: each prosumer's own schedule cost plus its payments; the stand-alone bills are the
        // schedule command's (example-3x24's stand-alone cost).
        let bills = try #require(summary["bills"] as? [String: Any])
        #expect(abs((bills["standalone"] as! Double) - 53.112985) < 1e-3)
    }

    /// An infeasible community has no central schedule, so no pool bills: the market still clears and settles,
    /// and says why the pool column is empty (it used to be silently blank).
    @Test func anInfeasibleCommunityClearsWithoutPoolBillsAndSaysWhy() throws {
        let out = try CLI.temporaryDirectory()
        let r = try CLI.run([
            "market", "clear", "--community", CLI.fixture("example-infeasible-4x24.json"), "--mechanism", "huang", "--out", out.path
        ])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("note      no pool bills: the central schedule is infeasible (import limit at periods"), "\(r.stdout)")
        let payments = try Self.csvRows(out.appendingPathComponent("payments.csv"))
        #expect(payments.count == 5 && payments.dropFirst().allSatisfy { $0[8].isEmpty }, "\(payments)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        #expect(String(describing: summary).contains("none: the central schedule is infeasible"), "\(summary)")
    }

    /// A prosumer whose own problem has no solution (its load beyond its connection) exits 3, infeasible, as
    /// `schedule` and `clear` do, naming the file, the prosumer and the shortfall; nothing is written. (It exited 2,
    /// bad input, without the file's name.)
    @Test func aProsumerWithoutAPlanOfItsOwnExitsThree() throws {
        let dir = try CLI.temporaryDirectory()
        var community = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: CLI.fixture("example-3x24.json")))) as! [String: Any]
        var prosumers = community["prosumers"] as! [[String: Any]]
        prosumers[0]["load_kw"] = Array(repeating: 20.0, count: 24)  // h001's connection is 14 kW
        community["prosumers"] = prosumers
        let file = dir.appendingPathComponent("over.json")
        try JSONSerialization.data(withJSONObject: community).write(to: file)
        for command in [["market", "bids"], ["market", "clear", "--mechanism", "huang"]] {
            let out = dir.appendingPathComponent("out")
            let r = try CLI.run(command + ["--community", file.path, "--out", out.path])
            #expect(r.code == 3, "\(command): \(r.stderr)")
            #expect(r.stderr.contains("over.json: prosumer h001: its own problem ended infeasible") && r.stderr.contains("too low by 6.0 kW"), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
    }

    @Test func clearsAHandWrittenWindowsBidFile() throws {
        let out = try CLI.temporaryDirectory()
        let r = try CLI.run(["market", "clear", "--bids", CLI.fixture("market-bids.csv"), "--mechanism", "pay-as-clear", "--out", out.path])
        #expect(r.code == 0, "\(r.stderr)")
        let text = try String(contentsOf: out.appendingPathComponent("trades.csv"), encoding: .utf8)
        // Period 0: b,1 (quoted id) buys 3 (2 from s1, 1 from s2), b2 buys 1 from s2, all at 0.185; period 1: b2's
        // indivisible 1 kWh from s1 at (0.2 + 0.1) / 2.
        #expect(
            text == """
                buyer,seller,period,quantity_kwh,buyer_price,seller_price
                "b,1",s1,0,2.000000,0.185000,0.185000
                "b,1",s2,0,1.000000,0.185000,0.185000
                b2,s2,0,1.000000,0.185000,0.185000
                b2,s1,1,1.000000,0.150000,0.150000

                """)
    }

    /// A bid file without bids, or whose bids do not cross, clears to nothing and says why rather than "100 %" of an
    /// optimum of 0.
    @Test func bidsThatCannotTradeSaySo() throws {
        let dir = try CLI.temporaryDirectory()
        let header = "bidder,period,side,quantity_kwh,price_per_kwh,divisible\n"
        for (name, body) in [("none.csv", ""), ("apart.csv", "a,0,buy,1,0.10,true\nz,0,sell,1,0.20,true\n")] {
            let file = dir.appendingPathComponent(name)
            try (header + body).write(to: file, atomically: true, encoding: .utf8)
            let r = try CLI.run(["market", "clear", "--bids", file.path, "--mechanism", "huang", "--out", dir.path])
            #expect(r.code == 0, "\(r.stderr)")
            #expect(r.stdout.contains("cleared   0 trades"), "\(r.stdout)")
            #expect(r.stdout.contains("welfare   0.0000 (no trade could add welfare"), "\(r.stdout)")
            #expect(!r.stdout.contains("100.00 %"), "\(r.stdout)")
            #expect(r.stdout.contains(body.isEmpty ? "over 0 periods\n" : "over 1 period\n"), "\(r.stdout)")
        }
    }

    @Test func jsonBidsClearLikeCSV() throws {
        let dir = try CLI.temporaryDirectory()
        let json = dir.appendingPathComponent("bids.json")
        try
            #"{"periods": 1, "bids": [{"bidder": "a", "period": 0, "side": "buy", "quantity_kwh": 2, "price_per_kwh": 0.3}, {"bidder": "z", "period": 0, "side": "sell", "quantity_kwh": 1, "price_per_kwh": 0.1, "divisible": false}]}"#
            .write(to: json, atomically: true, encoding: .utf8)
        let r = try CLI.run(["market", "clear", "--bids", json.path, "--mechanism", "pay-as-bid", "--out", dir.path])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(try String(contentsOf: dir.appendingPathComponent("trades.csv"), encoding: .utf8).contains("a,z,0,1.000000,0.300000,0.100000"))
    }

    @Test(arguments: [
        ("negative quantity", "b2,0,buy,2,0.25,true", "b2,0,buy,-2,0.25,true", ":3: quantity_kwh is -2.0; it must be a number > 0"),
        ("NaN price", "s1,0,sell,2,0.05,true", "s1,0,sell,2,nan,true", ":5: price_per_kwh is nan; it must be a finite number"),
        ("unknown side", "s2,0,sell,2,0.12,true", "s2,0,offer,2,0.12,true", ":6: side must be buy or sell"),
        ("period outside", "s3,0,sell,3,0.28,true", "s3,30,sell,3,0.28,true", ":7: period 30 is outside the horizon 0...23"),
        ("duplicate", "b3,0,buy,2,0.10,true", "b2,0,buy,2,0.25,true", ":4: duplicate of"),
        ("text quantity", "b3,0,buy,2,0.10,true", "b3,0,buy,two,0.10,true", ":4: quantity_kwh is not a number"),
        ("bad divisible", "b3,0,buy,2,0.10,true", "b3,0,buy,2,0.10,maybe", ":4: divisible must be true or false"),
        ("own bids cross", "s1,0,sell,2,0.05,true", "b3,0,sell,2,0.05,true", ":5: bidder b3 bids to buy at 0.1 and to sell at 0.05"),
        (
            "missing column", "bidder,period,side,quantity_kwh,price_per_kwh,divisible", "bidder,period,side,quantity,price_per_kwh,divisible",
            ":1: missing column quantity_kwh"
        ),
        ("unclosed quote", "s3,0,sell,3,0.28,true", "s3,0,sell,\"3,0.28,true", ":7: a quoted field is never closed")
    ])
    func badBidsExitTwoNamingTheLineAndWriteNothing(_ label: String, _ find: String, _ replace: String, _ message: String) throws {
        let dir = try CLI.temporaryDirectory()
        var text = try String(contentsOfFile: CLI.fixture("market-bids.csv"), encoding: .utf8)
        let range = try #require(text.range(of: find), "\(label)")
        text.replaceSubrange(range, with: replace)
        let file = dir.appendingPathComponent("bad.csv")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let r = try CLI.run([
            "market", "clear", "--bids", file.path, "--community", CLI.fixture("example-3x24.json"),
            "--mechanism", "huang", "--out", out.path
        ])
        #expect(r.code == 2, "\(label): \(r.stderr)")
        #expect(r.stderr.contains("bad.csv" + message), "\(label): \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path), "\(label): wrote output")
    }

    @Test(arguments: [
        (["--mechanism", "pay-as-clear", "--k", "2", "--bids", "b.csv"], "--k must be from 0 to 1"),
        (["--mechanism", "auction"], "auction"),
        (["--mechanism", "huang"], "give --bids FILE, --community FILE, or both"),
        (["--mechanism", "huang", "--fees", "x.csv", "--bids", "b.csv"], "--fees applies to --mechanism bilateral only"),
        // Options the run would not use are refused, not dropped.
        (["--mechanism", "pay-as-bid", "--k", "0.3", "--bids", "b.csv"], "--k applies to --mechanism pay-as-clear only"),
        (["--mechanism", "huang", "--seed", "3", "--bids", "b.csv"], "--seed applies to --mechanism muda only"),
        (["--mechanism", "muda", "--network-fee", "0.1", "--bids", "b.csv"], "--network-fee applies to --mechanism bilateral only"),
        (["--mechanism", "muda", "--no-pool", "--bids", "b.csv"], "--no-pool applies with --community only"),
        (["--mechanism", "muda", "--time-limit", "5", "--bids", "b.csv"], "--time-limit applies to the pool bills' central schedule"),
        (["--mechanism", "muda", "--time-limit", "0", "--community", "c.json"], "--time-limit must be a positive number of seconds"),
        (["--mechanism", "muda", "--steps", "3", "--bids", "b.csv"], "--steps applies to bids derived from --community"),
        (["--mechanism", "muda", "--start", "2000-01-01T00:00:00Z", "--bids", "b.csv"], "--start applies with --ledger only"),
        (["--mechanism", "muda", "--period-minutes", "30", "--bids", "b.csv"], "--period-minutes applies with --ledger only")
    ])
    func badArgumentsExitTwo(_ arguments: [String], _ message: String) throws {
        let r = try CLI.run(["market", "clear"] + arguments)
        #expect(r.code == 2, "\(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }

    @Test func missingAndMalformedFilesExitTwo() throws {
        let dir = try CLI.temporaryDirectory()
        let r1 = try CLI.run(["market", "clear", "--bids", dir.appendingPathComponent("none.csv").path, "--mechanism", "muda"])
        #expect(r1.code == 2 && r1.stderr.contains("none.csv: no such file"))
        let bad = dir.appendingPathComponent("bad.json")
        try "{\"bids\": [\n{\"bidder\": }]}".write(to: bad, atomically: true, encoding: .utf8)
        let r2 = try CLI.run(["market", "clear", "--bids", bad.path, "--mechanism", "muda"])
        #expect(r2.code == 2 && r2.stderr.contains("bad.json: not valid JSON (line 2"), "\(r2.stderr)")
        let flag = dir.appendingPathComponent("flag.json")
        try #"[{"bidder": "a", "period": 0, "side": "buy", "quantity_kwh": true, "price_per_kwh": 0.3}]"#.write(to: flag, atomically: true, encoding: .utf8)
        let r3 = try CLI.run(["market", "clear", "--bids", flag.path, "--mechanism", "muda"])
        #expect(r3.code == 2 && r3.stderr.contains("bids[0].quantity_kwh: missing or not a number"), "\(r3.stderr)")
    }
}

@Suite(.serialized) struct DayAheadMarketTests {
    @Test func dayAheadWithAMarketAddsTheSectionAndTheSummary() throws {
        let out = try CLI.temporaryDirectory()
        let r = try CLI.run([
            "day-ahead", "--community", CLI.fixture("small-community.json"), "--date", "2000-08-27",
            "--model", "seasonal-naive", "--market", "pay-as-clear", "--out", out.path, "--store", "none"
        ])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("market    pay-as-clear: "), "\(r.stdout)")
        let dir = out.appendingPathComponent("small-3/2000-08-27")
        let md = try String(contentsOf: dir.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(md.contains("## Peer-to-peer market (pay-as-clear)"))
        #expect(md.contains("| prosumer | stand-alone | pool | pay-as-clear | pay-as-bid | huang | muda | bilateral |"))
        for chart in ["market-curves", "market-prices", "market-volume"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("charts/\(chart).svg").path), "missing \(chart)")
        }
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("summary.json"))) as! [String: Any]
        let market = try #require(summary["market"] as? [String: Any])
        #expect(market["mechanism"] as? String == "pay-as-clear")
        #expect((market["welfare_share"] as? Double).map { abs($0 - 1) < 1e-9 } == true, "pay-as-clear is efficient on divisible bids")
        #expect((market["bills_by_mechanism"] as? [String: Any])?.count == 5)
        // Without --market nothing of it appears (the run key and outputs of earlier runs are unchanged).
        let plain = try CLI.run([
            "day-ahead", "--community", CLI.fixture("small-community.json"), "--date", "2000-08-27",
            "--model", "seasonal-naive", "--out", out.path, "--store", "none"
        ])
        #expect(plain.code == 0 && !plain.stdout.contains("market"))
        let plainSummary = try String(contentsOf: dir.appendingPathComponent("summary.json"), encoding: .utf8)
        #expect(!plainSummary.contains("\"market\""))
    }

    @Test func badMarketStepsExitTwo() throws {
        let r = try CLI.run(["day-ahead", "--community", CLI.fixture("small-community.json"), "--market", "huang", "--market-steps", "0"])
        #expect(r.code == 2 && r.stderr.contains("--market-steps must be 1 to 50"), "\(r.stderr)")
    }
}
