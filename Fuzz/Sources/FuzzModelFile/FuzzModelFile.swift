import FuzzDriver
import Forecast
import Foundation

/// Saved forecasting models: decode, then forecast a few steps with what was decoded (where hand-edited files
/// trapped).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let saved = try? ModelFile.decode(Data(bytes: data, count: size), file: "fuzz.pgm") {
        _ = try? saved.forecaster.forecast(horizon: 3, level: 0.95)
    }
    return 0
}

@_cdecl("FuzzModelFile_main")
public func fuzzModelFileMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzModelFile)
}
