import DataIO
import Foundation

/// What one ledger entry records. The canonical byte encoding of each is written down in `docs/ledger-spec.md`;
/// the leaf hash of the Merkle tree is taken over exactly those bytes, so two implementations that follow the spec
/// agree on every hash.
public enum LedgerRecord: Sendable, Equatable {
    /// A party's Ed25519 public key, registered before its first batch (self-signed: the batch that carries it is
    /// signed with that key, which proves possession).
    case key(party: String, publicKey: [UInt8])
    /// The grid and pool prices of one period of a clearing (what grid and pool trades must be priced at).
    case tariff(Tariff)
    /// One settled trade: `buyer` pays `seller` energy x price.
    case trade(TradeRecord)
    /// One party's bill for a clearing, by the settlement rule named in the entry header.
    case bill(BillRecord)

    /// The type byte of the encoding.
    public var typeCode: UInt8 {
        switch self {
        case .key: 1
        case .tariff: 2
        case .trade: 3
        case .bill: 4
        }
    }

    public var typeName: String {
        switch self {
        case .key: "key"
        case .tariff: "tariff"
        case .trade: "trade"
        case .bill: "bill"
        }
    }
}

/// The grid and pool prices of one period, in micro-units of currency per kWh.
public struct Tariff: Sendable, Equatable {
    /// Start of the period, seconds since 1970-01-01 UTC.
    public var periodStart: Int64
    public var periodSeconds: UInt32
    public var importPrice: Int64
    public var exportPrice: Int64
    public var poolPrice: Int64
    public var poolFee: Int64

    public init(
        periodStart: Int64, periodSeconds: UInt32, importPrice: Int64, exportPrice: Int64, poolPrice: Int64,
        poolFee: Int64
    ) {
        self.periodStart = periodStart; self.periodSeconds = periodSeconds; self.importPrice = importPrice
        self.exportPrice = exportPrice; self.poolPrice = poolPrice; self.poolFee = poolFee
    }
}

/// Where a trade was made.
public enum TradeKind: UInt8, Sendable, CaseIterable {
    /// A P2P market trade between two bidders.
    case market = 1
    /// A trade with the community pool (counterparty `pool`).
    case pool = 2
    /// A trade with the grid supplier (counterparty `grid`).
    case grid = 3
    /// Storage service: the buyer pays the storage operator per kWh charged or discharged.
    case storageService = 4
    /// A money-only charge (a market fee): energy is 0 and `price` is the amount in micro-units.
    case charge = 5

    public var name: String {
        switch self {
        case .market: "market"
        case .pool: "pool"
        case .grid: "grid"
        case .storageService: "storage_service"
        case .charge: "charge"
        }
    }

    public init?(name: String) {
        guard let kind = TradeKind.allCases.first(where: { $0.name == name }) else { return nil }
        self = kind
    }
}

/// One settled trade. Energy in integer Wh (> 0), price in micro-units per kWh.
public struct TradeRecord: Sendable, Equatable {
    public var kind: TradeKind
    public var periodStart: Int64
    public var periodSeconds: UInt32
    public var seller: String
    public var buyer: String
    public var energyWh: Int64
    public var price: Int64

    public init(
        kind: TradeKind, periodStart: Int64, periodSeconds: UInt32, seller: String, buyer: String,
        energyWh: Int64, price: Int64
    ) {
        self.kind = kind; self.periodStart = periodStart; self.periodSeconds = periodSeconds; self.seller = seller
        self.buyer = buyer; self.energyWh = energyWh; self.price = price
    }

    /// What the buyer pays the seller, in micro-units: energy x price / 1000, rounded half away from zero (a
    /// `charge` is worth its price).
    public var value: Int64 { kind == .charge ? price : LedgerUnits.value(energyWh: energyWh, price: price) }
}

/// One party's bill for one clearing: positive `amount` (micro-units) is what the party pays, negative what it
/// receives.
public struct BillRecord: Sendable, Equatable {
    public var party: String
    public var amount: Int64
    /// How many of the clearing's trades the party is in.
    public var trades: UInt32

