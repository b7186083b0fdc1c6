import FuzzDriver
import DataIO
import Foundation
import Market

/// Bid files (CSV and JSON): parse, then clear with the mechanisms that need no solver.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBids(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    guard let book = try? BidFile.parse(bytes, file: "fuzz.bids") else { return 0 }
    for mechanism in [PayAsClear() as any ClearingMechanism, PayAsBid(), HuangAuction(), MUDA(seed: 1)] {
        _ = try? Market.clear(book, mechanism: mechanism)
    }
    return 0
}

@_cdecl("FuzzBids_main")
public func fuzzBidsMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzBids)
}
