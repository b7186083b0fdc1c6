import DataIO
import Foundation

/// Reads a `prices.csv` of spec/pricing.md (as `peergrid price` writes it) back for a pricing problem, so that
/// given prices can be evaluated (`peergrid price --prices`).
public enum PriceFile {
    /// Prices per follower, in the order of `problem.followers`, and the mode the file is in: `uniform` without a
    /// `prosumer` column (every follower gets the one path), `personalized` with one (every follower with a
    /// partition must have its rows; followers without one get zero prices, which they never pay).
    ///
    /// Throws ``CommunityFileError`` naming the file and line: a wrong header, a period outside the horizon or
    /// given twice, a missing period, a timestamp other than the period's start, a price that is not a number or
    /// lies outside `[0, max]`, an unknown prosumer.
    public static func read(_ path: String, problem: PricingProblem, community: Community) throws -> (prices: [PricePath], mode: PricingSettings.Mode) {
        func fail(_ line: Int?, _ message: String) -> CommunityFileError {
            CommunityFileError(file: path, path: line.map { "line \($0)" } ?? "", message: message)
        }
        let text: String
        do { text = try InputFiles.text(path) } catch { throw fail(nil, error.description) }
        // DataIO's RFC 4180 reader: CRLF, a BOM and quoted fields read as in every other CSV file PeerGrid reads.
        func table(_ text: String) throws -> CSVTable {
            do { return try CSVTable(text: text, file: path) } catch let e as CSVError {
                if e.line == 0 { throw fail(1, "empty file; expected the header period,timestamp,charge_price,discharge_price") }
                throw fail(e.line, e.message)
            }
        }
        // The header first (a wrong header is the message, not the field counts it causes below).
        let columns = try table(String(text.prefix { !$0.isNewline })).header
        let header = columns.joined(separator: ",")
        let uniform = ["period", "timestamp", "charge_price", "discharge_price"]
        let mode: PricingSettings.Mode
        if columns == uniform {
            mode = .uniform
        } else if columns == ["prosumer"] + uniform {
            mode = .personalized
        } else {
            throw fail(
                1,
                "header is \(header); expected period,timestamp,charge_price,discharge_price (uniform) or prosumer,period,timestamp,charge_price,discharge_price (personalized)"
            )
        }

        let records = try table(text).records
        let T = problem.periods
        let index = Dictionary(problem.followers.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        // Per path key (nil: the uniform path; else a follower index): prices and the line of each period.
        var charge: [Int?: [Double]] = [:], discharge: [Int?: [Double]] = [:], seen: [Int?: [Int?]] = [:]
        for record in records {
            let n = record.line
            var cells = record.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            var key: Int? = nil
            if mode == .personalized {
                let id = cells.removeFirst()
                guard let i = index[id] else { throw fail(n, "unknown prosumer \(id)") }
                key = i
            }
            guard let t = Int(cells[0]), t >= 0, t < T else { throw fail(n, "period \(cells[0]) is not one of 0...\(T - 1)") }
            guard let stamp = UTCTime.parse(cells[1]) else { throw fail(n, "timestamp \(cells[1]) is not ISO 8601 (like 2024-06-01T00:00:00Z)") }
            guard abs(stamp.timeIntervalSince(community.timestamp(t))) < 0.5 else {
                throw fail(n, "timestamp \(cells[1]) is not the start of period \(t) (\(UTCTime.string(community.timestamp(t))))")
            }
            var lines = seen[key] ?? [Int?](repeating: nil, count: T)
            if let first = lines[t] { throw fail(n, "period \(t) is given twice (also on line \(first))") }
            lines[t] = n
            seen[key] = lines
            for (c, name, cap) in [(2, "charge_price", problem.maxChargePrice), (3, "discharge_price", problem.maxDischargePrice)] {
                guard let v = Double(cells[c]), v.isFinite else { throw fail(n, "\(name) \(cells[c]) is not a number") }
                guard v >= 0, v <= cap + 1e-12 else { throw fail(n, "\(name) \(cells[c]) is outside [0, \(cap)] (the pricing section's maximum)") }
                if c == 2 {
                    charge[key, default: [Double](repeating: 0, count: T)][t] = v
                } else {
                    discharge[key, default: [Double](repeating: 0, count: T)][t] = v
                }
            }
        }
        return try paths(mode, charge: charge, discharge: discharge, seen: seen, problem: problem, fail: fail)
    }

    /// Every follower's path from the rows read: each path must have every period; in personalized mode, every
    /// follower with a partition must have a path (the others get zero prices, which they never pay).
    static func paths(
        _ mode: PricingSettings.Mode, charge: [Int?: [Double]], discharge: [Int?: [Double]], seen: [Int?: [Int?]],
        problem: PricingProblem, fail: (Int?, String) -> CommunityFileError
    ) throws -> (prices: [PricePath], mode: PricingSettings.Mode) {
        let T = problem.periods
        for (key, lines) in seen {
            if let t = lines.firstIndex(where: { $0 == nil }) {
                let who = key.map { " for prosumer \(problem.followers[$0].id)" } ?? ""
                throw fail(nil, "period \(t) has no prices\(who)")
            }
        }
        let zero = PricePath.constant(charge: 0, discharge: 0, periods: T)
        if mode == .uniform {
            guard let c = charge[nil], let d = discharge[nil] else { throw fail(nil, "no prices: the file has a header only") }
            return (Array(repeating: PricePath(charge: c, discharge: d), count: problem.followers.count), mode)
        }
        var prices: [PricePath] = []
        for (i, f) in problem.followers.enumerated() {
            if let c = charge[i], let d = discharge[i] { prices.append(PricePath(charge: c, discharge: d)); continue }
            guard !f.hasStorage else { throw fail(nil, "prosumer \(f.id) has a partition of the storage but no prices") }
            prices.append(zero)
        }
        return (prices, mode)
    }
}