    public init(party: String, amount: Int64, trades: UInt32) {
        self.party = party; self.amount = amount; self.trades = trades
    }
}

/// A record with the header every entry carries.
public struct LedgerEntry: Sendable, Equatable {
    /// The encoding's format version (1).
    public static let formatVersion: UInt8 = 1
    /// The settlement rule the entry was made under; replay applies this rule.
    public var ruleVersion: UInt16
    /// The party that submitted (and signed) the entry.
    public var submitter: String
    /// The clearing the entry belongs to (empty for key registrations).
    public var clearing: String
    public var record: LedgerRecord

    public init(
        ruleVersion: UInt16 = SettlementRule.current, submitter: String, clearing: String,
        record: LedgerRecord
    ) {
        self.ruleVersion = ruleVersion; self.submitter = submitter; self.clearing = clearing; self.record = record
    }

    /// The canonical bytes (docs/ledger-spec.md).
    public func encoded() -> [UInt8] {
        var out = ByteWriter()
        out.bytes.reserveCapacity(96 + submitter.utf8.count + clearing.utf8.count)
        out.u8(Self.formatVersion)
        out.u8(record.typeCode)
        out.u16(ruleVersion)
        out.string(submitter)
        out.string(clearing)
        switch record {
        case .key(let party, let publicKey):
            out.string(party)
            out.blob(publicKey)
        case .tariff(let t):
            out.i64(t.periodStart); out.u32(t.periodSeconds)
            out.i64(t.importPrice); out.i64(t.exportPrice); out.i64(t.poolPrice); out.i64(t.poolFee)
        case .trade(let t):
            out.u8(t.kind.rawValue); out.i64(t.periodStart); out.u32(t.periodSeconds)
            out.string(t.seller); out.string(t.buyer); out.i64(t.energyWh); out.i64(t.price)
        case .bill(let b):
            out.string(b.party); out.i64(b.amount); out.u32(b.trades)
        }
        return out.bytes
    }

    /// Decodes canonical bytes; anything else (a wrong version or type, a short field, bad UTF-8, bytes left over)
    /// is an error that says which field failed.
    public static func decode(_ bytes: [UInt8]) throws(LedgerDecodeError) -> LedgerEntry {
        var r = ByteReader(bytes)
        let version = try r.u8("format")
        guard version == formatVersion else { throw LedgerDecodeError("format version \(version), expected 1") }
        let type = try r.u8("type")
        let rule = try r.u16("rule version")
        let submitter = try r.string("submitter")
        let clearing = try r.string("clearing")
        let record: LedgerRecord
        switch type {
        case 1:
            let party = try r.string("party")
            let key = try r.blob("public key")
            guard key.count == 32 else { throw LedgerDecodeError("public key has \(key.count) bytes, expected 32") }
            record = .key(party: party, publicKey: key)
        case 2:
            record = .tariff(
                Tariff(
                    periodStart: try r.i64("period start"), periodSeconds: try r.u32("period seconds"),
                    importPrice: try r.i64("import price"), exportPrice: try r.i64("export price"),
                    poolPrice: try r.i64("pool price"), poolFee: try r.i64("pool fee")))
        case 3:
            let kindByte = try r.u8("trade kind")
            guard let kind = TradeKind(rawValue: kindByte) else { throw LedgerDecodeError("unknown trade kind \(kindByte)") }
            record = .trade(
                TradeRecord(
                    kind: kind, periodStart: try r.i64("period start"),
                    periodSeconds: try r.u32("period seconds"), seller: try r.string("seller"),
                    buyer: try r.string("buyer"), energyWh: try r.i64("energy"),
                    price: try r.i64("price")))
        case 4:
            record = .bill(
                BillRecord(
                    party: try r.string("party"), amount: try r.i64("amount"),
                    trades: try r.u32("trade count")))
        default:
            throw LedgerDecodeError("unknown entry type \(type)")
        }
        guard r.atEnd else { throw LedgerDecodeError("\(r.remaining) bytes after the last field") }
        return LedgerEntry(ruleVersion: rule, submitter: submitter, clearing: clearing, record: record)
    }
}

