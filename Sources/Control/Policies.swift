import DataIO
import Foundation
import GLPKSolver
import LinearProgramming
import Optimize

/// A battery controller: asked once a period for a battery power (kW, positive charges).
public protocol BatteryPolicy {
    /// `rule`, `qlearning`, `dqn`, `mpc`, `perfect-foresight`, ...
    var name: String { get }
    /// Called as a day starts (the optimizers plan here).
    mutating func beginDay(_ env: BatteryEnvironment) throws
    /// The battery power requested for the environment's current period.
    mutating func act(_ observation: Observation, _ env: BatteryEnvironment) throws -> Double
}

extension BatteryPolicy {
    public mutating func beginDay(_ env: BatteryEnvironment) throws {}
}

/// The discrete actions of the learning policies. Levels are shares of the battery's power; the three
/// load-following actions set the power from the period's metered net load (`load - pv`), so that a discrete
/// policy can match a surplus exactly.
public enum DiscreteAction: Int, CaseIterable, Codable, Sendable {
    case dischargeFull, dischargeHalf, idle, chargeHalf, chargeFull
    /// Charge the surplus, discharge the deficit (the rule-based policy's action).
    case followNetLoad
    /// Charge the surplus, never discharge.
    case storeSurplus
    /// Discharge the deficit, never charge.
    case coverDeficit

    /// The requested power (kW) for this observation; the environment clamps it to what the physics allow.
    public func power(_ o: Observation, batteryKW p: Double) -> Double {
        let net = o.netLoad
        switch self {
        case .dischargeFull: return -p
        case .dischargeHalf: return -p / 2
        case .idle: return 0
        case .chargeHalf: return p / 2
        case .chargeFull: return p
        case .followNetLoad: return -net
        case .storeSurplus: return max(0, -net)
        case .coverDeficit: return -max(0, net)
        }
    }
}

/// Store surplus, discharge on deficit: the self-consumption rule most home batteries ship with.
public struct RuleBasedPolicy: BatteryPolicy {
    public let name = "rule"
    public init() {}
    public func act(_ o: Observation, _ env: BatteryEnvironment) throws -> Double { -o.netLoad }
}

/// A day's optimal plan of one prosumer through the project's schedule model (spec/community.md for a community
/// of one, without pool or shared storage), solved by GLPK to a relative gap of 1e-7.
enum DayPlanner {
    static func plan(
        _ data: HouseholdDays, day: Int, from t0: Int, energy: Double, load: [Double], pv: [Double]
    ) throws -> (cost: Double, power: [Double]) {
        let T = data.periodsPerDay
        var battery = data.battery
        battery.initialSoC = min(battery.maxSoC, max(battery.minSoC, energy / battery.capacityKWh))
        let p = Prosumer(id: data.prosumer, connectionKW: data.connectionKW, loadKW: load, pvKW: pv, battery: battery, flexibleLoads: [])
        let c = Community(
            name: "control-\(data.prosumer)", start: data.first.addingTimeInterval(Double(day) * 86_400 + Double(t0 * data.periodMinutes * 60)),
            periodMinutes: data.periodMinutes, periods: T - t0,
            grid: Grid(
                importPrice: Array(data.grid.importPrice[t0...]), exportPrice: Array(data.grid.exportPrice[t0...]),
                importLimitKW: data.grid.importLimitKW, exportLimitKW: data.grid.exportLimitKW),
            p2p: P2P(enabled: false, feePerKWh: 0), sharedStorage: nil, prosumers: [p])
        var options = SolverOptions()
        options.relativeGap = 1e-7
        let r = try CommunityScheduler(solver: GLPKSolver(), options: options, standalone: false).schedule(c)
        guard r.status.hasSolution, let objective = r.objective, r.flows.count == 1 else {
            throw ControlError.optimizerFailed(day: data.label(day), detail: "the schedule model found no schedule from period \(t0) (\(r.status))")
        }
        return (objective, r.flows[0].map { $0.batteryCharge - $0.batteryDischarge })
    }
}

/// The perfect-foresight optimum: the schedule model solved on the day's actual load and PV. No policy can pay
/// less on a day (a lower bound that guards the environment and the optimizer alike).
public struct PerfectForesightPolicy: BatteryPolicy {
    public let name = "perfect-foresight"
    var plan: [Double] = []
    /// The optimizer's cost of each day planned so far, by day.
    public private(set) var optimum: [Int: Double] = [:]

    public init() {}

