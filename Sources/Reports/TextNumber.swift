import Foundation

/// Numbers in the commands' text summaries: a fixed number of decimals, and "-" for a value that is missing or not
/// finite (a bound no solve proved prints "-", not "inf"). A value that rounds to zero prints as "0.0000", never
/// "-0.0000" (solver round-off such as -1e-12).
enum TextNumber {
    static func fixed(_ x: Double?, decimals: Int) -> String {
        guard let x, x.isFinite else { return "-" }
        return String(format: "%.\(decimals)f", unsignedZero(x, decimals: decimals))
    }

    /// `x`, or 0 when it prints as zero at `decimals` decimals (so that the sign of round-off does not show).
    static func unsignedZero(_ x: Double, decimals: Int) -> Double {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        return (x * scale).rounded() == 0 ? 0 : x
    }
}
