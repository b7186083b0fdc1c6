import ArgumentParser
import CommandLineExit
import DataIO
import Foundation
import Ledger
import LinearProgramming
import Market
import Optimize
import Reports

extension MechanismName: ExpressibleByArgument {}

/// `peergrid market`: bids from each prosumer's flexibility and peer-to-peer market clearing.
struct MarketCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "market",
        abstract: "Peer-to-peer market: derive bids, clear them with a mechanism, settle.",
        subcommands: [MarketBidsCommand.self, MarketClearCommand.self])
}

/// Options both market commands share.
struct MarketSolverOptions: ParsableArguments {
    @Option(help: "Solver for the prosumers' own problems and the market LPs: cbc or glpk.")
    var solver: SolverBackend = .cbc

    @Option(name: .customLong("steps"), help: "Price steps per period of each derived bid curve (1 to 50; default: 5).")
    var stepsGiven: Int?

    /// The price steps of derived bids: `--steps`, else 5.
    var steps: Int { stepsGiven ?? 5 }

    func validate() throws {
        guard (1...50).contains(steps) else { throw ValidationError("--steps must be 1 to 50, not \(steps)") }
    }

    func derive(_ community: Community) throws -> BidBook {
        let progress = ProgressLine()
        defer { progress.finish() }
        return try BidDerivation(solver: solver.make(), steps: steps).bids(for: community) { done, total in
            progress.show("deriving bids: prosumer \(done)/\(total)")
        }
    }
}

struct MarketBidsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bids",
        abstract: "Derive every prosumer's bids from its own optimization (its marginal value of energy).",
        discussion:
            "Writes bids.csv (bidder,period,side,quantity_kwh,price_per_kwh,divisible) to --out. Exit codes: 0 done, 2 bad input, 3 a prosumer has no feasible plan of its own (the reason named), 4 no solution within the limits, 70 internal error."
    )

    @Option(help: "The community file (JSON, spec/community.md).")
    var community: String

    @OptionGroup var options: MarketSolverOptions

    @Option(help: "Output directory for bids.csv.")
    var out: String = "."

    func run() throws {
        let parsed = try CommunityFile.read(community)
        let clock = Stopwatch()
        let book = try inContext(community) { try options.derive(parsed) }
        try writeOutputDirectory([(name: "bids.csv", text: BidFile.csv(book))], into: out)
        let buys = book.bids.filter { $0.side == .buy }.count
        print(
            "bids      \(parsed.name): \(counted(book.bids.count, "bid")) (\(buys) buy, \(book.bids.count - buys) sell) from \(counted(book.bidders.count, "prosumer")) over \(counted(book.periods, "period")), \(counted(options.steps, "price step")), "
                + String(format: "%.1f s", clock.seconds))
        print("wrote     \(out)/bids.csv")
    }
}