    public mutating func beginDay(_ env: BatteryEnvironment) throws {
        let d = env.day
        let r = try DayPlanner.plan(env.data, day: d, from: 0, energy: env.energy, load: env.data.load[d], pv: env.data.pv[d])
        plan = r.power
        optimum[d] = r.cost
    }

    public func act(_ o: Observation, _ env: BatteryEnvironment) throws -> Double { plan[o.period] }
}

/// A series an analysis tells MPC in advance (see ``MPCPolicy/knows``).
public enum MPCOracle: String, CaseIterable, Sendable {
    case load, pv
}

/// Model predictive control: every period, the schedule model re-plans the rest of the day from the battery's
/// energy with this period's metered load and PV and the forecasts after it, and applies the first period's
/// power; settled on the actual values by the environment.
///
/// The forecasts are the day-ahead ones, corrected within the day by what the meter shows: the load forecast
/// k periods ahead gets this period's error times `loadPersistence^k` (household load errors persist for a few
/// periods), and the PV forecast is scaled toward this period's ratio of actual to forecast PV, by
/// `pvPersistence^k` (a cloudy morning tends to stay cloudy).
///
/// With `scenarioDays` > 0 (the default, 28) the plan is stochastic: the rest of the day is each of the last
/// `scenarioDays` days' actual PV with a past day's actual load (history before the day only: the same day, or
/// with `sameDayType` the nearest day of today's type, weekday or weekend), each corrected within the day in the
/// same way by its own error at this period, and weighted by how close it was to this day so far (`analog`) or
/// equally. The current period's power is the one decision all scenarios share (``ScenarioPlanner``); the
/// day-ahead forecasters then play no part in the plan. With `scenarioDays` 0 it plans on the forecasts alone.
public struct MPCPolicy: BatteryPolicy {
    public let name = "mpc"
    public var loadPersistence: Double
    public var pvPersistence: Double
    /// Past days used as scenarios of the rest of the day; 0 plans on the day-ahead forecast alone.
    public var scenarioDays: Int
    /// Weight the scenarios by how close each day was to this one so far (a Gaussian kernel on the RMS distance of
    /// load and PV up to this period, bandwidth the median distance); equal weights otherwise.
    public var analog: Bool
    /// Take each scenario's load from a past day of the same type as this one (Monday to Friday, or Saturday and
    /// Sunday, in UTC dates): each past day's PV is paired with the load of the nearest day of today's type, when
    /// at least ``minimumSameTypeDays`` of them are among the `scenarioDays`. A household's weekend differs from
    /// its weekdays, and the night's charging is decided before the day so far can tell them apart; PV keeps all
    /// `scenarioDays` days.
    public var sameDayType: Bool
    /// Fewest same-type days for ``sameDayType`` to apply.
    public static let minimumSameTypeDays = 4
    /// For analysis only: series MPC is told the day's actual rest of (every scenario, or the forecast, holds the
    /// actual values), to measure what a perfect forecast of it would be worth. Empty in real use.
    public var knows: Set<MPCOracle>

    public init(
        loadPersistence: Double = 0.5, pvPersistence: Double = 0.8, scenarioDays: Int = 28, analog: Bool = true, sameDayType: Bool = true,
        knows: Set<MPCOracle> = []
    ) {
        self.analog = analog
        self.sameDayType = sameDayType
        self.knows = knows
        self.loadPersistence = loadPersistence
        self.pvPersistence = pvPersistence
        self.scenarioDays = scenarioDays
    }

    /// The scenarios of the periods after this one: the last `scenarioDays` days before this day, each corrected by
    /// this period's load error and PV ratio against it.
    func scenarios(_ o: Observation, _ env: BatteryEnvironment) -> [Scenario] {
        let d = env.data, t = o.period, today = env.day
        let past = (1...max(1, scenarioDays)).map { today - $0 }.filter { $0 >= 0 }
        let loadDays = sameDayTypeLoadDays(past, today: today, d)
        let all = zip(past, loadDays).map { day, loadDay in
            let load = d.load[loadDay], pv = d.pv[day]
            let rest = corrected(load: load, pv: pv, o)
            var s = Scenario(load: rest.load, pv: rest.pv, weight: 1)
            if analog {
                // How far this day so far is from the scenario day over the same periods (kW, RMS).
                var sq = 0.0
                for k in 0...t {
                    let a = (k == t ? o.load : d.load[today][k]) - load[k], b = (k == t ? o.pv : d.pv[today][k]) - pv[k]
                    sq += a * a + b * b
                }
                s.weight = (sq / Double(t + 1)).squareRoot()
            }
            return s
        }
        return weigh(all).map { s in
            var s = s
            if knows.contains(.load) { s.load = Array(d.load[today][(t + 1)...]) }
            if knows.contains(.pv) { s.pv = Array(d.pv[today][(t + 1)...]) }
            return s
        }
    }

