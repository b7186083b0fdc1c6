import ArgumentParser
import CommandLineExit
import DataIO
import Foundation
import Ledger
import LinearProgramming
import ResultStore

/// `peergrid ledger`: the tamper-evident, signed trade ledger (docs/ledger-spec.md).
struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Tamper-evident signed trade ledger: append, verify, prove, replay settlement, sync replicas.",
        discussion: """
            Exit codes: 0 done, 2 bad input, 5 the ledger, a proof or a replay does not verify, 6 a replica's history \
            is a fork of the source's.
            """,
        subcommands: [
            LedgerKeygenCommand.self, LedgerAppendCommand.self, LedgerVerifyCommand.self,
            LedgerProveCommand.self, LedgerVerifyProofCommand.self, LedgerReplayCommand.self,
            LedgerSyncCommand.self
        ])
}

/// `--ledger FILE --ledger-key KEY [--operator-key KEY]`, shared by the commands that append what they settle.
struct LedgerAppendOptions: ParsableArguments {
    @Option(help: "Append the settled trades and bills to this ledger (created when absent).")
    var ledger: String?

    @Option(name: .customLong("ledger-key"), help: "The submitter's key file (peergrid ledger keygen); needed with --ledger.")
    var ledgerKey: String?

    @Option(name: .customLong("operator-key"), help: "The ledger operator's key file, which signs the checkpoint (default: --ledger-key).")
    var operatorKey: String?

    @Option(name: .customLong("clearing"), help: "The clearing id in the ledger (default: command/community/start time); each id is appended once.")
    var clearingID: String?

    func validate() throws {
        if ledger != nil, ledgerKey == nil { throw ValidationError("--ledger needs --ledger-key KEY (peergrid ledger keygen)") }
        if ledger == nil, ledgerKey != nil || operatorKey != nil || clearingID != nil {
            throw ValidationError("--ledger-key, --operator-key and --clearing need --ledger FILE")
        }
    }

    /// Reads the keys before any work is done, so that a bad key file fails fast.
    func keys() throws -> (submitter: LedgerSigningKey, operator: LedgerSigningKey)? {
        guard ledger != nil, let ledgerKey else { return nil }
        let submitter = try LedgerSigningKey.read(path: ledgerKey)
        let op = try operatorKey.map { try LedgerSigningKey.read(path: $0) } ?? submitter
        return (submitter, op)
    }

    /// Appends `records` as one clearing and prints what was appended.
    func append(
        _ records: @autoclosure () throws -> [LedgerRecord], clearing: String,
        keys: (submitter: LedgerSigningKey, operator: LedgerSigningKey)?
    ) throws {
        guard let ledger, let keys else { return }
        let clearing = clearingID ?? clearing
        let storage = try LedgerDatabase(path: ledger)
        let receipt = try LedgerWriter.append(
            records: try records(), clearing: clearing, submitter: keys.submitter,
            operator: keys.operator, to: storage)
        print(
            "ledger    \(ledger): \(counted(receipt.appended, "entry")) appended for clearing \(clearing) "
                + "(entries \(receipt.firstIndex)...\(receipt.checkpoint.size - 1)); checkpoint signed at size "
                + "\(receipt.checkpoint.size), root \(Hex.encode(receipt.checkpoint.root).prefix(16))...")
    }
}

struct LedgerKeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make an Ed25519 key: KEY (owner read/write only) and KEY.pub (to share).")

    @Option(help: "The party the key belongs to (market-operator, storage-operator, ...).")
    var party: String

    @Option(help: "The key file to write; an existing file is never overwritten.")
    var out: String

    func validate() throws {
        guard !party.isEmpty, party.utf8.count <= 200 else { throw ValidationError("--party must have 1 to 200 bytes") }
    }

    func run() throws {
        let key = LedgerSigningKey(party: party)
        try key.write(to: out)
        print("key       \(out) (party \(party), permissions 600)")
        print("public    \(out).pub \(Hex.encode(key.publicKey))")
    }
}

