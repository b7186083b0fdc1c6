import Foundation
import Optimize

/// A prosumer's integer decisions at given prices, found by dynamic programming in milliseconds: the meter's
/// mode (draw or feed) in each period, the battery's direction, and the periods each flexible load runs.
///
/// The state is the battery's energy on a grid of levels (anchored at the initial energy, so the start is exact)
/// and the run count of every flexible load; a transition moves the energy by whole grid steps within the
/// battery's power. Each period's cost given the net requirement r = load - PV + flexible + charge - discharge
/// is exact: the cheaper meter mode, with curtailment chosen within [0, PV] and flows within the connection.
/// The grid makes the energy path coarse, so the agent keeps only the decisions and re-solves its continuous
/// flows with them fixed (an LP); the dynamic programme's value is an estimate, not a bound.
struct PlanSearch {
    /// The decisions of the best path on the grid.
    struct Decisions: Equatable {
        /// Per period: the meter feeds (true) or draws (false).
        var feeds: [Bool]
        /// Per period: +1 charge, -1 discharge, 0 idle.
        var battery: [Int]
        /// Per flexible load, per period: runs.
        var flexOn: [[Bool]]
        /// The grid path's cost at the prices (currency), an estimate of the agent's optimal value.
        var value: Double
    }

    /// Energy levels the grid aims at over the battery's usable range.
    static let levels = 48
    /// Largest product of flexible loads' (runs + 1) searched; beyond it the agent uses its MILP.
    static let maxFlexStates = 256

    /// The cost per hour of meeting net requirement `r` (kW) in a period, and whether the meter then feeds:
    /// draw mode (feed 0, draw = r + curtailment in [0, connection]) or feed mode (draw 0, feed = -(r +
    /// curtailment) in [0, connection]), curtailment in [0, pv], each with the best curtailment for its price.
    /// With a target (draw, feed, weight), each kW of distance from the target's draw and feed costs `weight`.
    @inline(__always)
    static func stage(
        _ r: Double, draw b: Double, feed s: Double, pv: Double, connection: Double,
        target: (draw: Double, feed: Double, weight: Double) = (0, 0, 0)
    ) -> (cost: Double, feeds: Bool) {
        var best = Double.infinity, feeds = false
        let w = target.weight
        let dLo = max(0, -r), dHi = min(pv, connection - r)
        if dLo <= dHi + 1e-12 {
            // Draw x in [r + dLo, r + dHi]: b x + w |x - target draw| + w * target feed, convex in x.
            let lo = r + dLo, hi = r + max(dLo, dHi)
            for x in [lo, hi, min(hi, max(lo, target.draw))] {
                let c = b * x + w * (abs(x - target.draw) + target.feed)
                if c < best { best = c }
            }
        }
        let fLo = max(0, -r - connection), fHi = min(pv, -r)
        if fLo <= fHi + 1e-12 {
            let lo = -r - max(fLo, fHi), hi = -r - fLo
            for y in [lo, hi, min(hi, max(lo, target.feed))] {
                let c = -s * y + w * (abs(y - target.feed) + target.draw)
                if c < best - 1e-15 { best = c; feeds = true }
            }
        }
        return (best, feeds)
    }

    /// The battery's energy grid: `E` levels `delta` apart, anchored at the initial energy (level `i0`), the
    /// lowest level that meets the final charge (`iFinal`) and the steps a period allows up and down.
    struct EnergyGrid {
        var E = 1, i0 = 0, iFinal = 0, kUp = 0, kDown = 0, delta = 0.0
        var chargeEff = 1.0, dischargeEff = 1.0, wear = 0.0
        var K: Int { kUp + kDown + 1 }

