import FuzzDriver
import DataIO
import Foundation
import Ledger

/// The ledger's readers. The first byte picks one: canonical entry bytes (what a ledger database stores; a
/// tampered ledger hands them over), a proof file (`ledger verify-proof`), or a trades file with a tariffs file
/// (`ledger append`), the two CSV texts split at the first NUL byte. An entry that decodes must re-encode to the
/// very same bytes: the encoding is canonical, so two byte strings may never read as one entry (its hash would
/// then not identify it).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLedger(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 3 {
    case 0:
        if let entry = try? LedgerEntry.decode(bytes), entry.encoded() != bytes {
            fatalError("entry bytes that are not canonical decoded")
        }
    case 1:
        if let proof = try? LedgerProof.parse(Data(bytes), file: "fuzz.json") { _ = try? proof.verify() }
    default:
        let parts = bytes.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
        let trades = String(decoding: parts[0], as: UTF8.self)
        let tariffs = parts.count > 1 ? String(decoding: parts[1], as: UTF8.self) : nil
        guard let tradeTable = try? CSVTable(text: trades, file: "trades.csv") else { return 0 }
        let tariffTable = tariffs.flatMap { try? CSVTable(text: $0, file: "tariffs.csv") }
        _ = try? LedgerTradeFile.records(trades: tradeTable, tariffs: tariffTable)
    }
    return 0
}

@_cdecl("FuzzLedger_main")
public func fuzzLedgerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzLedger)
}