struct LedgerAppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append a clearing's trades (and tariffs) from CSV; the settlement rule adds the bills.",
        discussion: """
            --trades: kind,period_start,period_minutes,seller,buyer,energy_kwh,price (kind: market, pool, grid, \
            storage_service, charge). --tariffs: period_start,period_minutes,import_price,export_price,pool_price,pool_fee. \
            The whole append (entries, bills, tree nodes, signed checkpoint) is one transaction.
            """)

    @Option(help: "The ledger file (SQLite; created when absent).")
    var ledger: String

    @Option(help: "The submitter's key file.")
    var key: String

    @Option(name: .customLong("operator-key"), help: "The operator's key file (default: --key).")
    var operatorKey: String?

    @Option(help: "Trades CSV.")
    var trades: String

    @Option(help: "Tariffs CSV (needed when there are grid or pool trades).")
    var tariffs: String?

    @Option(help: "The clearing id these trades settle.")
    var clearing: String

    func run() throws {
        let options = LedgerAppendOptions(ledger: ledger, ledgerKey: key, operatorKey: operatorKey)
        let keys = try options.keys()
        let records = try LedgerTradeFile.read(trades: trades, tariffs: tariffs)
        try options.append(records, clearing: clearing, keys: keys)
    }
}

extension LedgerAppendOptions {
    init(ledger: String?, ledgerKey: String?, operatorKey: String?) {
        self.init()
        self.ledger = ledger
        self.ledgerKey = ledgerKey
        self.operatorKey = operatorKey
        self.clearingID = nil
    }
}

/// `--operator-key PUB`: pin the operator's public key.
struct TrustedKeyOption: ParsableArguments {
    @Option(name: .customLong("operator-key"), help: "The operator's public key file (KEY.pub) to trust; default: the key the ledger or proof names.")
    var operatorKey: String?

    func key() throws -> [UInt8]? { try operatorKey.map { try LedgerPublicKey.read(path: $0).key } }
}

struct LedgerVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every entry, hash, signature and checkpoint; name the first bad entry.",
        discussion: "Exit codes: 0 the ledger verifies, 2 not a ledger, 5 it does not verify.")

    @Option(help: "The ledger file.")
    var ledger: String

    @OptionGroup var trusted: TrustedKeyOption

    func run() throws {
        let pinned = try trusted.key()
        let clock = Stopwatch()
        let snapshot = try LedgerDatabase(path: ledger, create: false).snapshot()
        let result: LedgerVerification
        do {
            result = try LedgerVerifier.verify(snapshot, pinnedOperatorKey: pinned)
        } catch let LedgerError.integrity(message, entry) {
            throw LedgerError.integrity(
                "\(ledger): TAMPERED: \(message)"
                    + (entry.map { " (first bad entry: \($0))" } ?? ""), entry: entry)
        }
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        print(
            "verified  \(ledger): \(count(result.entries, "entry").replacingOccurrences(of: "entrys", with: "entries")) in "
                + "\(count(result.batches, "signed batch").replacingOccurrences(of: "batchs", with: "batches")), "
                + "\(count(result.checkpoints, "signed checkpoint")), " + String(format: "%.2f s", clock.seconds))
        if let head = result.latest {
            print("head      size \(head.size), root \(Hex.encode(head.root)), signed \(UTCTime.string(Date(timeIntervalSince1970: TimeInterval(head.time))))")
        }
        print(
            "operator  \(snapshot.header.operatorName) \(Hex.encode(snapshot.header.operatorKey))"
                + (pinned == nil ? " (taken from the ledger; pin it with --operator-key KEY.pub)" : " (matches the trusted key)"))
    }
}

struct LedgerProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Write an inclusion proof (--entry) or a consistency proof (--from) as JSON.",
        discussion: "Sizes must be those of signed checkpoints. Exit codes: 0 written, 2 bad input.")

    @Option(help: "The ledger file.")
    var ledger: String

    @Option(help: "Prove that this entry (0-based) is in the tree.")
    var entry: Int?

    @Option(help: "Prove that the tree of this size is a prefix of the tree of --size.")
    var from: Int?

    @Option(help: "The tree size to prove against (a checkpoint size; default: the latest).")
    var size: Int?

    @Option(help: "Write the proof here (default: standard output).")
    var out: String?

    func validate() throws {
        guard (entry == nil) != (from == nil) else { throw ValidationError("give exactly one of --entry N or --from SIZE") }
    }

    func run() throws {
        let storage = try LedgerDatabase(path: ledger, create: false)
        let proof =
            try entry.map { try LedgerProof.inclusion(index: $0, size: size, storage: storage) }
            ?? LedgerProof.consistency(oldSize: from!, newSize: size, storage: storage)
        if let out {
            try writingOutput { try OutputFiles.write(proof.json, to: out) }
            print("proof     \(out): \(proof.kind.rawValue), \(counted(proof.path.count, "hash")), tree size \(proof.checkpoint.size)")
        } else {
            print(proof.json, terminator: "")
        }
    }
}

