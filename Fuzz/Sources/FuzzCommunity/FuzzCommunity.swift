import FuzzDriver
import Foundation
import Optimize

/// Community files: parse and validate; any input must end in a community or a CommunityFileError.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCommunity(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    _ = try? CommunityFile.parse(bytes, file: "fuzz.json", baseDirectory: URL(fileURLWithPath: "/nonexistent"))
    return 0
}

@_cdecl("FuzzCommunity_main")
public func fuzzCommunityMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzCommunity)
}
