import FuzzDriver
import LinearProgramming

/// LP files: parse, validate, write back and read again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let model = try? LPFormat.parse(text, file: "fuzz.lp") {
        _ = try? model.validate()
        _ = try? LPFormat.parse(LPFormat.write(model), file: "again.lp")
    }
    return 0
}

@_cdecl("FuzzLP_main")
public func fuzzLPMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzLP)
}
