/// Stepwise supply and demand curves and their intersection, ported line by line from pymarket 0.7.6
/// (`pymarket/bids/demand_curves.py`: `demand_curve_from_bids`, `supply_curve_from_bids`,
/// `intersect_stepwise`) so that Huang's and MUDA's prices agree with that reference (see `benchmark market`).
///
/// A curve is a list of (x, y) points: the right end of each constant step, x the cumulative quantity.
/// Demand ends with (inf, 0), supply with (inf, inf).
struct StepCurve {
    var points: [(x: Double, y: Double)]

    /// Demand: buyers best first (price descending), cumulative quantity.
    static func demand(_ buys: [Bid]) -> StepCurve {
        var acc = 0.0
        var p = buys.map { b -> (x: Double, y: Double) in
            acc += b.quantity; return (acc, b.price)
        }
        p.append((.infinity, 0))
        return StepCurve(points: p)
    }

    /// Supply: sellers best first (price ascending), cumulative quantity.
    static func supply(_ sells: [Bid]) -> StepCurve {
        var acc = 0.0
        var p = sells.map { b -> (x: Double, y: Double) in
            acc += b.quantity; return (acc, b.price)
        }
        p.append((.infinity, .infinity))
        return StepCurve(points: p)
    }

    /// The value at `x` (pymarket's `get_value_stepwise`): the y of the first step whose right end is >= x.
    func value(_ x: Double) -> Double? {
        if x < 0 { return nil }
        for s in points where x <= s.x { return s.y }
        return nil
    }

    /// Index of the first step whose right end is >= x (numpy's `argmax(f[:, 0] >= x)`; 0 when none is).
    func firstIndex(atLeast x: Double) -> Int { points.firstIndex { $0.x >= x } ?? 0 }

    func contains(x: Double) -> Bool { points.contains { $0.x == x } }
}

/// The intersection of a non-increasing `f` (demand) and a non-decreasing `g` (supply): pymarket's
/// `intersect_stepwise(f, g, k)`. `quantity` is the last x where f is above g and just after it below (nil when
/// the curves never cross that way); `fIndex` and `gIndex` the steps at that x; `price` the step value where it is
/// unique, else the k-combination of both curves' values.
func intersectStepwise(_ f: StepCurve, _ g: StepCurve, k: Double = 0.5)
    -> (quantity: Double?, fIndex: Int?, gIndex: Int?, price: Double)
{
    let xMax = min(f.points.map(\.x).max() ?? 0, g.points.map(\.x).max() ?? 0)
    let xs = Set(f.points.map(\.x)).union(g.points.map(\.x)).filter { $0 <= xMax }.sorted()
    let fext = xs.map { f.value($0) ?? .nan }
    let gext = xs.map { g.value($0) ?? .nan }
    var xAst: Double?
    if xs.count >= 2 {
        for i in 0..<(xs.count - 1) where fext[i] > gext[i] && fext[i + 1] < gext[i + 1] { xAst = xs[i] }
    }
    let fIndex = xAst.map { f.firstIndex(atLeast: $0) }
    let gIndex = xAst.map { g.firstIndex(atLeast: $0) }
    let last = xs.last ?? .infinity
    let gVal = gIndex.map { g.points[$0].y } ?? (g.value(last) ?? .nan)
    let fVal = fIndex.map { f.points[$0].y } ?? (f.value(last) ?? .nan)
    let price: Double
    if let x = xAst, !(f.contains(x: x) && g.contains(x: x)) {
        price = f.contains(x: x) ? gVal : fVal
    } else {
        price = gVal * k + (1 - k) * fVal
    }
    return (xAst, fIndex, gIndex, price)
}