        /// `nil` when no grid level meets the final charge (or the battery's range is below the grid's resolution).
        init?(_ battery: Storage?, dt: Double) {
            guard let b = battery else { return }
            guard b.powerKW > 0, b.capacityKWh > 0, b.maxSoC > b.minSoC else {
                // A battery that cannot move: only its final-charge rule matters.
                if b.initialEnergy < max(b.minSoC, b.finalMinSoC) * b.capacityKWh - 1e-9 { return nil }
                return
            }
            let lo = b.minSoC * b.capacityKWh, hi = b.maxSoC * b.capacityKWh, e0 = b.initialEnergy
            let final = max(b.minSoC, b.finalMinSoC) * b.capacityKWh
            chargeEff = b.chargeEfficiency; dischargeEff = b.dischargeEfficiency; wear = b.degradationCostPerKWh
            let upStep = b.powerKW * dt * chargeEff, downStep = b.powerKW * dt / dischargeEff
            delta = min((hi - lo) / Double(PlanSearch.levels), upStep / 2, downStep / 2)
            guard delta > 1e-9 else { return nil }
            let below = Int(((e0 - lo) / delta + 1e-9).rounded(.down)), above = Int(((hi - e0) / delta + 1e-9).rounded(.down))
            E = below + above + 1
            i0 = below
            iFinal = below + Int(((final - e0) / delta - 1e-9).rounded(.up))
            guard iFinal < E else { return nil }
            iFinal = max(0, iFinal)
            kUp = Int((upStep / delta + 1e-9).rounded(.down))
            kDown = Int((downStep / delta + 1e-9).rounded(.down))
        }

        /// The battery's term of the net requirement and its wear cost, per step k (index `k + kDown`).
        func steps(dt: Double) -> (net: [Double], wear: [Double]) {
            var net = [Double](repeating: 0, count: K), cost = [Double](repeating: 0, count: K)
            for k in -kDown...kUp where k != 0 {
                let energy = Double(k) * delta
                if k > 0 {
                    let charge = energy / (dt * chargeEff)
                    net[k + kDown] = charge; cost[k + kDown] = wear * dt * charge
                } else {
                    let discharge = -energy * dischargeEff / dt
                    net[k + kDown] = -discharge; cost[k + kDown] = wear * dt * discharge
                }
            }
            return (net, cost)
        }
    }

    /// The dynamic programme over (period, flexible-load run counts in mixed radix, energy level).
    struct Programme {
        let p: Prosumer
        let T: Int, dt: Double
        let signal: PriceSignal
        let target: ProsumerAgent.Target?
        let grid: EnergyGrid
        let flex: [FlexibleLoad]
        /// Mixed-radix place value of each flexible load's run count; `F` states in all.
        let radix: [Int], F: Int
        let batteryNet: [Double], batteryWear: [Double]
        var S: Int { grid.E * F }
        /// Per (t, state): the best step and action mask, mask -1 where no path.
        var policyStep: [Int16] = [], policyMask: [Int16] = []

        func aim(_ t: Int) -> (draw: Double, feed: Double, weight: Double) {
            guard let target else { return (0, 0, 0) }
            return (target.draw[t], target.feed[t], target.weight)
        }

        func activeLoads(_ t: Int) -> [Int] { flex.indices.filter { flex[$0].earliest <= t && t <= flex[$0].latest } }

        /// The backward pass: the optimal value from the start, nil when no path meets every rule.
        mutating func backward() -> Double? {
            let E = grid.E, K = grid.K
            var next = [Double](repeating: .infinity, count: S)
            let full = flex.indices.reduce(0) { $0 + flex[$1].runPeriods * radix[$1] }
            for i in grid.iFinal..<E { next[full * E + i] = 0 }
            policyStep = [Int16](repeating: 0, count: T * S)
            policyMask = [Int16](repeating: -1, count: T * S)
            var current = [Double](repeating: .infinity, count: S)
            var costs = [Double](repeating: 0, count: K)
            for t in stride(from: T - 1, through: 0, by: -1) {
                for s in 0..<S { current[s] = .infinity }
                let active = activeLoads(t)
                guard active.count <= 8 else { return nil }
                let goal = aim(t)
                for mask in 0..<(1 << active.count) {
                    var power = 0.0
                    for (bit, k) in active.enumerated() where mask & (1 << bit) != 0 { power += flex[k].powerKW }
                    for k in 0..<K {
                        let r = p.loadKW[t] - p.pvKW[t] + power + batteryNet[k]
                        costs[k] =
                            dt
                            * stage(
                                r, draw: signal.draw[t], feed: signal.feed[t], pv: p.pvKW[t], connection: p.connectionKW,
                                target: goal
                            ).cost + batteryWear[k]
                    }
                    for f in 0..<F {
                        guard let to = successor(f, mask: mask, active: active, t: t) else { continue }
                        relax(t, from: f, to: to, mask: mask, costs: costs, next: next, current: &current)
                    }
                }
                swap(&current, &next)
            }
            let value = next[grid.i0]
            return value.isFinite ? value : nil
        }

