import FuzzDriver
import LinearProgramming

/// MPS files (free and fixed): parse, then validate as every solver does before its first C call.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMPS(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for format in MPS.Format.allCases {
        if let model = try? MPS.parse(text, file: "fuzz.mps", format: format) {
            _ = try? model.validate()
            _ = MPS.write(model)
        }
    }
    return 0
}

@_cdecl("FuzzMPS_main")
public func fuzzMPSMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzMPS)
}