struct LedgerVerifyProofCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-proof",
        abstract: "Check a proof from ledger prove, without the ledger.",
        discussion: "Exit codes: 0 the proof holds, 2 not a proof, 5 it does not hold.")

    @Option(help: "The proof file (JSON).")
    var proof: String

    @OptionGroup var trusted: TrustedKeyOption

    func run() throws {
        let pinned = try trusted.key()  // the key first, as `verify` and `replay` read it
        let data: Data
        do { data = try InputFiles.data(proof) } catch { throw CLIFailure("\(proof): \(error)") }
        let p = try LedgerProof.parse(data, file: proof)
        try p.verify(trustedKey: pinned)
        switch p.kind {
        case .inclusion:
            let entry = (try? LedgerEntry.decode(p.entry ?? [])).map { " (\($0.record.typeName), clearing \($0.clearing))" } ?? ""
            print("holds     entry \(p.leafIndex!)\(entry) is in the signed tree of size \(p.checkpoint.size) (\(counted(p.path.count, "hash")))")
        case .consistency:
            print(
                "holds     the signed tree of size \(p.checkpoint.size) extends the signed tree of size \(p.oldCheckpoint!.size) (\(counted(p.path.count, "hash")))"
            )
        }
        if pinned == nil { print("note      the operator key was taken from the proof; pin it with --operator-key KEY.pub") }
    }
}

struct LedgerReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Verify the ledger, recompute every bill from the logged trades and tariffs, compare.",
        discussion: "Exit codes: 0 every bill replays, 5 the ledger does not verify or a bill differs.")

    @Option(help: "The ledger file.")
    var ledger: String

    @OptionGroup var trusted: TrustedKeyOption

    @Flag(help: "Print every bill.")
    var bills = false

    func run() throws {
        let pinned = try trusted.key()
        let snapshot = try LedgerDatabase(path: ledger, create: false).snapshot()
        let verified = try LedgerVerifier.verify(snapshot, pinnedOperatorKey: pinned)
        let clearings = try LedgerReplay.run(verified.decoded)
        for c in clearings {
            print(
                "replayed  \(c.clearing): rule \(c.ruleVersion), \(counted(c.trades, "trade")), \(counted(c.bills.count, "bill")) equal\(c.bills.count == 1 ? "s" : "") the logged "
                    + "bills, sum \(LedgerUnits.currency(c.total))")
            if bills {
                for b in c.bills { print("          \(b.party.padding(toLength: 24, withPad: " ", startingAt: 0)) \(LedgerUnits.currency(b.amount))") }
            }
        }
        print(
            "replay    \(ledger): \(counted(clearings.count, "clearing")), \(clearings.reduce(0) { $0 + $1.bills.count }) bills recomputed from the trades; all equal"
        )
    }
}

struct LedgerSyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Copy new entries from one replica to another; refuse a source that forks the replica's history.",
        discussion: "Exit codes: 0 in sync, 2 bad input, 5 the source does not verify, 6 fork.")

    @Option(help: "The source ledger.")
    var from: String

    @Option(help: "The replica (created when absent).")
    var to: String

    func run() throws {
        if let a = fileIdentity(from), a == fileIdentity(to) {
            throw CLIFailure("--from \(from) and --to \(to) are the same ledger file; give the replica another path")
        }
        let source = try LedgerDatabase(path: from, create: false).snapshot()
        let replica = try LedgerDatabase(path: to)
        let outcome: LedgerSync.Outcome
        do {
            outcome = try LedgerSync.sync(source: source, replica: replica) { try replica.copy(from: $0, fromSize: $1) }
        } catch let LedgerError.integrity(message, entry) {
            throw LedgerError.integrity("\(from) or \(to) does not verify, nothing copied: \(message)", entry: entry)
        }
        print("synced    \(to): \(counted(outcome.copied, "entry")) copied from \(from); size \(outcome.size), root \(Hex.encode(outcome.root).prefix(16))...")
    }
}

/// The device and inode of an existing file (nil when there is none): two paths to one file, through a link or a
/// `./`, have the same identity.
func fileIdentity(_ path: String) -> [UInt64]? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return [UInt64(info.st_dev), UInt64(info.st_ino)]
}
