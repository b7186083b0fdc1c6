import ArgumentParser
import CbcSolver
import DataIO
import Foundation
import GLPKSolver
import LinearProgramming
import Market
import Reports

/// P2P market clearing: every mechanism on 500 buy and 500 sell bids over 24 periods, and pymarket 0.7.6 on the same
/// bids for Huang and MUDA (same trades, prices and fees; time ratio).
struct MarketBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "market",
        abstract: "Market clearing times and welfare per mechanism; pymarket (Huang, MUDA) on the same bids.")
    @OptionGroup var common: CommonBenchmarkOptions

    @Option(help: "Buy bids and sell bids (each).")
    var bids = 500

    @Option(help: "Periods.")
    var periods = 24

    @Option(help: "Seed of the random bids and of MUDA's split.")
    var seed: UInt64 = 1

    @Option(help: "Python with pymarket (make bench-setup).")
    var python = "Benchmarks/.venv/bin/python"

    /// Random bids: one per bidder, a period at random, prices uniform (distinct with probability 1, as pymarket's
    /// MUDA requires), quantities 0.1-5 kWh.
    static func book(bids: Int, periods: Int, seed: UInt64) throws -> BidBook {
        var rng = SeededGenerator(seed: seed)
        var out: [Bid] = []
        for i in 0..<bids {
            out.append(
                Bid(
                    bidder: "b\(i)", period: Int(rng.next() % UInt64(periods)), side: .buy,
                    quantity: rng.uniform(0.1, 5), price: rng.uniform(0.05, 0.40)))
            out.append(
                Bid(
                    bidder: "s\(i)", period: Int(rng.next() % UInt64(periods)), side: .sell,
                    quantity: rng.uniform(0.1, 5), price: rng.uniform(0.02, 0.35)))
        }
        return try BidBook(bids: out, periods: periods)
    }

    struct Row {
        var mechanism: String
        var timing: Timing
        var trades: Int
        var volume: Double
        var welfareShare: Double?
        var surplus: Double
        var reference: (seconds: Double, maxQuantityDiff: Double, maxPriceDiff: Double, maxFeeDiff: Double, bids: Int)?
    }

    func run() throws {
        common.prepare()
        let book = try Self.book(bids: bids, periods: periods, seed: seed)
        let solver = GLPKSolver()
        var rows: [Row] = []
        for name in MechanismName.allCases {
            let mechanism = Market.mechanism(name, seed: seed, fees: NetworkFees(defaultFee: 0.01), solver: solver)
            var samples: [Double] = []
            var result: MarketResult?
            for _ in 0..<max(1, common.repeats) {
                let clock = Stopwatch()
                result = try Market.clear(book, mechanism: mechanism)
                samples.append(clock.seconds)
            }
            let withOptimum = try Market.clear(book, mechanism: mechanism, optimumSolver: solver)
            let r = result!
            rows.append(
                Row(
                    mechanism: name.rawValue, timing: Timing(samples: samples), trades: r.trades.count,
                    volume: r.trades.reduce(0) { $0 + $1.quantity }, welfareShare: withOptimum.welfareShare,
                    surplus: r.operatorSurplus))
            print(
                String(
                    format: "%-13@ %@ s, %d trades, welfare share %.4f", name.rawValue as NSString,
                    Timing(samples: samples).formatted(4), r.trades.count, withOptimum.welfareShare ?? .nan))
        }
        try compareWithPymarket(book, &rows)
        try write(rows, book: book)
    }

    /// Runs Benchmarks/pymarket_reference.py on the same bids and MUDA split and compares bid by bid.
    func compareWithPymarket(_ book: BidBook, _ rows: inout [Row]) throws {
        guard FileManager.default.isExecutableFile(atPath: python), (try? Shell.run([python, "-c", "import pymarket"])) != nil else {
            print("no pymarket in \(python): the reference is skipped (run `make bench-setup`)")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("peergrid-market-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bidsFile = dir.appendingPathComponent("bids.csv").path, splitFile = dir.appendingPathComponent("split.csv").path
        let outFile = dir.appendingPathComponent("reference.json").path
        try BidFile.csv(book).write(toFile: bidsFile, atomically: true, encoding: .utf8)
        var split = "period,bidder,left\n"
        var byPeriod = [[(index: Int, bid: Bid)]](repeating: [], count: book.periods)
        for (i, b) in book.bids.enumerated() { byPeriod[b.period].append((i, b)) }
        let muda = MUDA(seed: seed)
        for (t, bids) in byPeriod.enumerated() {
            for (id, left) in muda.split(PeriodBids(period: t, bids: bids)).sorted(by: { $0.key < $1.key }) {
                split += "\(t),\(id),\(left ? 1 : 0)\n"
            }
        }
        try split.write(toFile: splitFile, atomically: true, encoding: .utf8)
        print("pymarket on the same bids...")
        try Shell.run([python, "Benchmarks/pymarket_reference.py", bidsFile, splitFile, outFile, "--repeats", "\(max(1, common.repeats))"])
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: outFile))) as! [String: Any]
        for (k, row) in rows.enumerated() where row.mechanism == "huang" || row.mechanism == "muda" {
            let ref = json[row.mechanism] as! [String: Any]
            let refBids = ref["bids"] as! [String: [String: Any]]
            let mechanism = Market.mechanism(MechanismName(rawValue: row.mechanism)!, seed: seed, solver: GLPKSolver())
            let mine = try Market.clear(book, mechanism: mechanism)
            var quantity = [Int: Double](), price = [Int: Double]()
            for t in mine.trades {
                quantity[t.buyBid, default: 0] += t.quantity
                quantity[t.sellBid, default: 0] += t.quantity
                price[t.buyBid] = t.buyerPrice
                price[t.sellBid] = t.sellerPrice
            }
            var dq = 0.0, dp = 0.0
            for i in book.bids.indices {
                let r = refBids[String(i)]
                let rq = (r?["quantity"] as? Double) ?? 0
                dq = max(dq, abs(rq - (quantity[i] ?? 0)))
                if rq > 1e-12, let rp = r?["price"] as? Double, let p = price[i] { dp = max(dp, abs(rp - p)) }
                if rq > 1e-12, price[i] == nil { dp = .infinity }
            }
            let refFees = ref["fees"] as! [String: Double]
            let myFees = Dictionary(mine.payments.map { ($0.bidder, $0.fees) }, uniquingKeysWith: +)
            var df = 0.0
            for id in Set(refFees.keys).union(myFees.keys) { df = max(df, abs((refFees[id] ?? 0) - (myFees[id] ?? 0))) }
            rows[k].reference = (ref["seconds"] as! Double, dq, dp, df, refBids.count)
            print(
                String(
                    format: "%@: pymarket %.4f s (PeerGrid %.1fx faster); max difference per bid: quantity %.2e, price %.2e, fee %.2e",
                    row.mechanism as NSString, ref["seconds"] as! Double, (ref["seconds"] as! Double) / row.timing.median, dq, dp, df))
        }
    }

    func write(_ rows: [Row], book: BidBook) throws {
        var md = "# Market clearing benchmark\n\n"
        md += "`benchmark market --repeats \(common.repeats)` (release build). \(bids) buy and \(bids) sell bids, one per bidder, over "
        md += "\(periods) periods (seed \(seed)); bilateral fees 0.01 per kWh. Times are the median [min, max] of \(common.repeats) "
        md += "clearings of the whole book, welfare optimum not included. pymarket 0.7.6 runs Huang and MUDA on the same bids and the same "
        md += "MUDA halves (Benchmarks/pymarket_reference.py); differences are the largest over all bids.\n\n"
        md += "Machine: \(MachineInfo.describe())\n\n"
        md += "| mechanism | seconds | trades | kWh | welfare share | operator surplus | pymarket seconds | ratio | max diff quantity / price / fee |\n"
        md += "|---|---|---|---|---|---|---|---|---|\n"
        for r in rows {
            md += "| \(r.mechanism) | \(r.timing.formatted(4)) | \(r.trades) | \(String(format: "%.2f", r.volume)) | "
            md += "\(r.welfareShare.map { String(format: "%.4f", $0) } ?? "-") | \(String(format: "%.4f", r.surplus)) | "
            if let ref = r.reference {
                md += String(
                    format: "%.4f | %.0fx | %.1e / %.1e / %.1e |\n", ref.seconds, ref.seconds / r.timing.median,
                    ref.maxQuantityDiff, ref.maxPriceDiff, ref.maxFeeDiff)
            } else {
                md += "- | - | - |\n"
            }
        }
        let json: JSON = .object([
            ("bids_per_side", .integer(bids)), ("periods", .integer(periods)), ("seed", .integer(Int(seed))),
            ("machine", .string(MachineInfo.describe())),
            (
                "rows",
                .array(
                    rows.map { r in
                        .object([
                            ("mechanism", .string(r.mechanism)), ("median_seconds", .number(r.timing.median)),
                            ("min_seconds", .number(r.timing.min)), ("max_seconds", .number(r.timing.max)),
                            ("trades", .integer(r.trades)), ("volume_kwh", .number(r.volume)),
                            ("welfare_share", .number(r.welfareShare)), ("operator_surplus", .number(r.surplus)),
                            ("pymarket_seconds", .number(r.reference?.seconds)),
                            ("max_quantity_difference", .number(r.reference?.maxQuantityDiff)),
                            ("max_price_difference", .number(r.reference?.maxPriceDiff)),
                            ("max_fee_difference", .number(r.reference?.maxFeeDiff))
                        ])
                    })
            )
        ])
        try OutputFiles.writeAll([(name: "market.md", text: md), (name: "market.json", text: json.serialized() + "\n")], into: common.out)
        print("wrote \(common.out)/market.md, \(common.out)/market.json")
    }
}
