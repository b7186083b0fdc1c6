import LinearProgramming
import Optimize

/// One prosumer's own day-ahead problem (spec/community.md with the prosumer alone: no pool, no shared storage),
/// solved through the schedule model, so that batteries, flexible loads and the meter rule are the central
/// schedule's own. Used to derive bids from flexibility and to settle what the market did not trade.
struct ProsumerProblem {
    var community: Community
    var index: Int
    var scheduler: CommunityScheduler

    var prosumer: Prosumer { community.prosumers[index] }

    /// The prosumer alone under `importPrice` / `exportPrice` per period, with `extraSupplyKW` added to its PV and
    /// `extraDemandKW` to its load (energy bought and sold in the market, as average power over each period).
    func solve(
        importPrice: [Double], exportPrice: [Double], extraSupplyKW: [Double]? = nil,
        extraDemandKW: [Double]? = nil
    ) throws -> (net: [Double], cost: Double) {
        var p = prosumer
        if let s = extraSupplyKW { p.pvKW = zip(p.pvKW, s).map { $0 + $1 } }
        if let d = extraDemandKW { p.loadKW = zip(p.loadKW, d).map { $0 + $1 } }
        let alone = Community(
            name: "\(community.name)/\(p.id)", start: community.start, periodMinutes: community.periodMinutes,
            periods: community.periods,
            grid: Grid(
                importPrice: importPrice, exportPrice: exportPrice, importLimitKW: p.connectionKW,
                exportLimitKW: p.connectionKW),
            p2p: P2P(enabled: false, feePerKWh: 0), sharedStorage: nil, prosumers: [p])
        let result = try scheduler.schedule(alone)
        guard result.status.hasSolution, let cost = result.objective else {
            let message =
                "prosumer \(p.id): its own problem ended \(result.status.rawValue) under the market's prices"
                + (result.diagnosis.map { " (\($0.sentence))" } ?? "")
            throw result.status == .infeasible ? MarketError.infeasible(message) : MarketError.noSolution(message)
        }
        let dt = community.hoursPerPeriod
        return (result.flows[0].map { ($0.gridImport - $0.gridExport) * dt }, cost)
    }
}