        /// The run-count state after `mask`'s loads run in period `t`, nil when a load could then no longer
        /// finish in its window (or would run too often).
        func successor(_ f: Int, mask: Int, active: [Int], t: Int) -> Int? {
            var target = f
            for (bit, k) in active.enumerated() {
                let count = (f / radix[k]) % (flex[k].runPeriods + 1)
                let on = mask & (1 << bit) != 0 ? 1 : 0
                let after = count + on
                if after > flex[k].runPeriods || after + (flex[k].latest - t) < flex[k].runPeriods { return nil }
                target += on * radix[k]
            }
            return target
        }

        /// Bellman updates of every energy level of run-count state `f` through action `mask`.
        @inline(__always)
        mutating func relax(_ t: Int, from f: Int, to target: Int, mask: Int, costs: [Double], next: [Double], current: inout [Double]) {
            let E = grid.E, kUp = grid.kUp, kDown = grid.kDown, S = S
            for i in 0..<E {
                let lo = max(-kDown, -i), hi = min(kUp, E - 1 - i)
                var best = current[f * E + i], bestK = 0, found = false
                let row = target * E + i
                if lo <= hi {
                    for k in lo...hi {
                        let v = costs[k + kDown] + next[row + k]
                        if v < best { best = v; bestK = k; found = true }
                    }
                }
                if found {
                    current[f * E + i] = best
                    policyStep[t * S + f * E + i] = Int16(bestK)
                    policyMask[t * S + f * E + i] = Int16(mask)
                }
            }
        }

        /// The forward pass: the decisions along the optimal policy from the start.
        func trace(value: Double) -> Decisions? {
            let E = grid.E
            var d = Decisions(
                feeds: Array(repeating: false, count: T), battery: Array(repeating: 0, count: T),
                flexOn: flex.map { _ in Array(repeating: false, count: T) }, value: value)
            var i = grid.i0, f = 0
            for t in 0..<T {
                let at = t * S + f * E + i
                let mask = Int(policyMask[at]), k = Int(policyStep[at])
                guard mask >= 0 else { return nil }
                var power = 0.0
                for (bit, j) in activeLoads(t).enumerated() where mask & (1 << bit) != 0 {
                    d.flexOn[j][t] = true
                    power += flex[j].powerKW
                    f += radix[j]
                }
                let r = p.loadKW[t] - p.pvKW[t] + power + batteryNet[k + grid.kDown]
                d.feeds[t] = stage(r, draw: signal.draw[t], feed: signal.feed[t], pv: p.pvKW[t], connection: p.connectionKW, target: aim(t)).feeds
                d.battery[t] = k.signum()
                i += k
            }
            return d
        }
    }

    /// The best decisions at `signal`'s prices, or `nil` when the grid cannot represent the prosumer (too many
    /// flexible-load states, or no grid level meets the final charge): the caller then uses its MILP.
    static func search(_ p: Prosumer, periods T: Int, dt: Double, signal: PriceSignal, target: ProsumerAgent.Target? = nil) -> Decisions? {
        guard let grid = EnergyGrid(p.battery, dt: dt) else { return nil }
        var radix: [Int] = [], F = 1
        for f in p.flexibleLoads {
            radix.append(F)
            F *= f.runPeriods + 1
            if F > maxFlexStates { return nil }
        }
        let (net, wear) = grid.steps(dt: dt)
        var programme = Programme(
            p: p, T: T, dt: dt, signal: signal, target: target, grid: grid, flex: p.flexibleLoads,
            radix: radix, F: F, batteryNet: net, batteryWear: wear)
        guard let value = programme.backward() else { return nil }
        return programme.trace(value: value)
    }
}