struct MarketClearCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear",
        abstract: "Clear bids with a market mechanism and settle the rest with the grid.",
        discussion: """
            Bids come from --bids FILE (CSV or JSON), or are derived from --community FILE; with both, the file's bids \
            are cleared and settled against the community. Writes trades.csv, payments.csv and summary.json to --out. \
            Exit codes: 0 cleared, 2 bad input, 3 a prosumer has no feasible plan of its own (the reason named), 4 no solution within the limits, 70 internal error.
            """)

    @Option(help: "A bid file: CSV with bidder,period,side,quantity_kwh,price_per_kwh,divisible, or JSON.")
    var bids: String?

    @Option(help: "A community file: derive the bids from it (without --bids) and settle bills against its grid tariffs.")
    var community: String?

    @Option(help: "pay-as-clear, pay-as-bid, huang, muda or bilateral.")
    var mechanism: MechanismName

    @Option(name: .customLong("k"), help: "Pay-as-clear's k: the price is k * hi + (1 - k) * lo of the clearing interval (0 to 1; default: 0.5).")
    var kGiven: Double?

    @Option(name: .customLong("seed"), help: "MUDA's seed for the random split into two halves (default: 1).")
    var seedGiven: UInt64?

    var k: Double { kGiven ?? 0.5 }
    var seed: UInt64 { seedGiven ?? 1 }

    @Option(help: "Bilateral market: a CSV of per-pair fees (buyer,seller,fee_per_kwh).")
    var fees: String?

    @Option(name: .customLong("network-fee"), help: "Bilateral market: the fee per kWh of pairs not in --fees (default: the community's p2p fee, else 0).")
    var networkFee: Double?

    @Flag(name: .customLong("no-pool"), help: "With --community: skip the central schedule (no pool bills).")
    var noPool = false

    @Option(
        name: .customLong("time-limit"),
        help:
            "With --community: wall-clock limit in seconds for the central schedule behind the pool bills (solved to gap 1e-6); a schedule found by then is used and the output says so."
    )
    var timeLimit: Double?

    @OptionGroup var options: MarketSolverOptions

    @Option(help: "Output directory for trades.csv, payments.csv and summary.json.")
    var out: String = "."

    @OptionGroup var ledgerOptions: LedgerAppendOptions

    @Option(help: "With --bids and --ledger: start of period 0 (ISO 8601 UTC; default: the community's start).")
    var start: String?

    @Option(name: .customLong("period-minutes"), help: "With --bids and --ledger: period length (default: the community's).")
    var periodMinutes: Int?

    func validate() throws {
        guard bids != nil || community != nil else { throw ValidationError("give --bids FILE, --community FILE, or both") }
        guard k.isFinite, (0...1).contains(k) else { throw ValidationError("--k must be from 0 to 1, not \(k)") }
        if let f = networkFee { guard f.isFinite, f >= 0, f <= 1e6 else { throw ValidationError("--network-fee must be from 0 to 1e6, not \(f)") } }
        // An option the run would not use is refused rather than dropped silently.
        if fees != nil, mechanism != .bilateral { throw ValidationError("--fees applies to --mechanism bilateral only") }
        if networkFee != nil, mechanism != .bilateral { throw ValidationError("--network-fee applies to --mechanism bilateral only") }
        if kGiven != nil, mechanism != .payAsClear { throw ValidationError("--k applies to --mechanism pay-as-clear only") }
        if seedGiven != nil, mechanism != .muda { throw ValidationError("--seed applies to --mechanism muda only") }
        if noPool, community == nil { throw ValidationError("--no-pool applies with --community only (bids alone make no pool bills)") }
        if let t = timeLimit {
            guard t.isFinite, t > 0 else { throw ValidationError("--time-limit must be a positive number of seconds, not \(t)") }
            if community == nil || noPool {
                throw ValidationError("--time-limit applies to the pool bills' central schedule: with --community and without --no-pool")
            }
        }
        if options.stepsGiven != nil, bids != nil { throw ValidationError("--steps applies to bids derived from --community, not to --bids") }
        if ledgerOptions.ledger == nil {
            if start != nil { throw ValidationError("--start applies with --ledger only") }
            if periodMinutes != nil { throw ValidationError("--period-minutes applies with --ledger only") }
        }
        if let m = periodMinutes, !(1...1440).contains(m) { throw ValidationError("--period-minutes must be 1 to 1440") }
        if let start, UTCTime.parse(start) == nil { throw ValidationError("--start \(start): not an ISO 8601 UTC time like 2026-06-01T00:00:00Z") }
    }

    func run() throws {
        let ledgerKeys = try ledgerOptions.keys()
        let parsed = try community.map { try CommunityFile.read($0) }
        var periodStart = parsed?.start
        if let start { periodStart = UTCTime.parse(start) }
        let minutes = periodMinutes ?? parsed?.periodMinutes
        if ledgerOptions.ledger != nil, periodStart == nil || minutes == nil {
            throw CLIFailure("--ledger with --bids alone needs --start and --period-minutes (or --community)")
        }
        if let m = minutes, !(1...1440).contains(m) { throw CLIFailure("--period-minutes must be 1 to 1440") }
        let book: BidBook
        if let bids { book = try BidFile.read(bids, periods: parsed?.periods) } else { book = try inContext(community ?? "") { try options.derive(parsed!) } }
        let defaultFee = networkFee ?? parsed.map { $0.p2p.feePerKWh } ?? 0
        let pairFees = try fees.map { try NetworkFees.read($0, defaultFee: defaultFee) } ?? NetworkFees(defaultFee: defaultFee)
        let solver = options.solver.make()
        let mechanism = Market.mechanism(self.mechanism, k: k, seed: seed, fees: pairFees, solver: solver)
        let result = try Market.clear(book, mechanism: mechanism, optimumSolver: solver)
        var bills: [ProsumerBill]?
        var poolMissing: String?, poolUnproven: String?
        if let parsed {
            let progress = ProgressLine()
            progress.show("settling \(counted(parsed.prosumers.count, "prosumer"))")
            var settlement = MarketSettlement(solver: solver)
            settlement.poolTimeLimit = timeLimit
            let pool = noPool ? nil : try inContext(community ?? "") { try settlement.poolBills(parsed) }
            poolMissing = pool?.missing
            poolUnproven = pool?.unproven
            bills = try inContext(community ?? "") {
                try settlement.bills(parsed, result, pool: pool?.bills, standalone: settlement.standaloneCosts(parsed))
            }
            progress.finish()
        }
        var settings: [(String, JSON)] = [("bids", .string(bids ?? "derived from \(community ?? "")")), ("solver", .string(options.solver.rawValue))]
        switch self.mechanism {
        case .payAsClear: settings.append(("k", .number(k)))
        case .muda: settings.append(("seed", .integer(Int(truncatingIfNeeded: seed))))
        case .bilateral: settings += [("network_fee", .number(defaultFee)), ("fee_pairs", .integer(pairFees.pairs.count))]
        case .payAsBid, .huang: break
        }
        if bids == nil { settings.append(("steps", .integer(options.steps))) }
        if let poolMissing { settings.append(("pool_bills", .string("none: \(poolMissing)"))) }
        if let poolUnproven { settings.append(("pool_bills", .string("not proven optimal: \(poolUnproven)"))) }
        try writeOutputDirectory(
            [
                (name: "trades.csv", text: MarketReport.tradesCSV(result)),
                (name: "payments.csv", text: MarketReport.paymentsCSV(result, bills: bills)),
                (name: "summary.json", text: MarketReport.summary(result, book: book, settings: settings, bills: bills).serialized() + "\n")
            ], into: out)
        print(MarketReport.text(result, book: book, bills: bills))
        if let poolMissing { print("note      no pool bills: \(poolMissing)") }
        if let poolUnproven { print("note      pool bills not proven optimal: \(poolUnproven)") }
        print("wrote     \(out)/trades.csv, \(out)/payments.csv, \(out)/summary.json")
        if let periodStart, let minutes, !result.trades.isEmpty {
            try ledgerOptions.append(
                try LedgerRecords.market(result, start: periodStart, periodMinutes: minutes),
                clearing: "market/\(self.mechanism.rawValue)/\(parsed?.name ?? bids ?? "")/\(UTCTime.string(periodStart))",
                keys: ledgerKeys)
        }
    }
}

/// Writes an output directory's files atomically (temporary names, then renamed); a directory that cannot be
/// written is bad input, and a path that holds something else says so in ``OutputFileError``'s words.
func writeOutputDirectory(_ files: [(name: String, text: String)], into out: String) throws {
    do { try OutputFiles.writeAll(files, into: out) } catch let error as OutputFileError { throw error } catch {
        throw CLIFailure("cannot write to \(out): \(error.localizedDescription)")
    }
}