    /// The day whose load goes with each past day's PV in a scenario: the day itself, or with ``sameDayType`` (and
    /// at least ``minimumSameTypeDays`` days of today's type among `past`) the nearest day of today's type (the
    /// later one on a tie). PV does not care what day of the week it is; load does.
    func sameDayTypeLoadDays(_ past: [Int], today: Int, _ d: HouseholdDays) -> [Int] {
        guard sameDayType else { return past }
        let same = past.filter { d.isWeekend(day: $0) == d.isWeekend(day: today) }
        guard same.count >= Self.minimumSameTypeDays else { return past }
        return past.map { j in same.min { (abs($0 - j), -$0) < (abs($1 - j), -$1) }! }
    }

    /// The periods after this one of a whole-day reference (the day-ahead forecast or a past day), corrected by
    /// what the meter shows now: this period's load error times `loadPersistence^k` k periods ahead, and the PV
    /// scaled toward this period's ratio of actual to reference PV by `pvPersistence^k`. The ratio is used only
    /// where the reference PV is above a tenth of its peak (dawn and dusk ratios are noise), and capped at 3.
    func corrected(load: [Double], pv: [Double], _ o: Observation) -> (load: [Double], pv: [Double]) {
        let t = o.period
        let loadError = o.load - load[t]
        let peak = pv.max() ?? 0
        let ratio = pv[t] > 0.1 * peak && pv[t] > 0 ? min(3, o.pv / pv[t]) : 1
        var (wl, wp) = (1.0, 1.0)
        var rest: (load: [Double], pv: [Double]) = ([], [])
        for k in (t + 1)..<load.count {
            wl *= loadPersistence
            wp *= pvPersistence
            rest.load.append(max(0, load[k] + loadError * wl))
            rest.pv.append(max(0, pv[k] * (1 + (ratio - 1) * wp)))
        }
        return rest
    }

    /// Equal weights, or (analog) a Gaussian kernel on the distances held in `weight`, with the median distance as
    /// its bandwidth.
    func weigh(_ scenarios: [Scenario]) -> [Scenario] {
        var out = scenarios
        if analog {
            let sorted = scenarios.map(\.weight).sorted()
            let h = max(1e-6, sorted[sorted.count / 2])
            for i in out.indices { out[i].weight = exp(-0.5 * (scenarios[i].weight / h) * (scenarios[i].weight / h)) }
        } else {
            for i in out.indices { out[i].weight = 1 }
        }
        let total = out.reduce(0) { $0 + $1.weight }
        for i in out.indices { out[i].weight /= total }
        return out
    }

    /// The corrected forecasts of this period (the metered values) and the rest of the day.
    func forecasts(_ o: Observation, _ env: BatteryEnvironment) -> (load: [Double], pv: [Double]) {
        let d = env.data, t = o.period
        var load = [o.load] + Array(o.forecastLoad), pv = [o.pv] + Array(o.forecastPV)
        if !d.forecastLoad[env.day].isEmpty {
            let rest = corrected(load: d.forecastLoad[env.day], pv: d.forecastPV[env.day], o)
            load = [o.load] + rest.load
            pv = [o.pv] + rest.pv
        }
        if knows.contains(.load) { load = Array(d.load[env.day][t...]) }
        if knows.contains(.pv) { pv = Array(d.pv[env.day][t...]) }
        return (load, pv)
    }

    public func act(_ o: Observation, _ env: BatteryEnvironment) throws -> Double {
        if scenarioDays > 0, env.day > 0 {
            return try ScenarioPlanner.firstPower(
                env.data, day: env.day, from: o.period, energy: o.energy, load: o.load, pv: o.pv, scenarios: scenarios(o, env))
        }
        let (load, pv) = forecasts(o, env)
        // A forecast above the draw limit makes the plan infeasible: the forecast is capped to what can be served.
        let servable = zip(load, pv).map { min($0, env.data.drawLimit + $1 + env.data.battery.powerKW) }
        return try DayPlanner.plan(env.data, day: env.day, from: o.period, energy: o.energy, load: servable, pv: pv).power[0]
    }
}