/// Bytes that are not a canonical entry.
public struct LedgerDecodeError: PeerGridError, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Conversions between the floating-point quantities of the models and the ledger's integers.
public enum LedgerUnits {
    /// The largest energy one trade may carry, in Wh (1 TWh).
    public static let maxEnergyWh: Int64 = 1_000_000_000_000
    /// The largest price magnitude, micro-units per kWh (1,000 currency per kWh): energy x price / 1000 then fits
    /// in 64 bits.
    public static let maxPrice: Int64 = 1_000_000_000

    /// kWh to whole Wh, rounded half away from zero; nil when not finite or out of range.
    public static func wattHours(kWh: Double) -> Int64? {
        guard kWh.isFinite, abs(kWh) * 1000 <= Double(maxEnergyWh) else { return nil }
        return Int64((kWh * 1000).rounded(.toNearestOrAwayFromZero))
    }

    /// Currency per kWh to micro-units per kWh, rounded half away from zero; nil when not finite or out of range.
    public static func micro(_ price: Double) -> Int64? {
        guard price.isFinite, abs(price) * 1e6 <= Double(maxPrice) else { return nil }
        return Int64((price * 1e6).rounded(.toNearestOrAwayFromZero))
    }

    /// energy x price / 1000 in micro-units, rounded half away from zero, computed exactly in 128 bits.
    public static func value(energyWh: Int64, price: Int64) -> Int64 {
        let product = Int128(energyWh) * Int128(price)
        let magnitude = product.magnitude
        let rounded = (magnitude + 500) / 1000
        let signed = product < 0 ? -Int128(rounded) : Int128(rounded)
        return Int64(clamping: signed)
    }

    /// Micro-units as a decimal currency string with six decimals.
    public static func currency(_ micro: Int64) -> String {
        let sign = micro < 0 ? "-" : ""
        let m = micro.magnitude
        let fraction = String(m % 1_000_000)
        return "\(sign)\(m / 1_000_000).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
    }
}

// MARK: - Byte encoding

struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) } }
    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    mutating func blob(_ b: [UInt8]) { u32(UInt32(b.count)); bytes.append(contentsOf: b) }
    mutating func string(_ s: String) { blob(Array(s.utf8)) }
}

struct ByteReader {
    let bytes: [UInt8]
    var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var atEnd: Bool { offset == bytes.count }
    var remaining: Int { bytes.count - offset }

    mutating func take(_ n: Int, _ field: String) throws(LedgerDecodeError) -> ArraySlice<UInt8> {
        guard n <= remaining else { throw LedgerDecodeError("\(field): needs \(n) bytes, \(remaining) left") }
        defer { offset += n }
        return bytes[offset..<offset + n]
    }
    mutating func u8(_ f: String) throws(LedgerDecodeError) -> UInt8 { try take(1, f).first! }
    mutating func uint(_ n: Int, _ f: String) throws(LedgerDecodeError) -> UInt64 {
        try take(n, f).reduce(0) { $0 << 8 | UInt64($1) }
    }
    mutating func u16(_ f: String) throws(LedgerDecodeError) -> UInt16 { UInt16(try uint(2, f)) }
    mutating func u32(_ f: String) throws(LedgerDecodeError) -> UInt32 { UInt32(try uint(4, f)) }
    mutating func i64(_ f: String) throws(LedgerDecodeError) -> Int64 { Int64(bitPattern: try uint(8, f)) }
    mutating func blob(_ f: String) throws(LedgerDecodeError) -> [UInt8] {
        let n = Int(try u32(f + " length"))
        return Array(try take(n, f))
    }
    mutating func string(_ f: String) throws(LedgerDecodeError) -> String {
        let b = try blob(f)
        guard let s = String(validating: b, as: UTF8.self) else { throw LedgerDecodeError("\(f) is not UTF-8") }
        return s
    }
}

extension LedgerDecodeError {
    /// Stored bytes that are not a canonical entry: the ledger does not verify.
    public var kind: FailureKind { .verificationFailed }
}
