import Foundation

/// Numbers in the commands' text summaries: a fixed number of decimals, and "-" for a value that is missing or not
/// finite (a bound no solve proved prints "-", not "inf").
enum TextNumber {
    static func fixed(_ x: Double?, decimals: Int) -> String {
        guard let x, x.isFinite else { return "-" }
        return String(format: "%.\(decimals)f", x)
    }
}
