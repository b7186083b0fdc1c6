import Anomalies
import Agents
import CbcSolver
import DataIO
import Forecast
import Foundation
import GLPKSolver
import LinearAlgebra
import LinearProgramming
import Market
import Optimize

/// Why a day-ahead run cannot go on: bad input (exit code 2) naming the file, line or field, except a prosumer
/// whose pricing problem has no feasible answer of its own (infeasible, exit code 3).
public enum DayAheadError: PeerGridError {
    /// An option or a file that cannot be used as it is.
    case badInput(String)
    /// A history CSV that cannot be used: file, line and the problem.
    case history(TimeSeriesError)
    /// A community file that breaks the spec.
    case community(CommunityFileError)
    /// A pricing section the storage game cannot use (bad input), or a prosumer without a feasible answer of its
    /// own (infeasible): the community file and the reason, with the kind kept.
    case pricing(file: String, PricingInputError)
    /// The peer-to-peer market could not settle (bad settings, or a prosumer without a plan of its own under the
    /// market's trades): the community file and the reason, with the kind kept.
    case market(file: String, MarketError)

    public var description: String {
        switch self {
        case let .badInput(m): return m
        case let .history(e): return e.description
        case let .community(e): return e.description
        case let .pricing(file, e): return "\(file): \(e.description)"
        case let .market(file, e): return "\(file): market: \(e.description)"
        }
    }

    public var kind: FailureKind {
        switch self {
        case let .pricing(_, e): return e.kind
        case let .market(_, e): return e.kind
        default: return .badInput
        }
    }
}

/// Settings of a day-ahead run.
public struct DayAheadOptions: Sendable {
    /// How the schedule is found: one central MILP, or the prosumers' agents (`peergrid clear`).
    public enum Method: String, Sendable, CaseIterable { case central, agents }
    public var method: Method = .central

    /// `auto` (a short backtest per series picks among ``autoCandidates``) or a forecaster name.
    public var model = "auto"
    /// The day to plan (`YYYY-MM-DD`, UTC); `nil` = the day after the history ends.
    public var date: String?
    public var solver: SolverBackend = .cbc
    /// Wall-clock limit of the schedule solve (seconds); `nil` = none.
    public var scheduleTimeLimit: Double?
    /// Wall-clock limit of the pricing solve (seconds). Uniform pricing of a large community is hard (see the
    /// pricing benchmark); the report gives the gap reached.
    public var pricingTimeLimit: Double = 60
    public var gap = 1e-4
    public var threads = 1
    /// Time zone of offset-free timestamps in history files.
    public var timeZone: TimeZone?
    /// Neural forecasters: seed and most epochs (their defaults otherwise).
    public var seed: UInt64?
    public var epochs: Int?
    /// What `auto` chooses among: quick statistical models. `lstm` and `cnn` are used when asked by name.
    public var autoCandidates = ["seasonal-naive", "seasonal-naive-day", "ar-weekly", "arima", "mstl-arima"]
    /// Days of the short backtest behind `auto`.
    public var autoTestDays = 3
    /// Split-conformal calibration of every series' interval at ``level`` (``ConformalCalibration``): the forecaster that
    /// made the day's forecast (`auto` included) is refitted at this many rolling origins one day apart before the
    /// forecast origin, and its errors there give each horizon step's half-width. 0: the models' own intervals.
    public var calibrationDays = 0
    /// The prediction intervals' level (0.5 to 0.999; default 0.95): forecast.csv's `lower_L_kw`/`upper_L_kw`,
    /// the report's band and coverage, and what ``calibrationDays`` calibrates to. The schedule uses the point
    /// forecasts only.
    public var level = 0.95
    /// With ``calibrationDays``: adapt the interval's level over this many more days before them first (adaptive
    /// conformal inference with ``Backtest/recommendedAdaptiveGamma``, as `forecast --aci-days`). 0: plain.
    public var aciDays = 0
    /// Show the solvers' logs.
    public var verbose = false
    /// A peer-to-peer market to clear on the forecast community (`nil`: none).
    public var market: MechanismName?
    /// Price steps of the derived bids.
    public var marketSteps = 5
    /// Public holidays: the load series are forecast with ``HolidayForecaster`` (holidays as Sundays); PV is not.
    public var holidays: HolidayCalendar?

    public init() {}

    /// `,"holidays":"<zone>:<dates>"` with a calendar, else empty (runs without one keep their keys).
    var holidayFingerprint: String {
        guard let holidays else { return "" }
        return ",\"holidays\":\"\(holidays.timeZone):\(holidays.dates.joined(separator: " "))\""
    }

    /// The settings as JSON text (stable key order): part of a run's identity in the results store.
    public var fingerprintText: String {
        "{\"model\":\"\(model)\",\"solver\":\"\(solver.rawValue)\",\"schedule_time_limit\":\(scheduleTimeLimit.map { "\($0)" } ?? "null"),\"pricing_time_limit\":\(pricingTimeLimit),\"gap\":\(gap),\"threads\":\(threads),\"seed\":\(seed.map { "\($0)" } ?? "null"),\"epochs\":\(epochs.map { "\($0)" } ?? "null"),\"auto\":\"\(autoCandidates.joined(separator: ","))\",\"auto_test_days\":\(autoTestDays)\(calibrationDays > 0 ? ",\"calibration_days\":\(calibrationDays)" : "")\(aciDays > 0 ? ",\"aci_days\":\(aciDays)" : "")\(market.map { ",\"market\":\"\($0.rawValue)\",\"market_steps\":\(marketSteps)" } ?? "")\(level != 0.95 ? ",\"level\":\(level)" : "")\(holidayFingerprint)}"
    }
}

/// The day's plan against what was metered on the day (when the history covers it): what the plan was expected to
/// cost on the forecasts, what it costs with the homes' batteries and flexible loads as planned and the grid, pool,
/// curtailment and shared storage dispatched again on the metered load and PV
/// (``CommunityScheduler/recourse(_:keeping:)``), and the metered day's optimum (perfect foresight). `keptCost -
/// optimumCost` is what the forecast errors cost the plan.
public struct MeteredDay: Sendable {
    /// Whether the plan holds anything on the day: false when no home has a battery or a flexible load, so that
    /// everything is dispatched again and the plan kept is the day's optimum by construction.
    public var holdsDecisions = true
    public var planCost: Double
    public var keptStatus: SolutionStatus
    public var keptCost: Double?
    public var optimumStatus: SolutionStatus
    public var optimumCost: Double?
    /// Wall-clock seconds of the check (the two solves).
    public var seconds = 0.0

    /// What the forecast errors cost (`keptCost - optimumCost`), nil when either has no schedule or nothing is held.
    public var forecastErrorCost: Double? {
        guard holdsDecisions, let k = keptCost, let o = optimumCost else { return nil }
        return k - o
    }

    /// One line: `the plan kept costs 93.12 (planned 90.47 on the forecasts); the day's optimum with hindsight
    /// 91.80: the forecast errors cost 1.32 (1.4 %)`, or why a figure is missing.
    public var sentence: String {
        guard holdsDecisions else {
            return "nothing is held to the plan (no home battery or flexible load), so the day costs its optimum with hindsight, "
                + (optimumCost.map { String(format: "%.2f", $0) } ?? "none (\(optimumStatus.rawValue))")
                + String(format: " (planned %.2f on the forecasts)", planCost)
        }
        let kept = keptCost.map { String(format: "the plan kept costs %.2f", $0) } ?? "the plan cannot be kept (\(keptStatus.rawValue))"
        let optimum = optimumCost.map { String(format: "the day's optimum with hindsight %.2f", $0) } ?? "no optimum (\(optimumStatus.rawValue))"
        let error =
            forecastErrorCost.map { e in
                String(format: ": the forecast errors cost %.2f", e)
                    + (optimumCost.map { abs($0) > 1e-9 ? String(format: " (%.1f %%)", 100 * e / abs($0)) : "" } ?? "")
            } ?? ""
        return kept + String(format: " (planned %.2f on the forecasts); ", planCost) + optimum + error
    }
}

/// A plan's home decisions held on the metered day, for agents that take no held decisions: each home's planned
/// battery charge and flexible power are added to its load, and its planned discharge beyond that to its PV, so
/// that its agent has no device left to decide and answers for its meter alone. ``heldCost`` is what the held
/// flows cost the homes' batteries (degradation), which the folded community no longer counts.
struct MeteredDayHold {
    var community: Community
    var heldCost = 0.0
    /// Per prosumer and period, the PV of the metered day (what may be curtailed).
    var pv: [[Double]]

    init(_ metered: Community, keeping plan: ScheduleResult) {
        community = metered
        pv = metered.prosumers.map(\.pvKW)
        for (i, p) in metered.prosumers.enumerated() {
            let flows = plan.flows[i]
            for t in 0..<metered.periods {
                let consumed = p.loadKW[t] + flows[t].flexible + flows[t].batteryCharge
                let discharge = flows[t].batteryDischarge
                community.prosumers[i].loadKW[t] = max(0, consumed - discharge)
                community.prosumers[i].pvKW[t] = p.pvKW[t] + max(0, discharge - consumed)
                if let b = p.battery {
                    heldCost += metered.hoursPerPeriod * b.degradationCostPerKWh * (flows[t].batteryCharge + discharge)
                }
            }
            community.prosumers[i].battery = nil
            community.prosumers[i].flexibleLoads = []
        }
    }

    /// Whether `kept` curtails more than a home's PV somewhere (then the folded PV's battery part was curtailed).
    func wastesHeldEnergy(_ kept: ScheduleResult) -> Bool {
        zip(kept.flows, pv).contains { flows, pv in zip(flows, pv).contains { $0.curtail > $1 + 1e-6 } }
    }
}

/// One prosumer series forecast for the day, at the community's periods.
public struct SeriesForecast: Sendable {
    public var source: SeriesSource
    /// The model used (`zero` for a series that was zero throughout its last two weeks, such as no PV).
    public var model: String
    /// `auto`: each candidate's mean absolute error over the short backtest (kW), in candidate order.
    public var selection: [(model: String, mae: Double)]
    public var point: [Double]
    public var lower: [Double]
    public var upper: [Double]
    /// What happened, when the history covers the day.
    public var actual: [Double]?
    /// The last two days before the day, at the community's periods (for the charts).
    public var recent: [Double]
    /// Observations fitted on.
    public var observations: Int
    /// Meter anomalies flagged in the last ``anomalyWindowDays`` days of the history (empty when shorter than three
    /// days); `start` counts from ``anomalyWindowStart``.
    public var anomalies: [AnomalyFlag] = []
    /// Timestamp of the first observation the anomaly check saw.
    public var anomalyWindowStart: Date?
    /// Seconds between the history's observations.
    public var historyStep: TimeInterval = 0
    /// Days of history checked for meter anomalies.
    public static let anomalyWindowDays = 28
    /// Seconds between the end of the history and the start of the day (0 when the history runs up to the day):
    /// the forecast runs that much further ahead than a day-ahead one.
    public var leadSeconds: TimeInterval = 0
}

/// Everything a day-ahead run produced.
public struct DayAheadResult: Sendable {
    /// The community for the day, with the forecasts as its load and PV.
    public var community: Community
    /// `YYYY-MM-DD`.
    public var date: String
    public var options: DayAheadOptions
    public var forecasts: [SeriesForecast]
    public var schedule: ScheduleResult
    public var pricingProblem: PricingProblem?
    public var pricing: PricingResult?
    /// Why pricing was skipped, when it was.
    public var pricingSkipped: String?
    public var communityFile: String
    public var communityHash: String
    public var historyFiles: [String]
    public var historyHash: String
    /// Free text from the community file's `provenance` field.
    public var provenance: [String]
    public var forecastSeconds = 0.0
    public var scheduleSeconds = 0.0
    public var pricingSeconds = 0.0
    public var totalSeconds = 0.0
    /// The peer-to-peer market, when asked for.
    public var market: DayAheadMarket?
    /// The plan against what was metered on the day, when the history covers the day (nil otherwise).
    public var meteredDay: MeteredDay?

    /// `community/date/fnv1a(settings + inputs)`: the identity of the job.
    public var runKey: String {
        DayAheadPlanner.runKey(community: community.name, date: date, options: options, communityHash: communityHash, historyHash: historyHash)
    }
}

/// The main job: forecasts every prosumer's load and PV for a day from its metered history, schedules the
/// community on the forecasts and prices the shared storage.
public struct DayAheadPlanner: Sendable {
    public var options: DayAheadOptions
    /// Called with a short line on what is being done (for a progress display).
    public var progress: (@Sendable (String) -> Void)?

    public init(options: DayAheadOptions, progress: (@Sendable (String) -> Void)? = nil) {
        self.options = options
        self.progress = progress
    }

    /// Refuses a model name, an `auto` candidate or a calibration length that the job cannot forecast with (before
    /// anything is read).
    public static func checkForecasters(_ options: DayAheadOptions) throws {
        let names = options.model == "auto" ? options.autoCandidates : [options.model]
        for n in names where !ForecasterCatalog.names.contains(n) && n != "seasonal-naive-week" {
            throw DayAheadError.badInput("--model: unknown model '\(n)' (\(ForecasterCatalog.names.joined(separator: ", ")))")
        }
        guard (0...366).contains(options.calibrationDays) else {
            throw DayAheadError.badInput("--calibration-days must be 0 to 366, not \(options.calibrationDays)")
        }
        guard (0...366).contains(options.aciDays) else { throw DayAheadError.badInput("--aci-days must be 0 to 366, not \(options.aciDays)") }
        guard options.aciDays == 0 || options.calibrationDays > 0 else { throw DayAheadError.badInput("--aci-days needs --calibration-days") }
        guard options.level.isFinite, (0.5...0.999).contains(options.level) else {
            throw DayAheadError.badInput("--level must be 50 to 99.9 percent, not \(options.level * 100)")
        }
        guard options.model == "auto" else { return }
        if let n = options.autoCandidates.first(where: { !AutoSelectForecaster.choosable.contains($0) }) {
            throw DayAheadError.badInput("--auto-candidates: auto cannot choose '\(n)' (choices: \(AutoSelectForecaster.choosable.joined(separator: ", ")))")
        }
        if options.autoCandidates.isEmpty { throw DayAheadError.badInput("--auto-candidates: no candidate given") }
        if let twice = options.autoCandidates.first(where: { n in options.autoCandidates.filter { $0 == n }.count > 1 }) {
            throw DayAheadError.badInput("--auto-candidates: \(twice) is named twice")
        }
    }

    /// Runs the job. `history`: `--history` (a CSV or a directory), or `nil` when the community file names its
    /// history columns.
    public func run(communityFile: String, history: String?) throws -> DayAheadResult {
        let clock = ContinuousClock.now
        try Self.checkForecasters(options)
        let inputs = try self.inputs(communityFile: communityFile, history: history)
        let forecastStart = ContinuousClock.now
        let forecasts = try forecastAll(inputs)
        let forecastSeconds = seconds(since: forecastStart)

        // The day's community: the template with the forecasts as load and PV.
        var community = inputs.template
        community.start = inputs.dayStart
        for (i, p) in community.prosumers.enumerated() {
            community.prosumers[i].loadKW = forecasts.first { $0.source.prosumer == p.id && $0.source.kind == .load }!.point
            community.prosumers[i].pvKW = forecasts.first { $0.source.prosumer == p.id && $0.source.kind == .pv }!.point
        }
        var solverOptions = SolverOptions(
            timeLimit: options.scheduleTimeLimit, relativeGap: options.gap, threads: options.threads,
            verbose: options.verbose)
        solverOptions.absoluteGap = 1e-9
        do { try solverOptions.validate() } catch let e as ModelError { throw DayAheadError.badInput("invalid solver option: \(e.description)") }
        let scheduleStart = ContinuousClock.now
        let schedule = try self.schedule(community, solverOptions, communityFile: communityFile)
        let scheduleSeconds = seconds(since: scheduleStart)
        let pricingStart = ContinuousClock.now
        let (problem, pricing, skipped) = try price(community, solverOptions, communityFile: communityFile)
        let pricingSeconds = seconds(since: pricingStart)
        var market: DayAheadMarket?
        if let name = options.market, schedule.status.hasSolution {
            progress?("peer-to-peer market (\(name.rawValue)): bids, clearing, settlement")
            let pool = schedule.settlement.map { Dictionary($0.bills.map { ($0.id, $0.bill) }, uniquingKeysWith: { a, _ in a }) }
            do { market = try DayAheadMarket.run(community, mechanism: name, steps: options.marketSteps, solver: solver(), pool: pool) } catch let e
                as MarketError
            { throw DayAheadError.market(file: communityFile, e) }
        }
        let meteredDay = try self.meteredDay(community, forecasts: forecasts, plan: schedule, solverOptions, communityFile: communityFile)
        var r = DayAheadResult(
            community: community, date: Self.dayFormatter.string(from: inputs.dayStart), options: options,
            forecasts: forecasts, schedule: schedule, pricingProblem: problem, pricing: pricing,
            pricingSkipped: skipped, communityFile: communityFile, communityHash: inputs.communityHash,
            historyFiles: inputs.historyFiles, historyHash: inputs.historyHash, provenance: inputs.provenance)
        r.forecastSeconds = forecastSeconds
        r.scheduleSeconds = scheduleSeconds
        r.pricingSeconds = pricingSeconds
        r.market = market
        r.meteredDay = meteredDay
        r.totalSeconds = seconds(since: clock)
        return r
    }

    /// Forecasts every series, two at a time (each is independent, so the order of completion does not matter).
    func forecastAll(_ inputs: RunInputs) throws -> [SeriesForecast] {
        let template = inputs.template
        let periodSeconds = Double(template.periodMinutes * 60)
        let dayLength = periodSeconds * Double(template.periods)
        var tables: [String: CSVTable] = [:]
        let splits = try inputs.sources.map {
            try HistoryReader.read($0, dayStart: inputs.dayStart, dayLength: dayLength, timeZone: options.timeZone, tables: &tables)
        }
        for s in splits {
            let ratio = periodSeconds / s.history.step
            guard ratio >= 1, abs(ratio - ratio.rounded()) < 1e-9 else {
                throw DayAheadError.history(
                    TimeSeriesError(
                        file: s.source.file, line: nil,
                        message:
                            "column \(s.source.column) has a \(Int(s.history.step)) s step; the community's \(template.periodMinutes)-minute periods must be a whole number of steps"
                    ))
            }
        }
        let results = ResultSlots<SeriesForecast>(count: splits.count)
        let done = ProgressCounter()
        // One BLAS thread per worker: two workers with two BLAS threads each oversubscribe the cores.
        BLASThreads.singleThreaded {
            DispatchQueue.concurrentPerform(iterations: splits.count) { k in
                do {
                    let f = try forecast(
                        splits[k], periodsPerCommunityPeriod: Int((periodSeconds / splits[k].history.step).rounded()),
                        periods: template.periods)
                    results.set(k, .success(f))
                    done.next { n in progress?("forecast \(n)/\(splits.count): \(f.source.prosumer) \(f.source.kind.rawValue) with \(f.model)") }
                } catch {
                    results.set(k, .failure(error))
                }
            }
        }
        return try results.values()
    }

    /// The day's schedule: the central MILP, or the prosumers' agents (`--method agents`).
    func schedule(_ community: Community, _ solverOptions: SolverOptions, communityFile: String) throws -> ScheduleResult {
        progress?("scheduling \(community.name) (\(counted(community.prosumers.count, "prosumer")), \(community.periods) periods)")
        do {
            if options.method == .agents {
                var clearing = ClearingOptions()
                clearing.timeLimit = options.scheduleTimeLimit
                return try DecentralizedClearing(community: community, options: clearing).run().schedule
            }
            return try CommunityScheduler(solver: solver(), options: solverOptions).schedule(community)
        } catch let e as ModelError { throw DayAheadError.badInput("\(communityFile): \(e.description)") }
    }

    /// When the history covers the day: the plan kept on what was metered and the schedule optimized on it. With
    /// the central MILP: ``CommunityScheduler/recourse(_:keeping:)`` and a schedule, with the same solver and
    /// options. With `--method agents` the agents do both (``meteredDayByAgents(metered:plan:)``), so no central
    /// solver sees a household. Nil when a series has no actual for the day or the plan has no schedule.
    func meteredDay(
        _ community: Community, forecasts: [SeriesForecast], plan: ScheduleResult, _ solverOptions: SolverOptions, communityFile: String
    ) throws -> MeteredDay? {
        guard plan.status.hasSolution, let planCost = plan.objective, forecasts.allSatisfy({ $0.actual != nil }) else {
            return nil
        }
        progress?("the plan on the metered day")
        var metered = community
        for (i, p) in metered.prosumers.enumerated() {
            metered.prosumers[i].loadKW = forecasts.first { $0.source.prosumer == p.id && $0.source.kind == .load }!.actual!
            metered.prosumers[i].pvKW = forecasts.first { $0.source.prosumer == p.id && $0.source.kind == .pv }!.actual!
        }
        let start = ContinuousClock.now
        do {
            let (kept, optimum): (ScheduleResult, ScheduleResult)
            if options.method == .agents {
                (kept, optimum) = try meteredDayByAgents(metered: metered, plan: plan)
            } else {
                let scheduler = CommunityScheduler(solver: solver(), options: solverOptions, standalone: false)
                (kept, optimum) = (try scheduler.recourse(metered, keeping: plan), try scheduler.schedule(metered))
            }
            return MeteredDay(
                holdsDecisions: community.prosumers.contains { $0.battery != nil || !$0.flexibleLoads.isEmpty }, planCost: planCost, keptStatus: kept.status,
                keptCost: kept.status.hasSolution ? kept.objective : nil, optimumStatus: optimum.status,
                optimumCost: optimum.status.hasSolution ? optimum.objective : nil, seconds: seconds(since: start))
        } catch let e as ModelError { throw DayAheadError.badInput("\(communityFile): \(e.description)") }
    }

    /// The metered-day check by the prosumers' agents: the day's optimum is a decentralized clearing of the metered
    /// community; the plan kept is one of ``MeteredDayHold/community`` (each home's planned battery and flexible
    /// power folded into its own load and PV, which each agent can do with its own data), plus the batteries'
    /// degradation on the held flows. When a home's kept dispatch curtails more than its PV (it would waste the held
    /// battery's energy, which the plan does not allow), the kept status is `error` and no kept cost is given.
    func meteredDayByAgents(metered: Community, plan: ScheduleResult) throws -> (kept: ScheduleResult, optimum: ScheduleResult) {
        var clearing = ClearingOptions()
        clearing.timeLimit = options.scheduleTimeLimit
        let hold = MeteredDayHold(metered, keeping: plan)
        var kept = try DecentralizedClearing(community: hold.community, options: clearing).run().schedule
        if kept.status.hasSolution, let cost = kept.objective {
            if hold.wastesHeldEnergy(kept) {
                kept.status = .error
                kept.objective = nil
                kept.message = "the kept dispatch curtails a held battery's energy"
            } else {
                kept.objective = cost + hold.heldCost
            }
        }
        let optimum = try DecentralizedClearing(community: metered, options: clearing).run().schedule
        return (kept, optimum)
    }

    /// The shared storage's prices, or why pricing is skipped.
    func price(_ community: Community, _ solverOptions: SolverOptions, communityFile: String) throws
        -> (problem: PricingProblem?, pricing: PricingResult?, skipped: String?)
    {
        guard community.sharedStorage != nil else { return (nil, nil, "the community has no shared storage") }
        guard let settings = community.pricing else { return (nil, nil, "the community file has no pricing section") }
        progress?("pricing the shared storage (\(settings.mode.rawValue))")
        do {
            let p = try PricingProblem(community: community)
            var o = solverOptions
            o.timeLimit = options.pricingTimeLimit
            return (p, try StackelbergPricer(solver: solver(), options: o).price(p), nil)
        } catch let e as PricingInputError {
            throw DayAheadError.pricing(file: communityFile, e)
        } catch let e as ModelError {
            throw DayAheadError.badInput("\(communityFile): pricing: \(e.description)")
        }
    }

    func solver() -> any LinearSolver { options.solver.make() }

    static let dayFormatter: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return f
    }()

    /// Start of the day to plan: `--date` (or the day after the history ends) at the template's time of day.
    func dayStart(_ template: Community, firstSource: SeriesSource) throws -> Date {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let timeOfDay = template.start.timeIntervalSince(utc.startOfDay(for: template.start))
        if let date = options.date {
            guard date.count == 10, let d = Self.dayFormatter.date(from: date) else {
                throw DayAheadError.badInput("--date: '\(date)' is not a date (YYYY-MM-DD)")
            }
            return d.addingTimeInterval(timeOfDay)
        }
        let s: TimeSeries
        do { s = try TimeSeriesCSV.read(firstSource.file, column: firstSource.column, timeZone: options.timeZone) } catch let e as TimeSeriesError {
            throw DayAheadError.history(e)
        }
        let last = s.timestamp(s.count - 1)
        var start = utc.startOfDay(for: last).addingTimeInterval(timeOfDay)
        while start <= last { start = start.addingTimeInterval(86_400) }
        return start
    }

    /// Fits and forecasts one series; aggregates to the community's periods.
    func forecast(_ s: SplitSeries, periodsPerCommunityPeriod k: Int, periods: Int) throws -> SeriesForecast {
        let h = s.history
        let perDay = h.periodsPerDay
        let horizon = s.leadSteps + periods * k
        let recentCount = min(h.count / k, 2 * periods) * k
        let recent = aggregate(Array(h.values.suffix(recentCount)), k)
        let actual = s.actual.map { aggregate($0, k) }
        func tooShort(_ model: String, _ needed: Int) -> DayAheadError {
            .history(
                TimeSeriesError(
                    file: s.source.file, line: s.lastLine,
                    message:
                        "column \(s.source.column): \(model) needs at least \(needed) observations before the forecast day, the history has \(h.count) (up to this line)"
                ))
        }
        guard h.count >= 2 * perDay else { throw tooShort(options.model, 2 * perDay) }
        // A series that was zero for its last two weeks (a prosumer without PV) stays zero.
        if h.values.suffix(14 * perDay).allSatisfy({ $0 == 0 }) {
            let zeros = [Double](repeating: 0, count: periods)
            var zero = SeriesForecast(
                source: s.source, model: "zero", selection: [], point: zeros, lower: zeros, upper: zeros,
                actual: actual, recent: recent, observations: h.count)
            zero.leadSeconds = Double(s.leadSteps) * h.step
            return zero
        }
        var chosen = options.model
        var selection: [(model: String, mae: Double)] = []
        var f: Forecast
        do {
            (f, chosen, selection) = try fitAndForecast(
                h, horizon: horizon, holidays: s.source.kind == .load ? options.holidays : nil, tooShort: tooShort)
        } catch let e as DayAheadError {
            throw e
        } catch let ForecastError.historyTooShort(m, needed, _) {
            throw tooShort(m, needed)
        } catch let e as ForecastError {
            throw DayAheadError.history(TimeSeriesError(file: s.source.file, line: s.lastLine, message: "column \(s.source.column): \(e.description)"))
        } catch let e as ARIMAError {
            throw DayAheadError.history(
                TimeSeriesError(file: s.source.file, line: s.lastLine, message: "column \(s.source.column): \(chosen): \(e.description)"))
        }
        // Physical bounds, the forecasters' own rule (``PhysicalBounds``): no negative load or PV, and PV zero at a
        // time of day that was zero on each of the last 14 days.
        var bounds = s.source.kind == .pv ? PhysicalBounds(history: h) : PhysicalBounds.none
        bounds.nonNegative = true
        f = bounds.apply(f)
        let point = Array(f.point.suffix(periods * k)), lower = Array(f.lower.suffix(periods * k)), upper = Array(f.upper.suffix(periods * k))
        var result = SeriesForecast(
            source: s.source, model: chosen, selection: selection, point: aggregate(point, k),
            lower: aggregate(lower, k), upper: aggregate(upper, k), actual: actual, recent: recent,
            observations: h.count)
        result.leadSeconds = Double(s.leadSteps) * h.step
        // The meter check of the recent history (a series it cannot check, too short, is left unchecked).
        let window = min(h.count, SeriesForecast.anomalyWindowDays * perDay)
        var recentHistory = h
        recentHistory.values = Array(h.values.suffix(window))
        recentHistory.start = h.timestamp(h.count - window)
        if AnomalyDetector.problem(recentHistory) == nil, let flags = try? AnomalyDetector().detect(recentHistory) {
            result.anomalies = flags
            result.anomalyWindowStart = recentHistory.start
            result.historyStep = h.step
        }
        return result
    }

    /// The day's forecast of one series by `options.model` (`auto`: the candidate with the lowest backtest MAE,
    /// returned with every candidate's MAE), its interval calibrated when ``DayAheadOptions/calibrationDays`` > 0;
    /// with `holidays`, the model is a ``HolidayForecaster``.
    func fitAndForecast(
        _ h: TimeSeries, horizon: Int, holidays: HolidayCalendar? = nil, tooShort: (String, Int) -> DayAheadError
    ) throws -> (forecast: Forecast, model: String, selection: [(model: String, mae: Double)]) {
        let unfitted: any Forecaster
        var f: Forecast
        var chosen = options.model
        var selection: [(model: String, mae: Double)] = []
        if options.model == "auto" {
            // The same selection as the `auto` forecaster: a rolling backtest of each candidate, the lowest
            // MAE kept (ties in the candidates' order).
            var auto = HolidayForecaster.wrapping(
                AutoSelectForecaster(candidates: options.autoCandidates, validationDays: options.autoTestDays, combine: 1), holidays)
            unfitted = auto
            do { try auto.fit(h) } catch ForecastError.historyTooShort(_, let needed, _) {
                throw tooShort("auto (a \(options.autoTestDays)-day backtest)", needed)
            }
            if let fitted = HolidayForecaster.unwrapped(auto) as? AutoSelectForecaster {
                selection = fitted.selection.map { ($0.model, $0.mae) }
                chosen = fitted.chosenModel ?? chosen
            }
            f = try auto.forecast(horizon: horizon, level: options.level)
        } else {
            unfitted = HolidayForecaster.wrapping(try configured(chosen, h.periodsPerDay), holidays)
            var model = unfitted
            try model.fit(h)
            f = try model.forecast(horizon: horizon, level: options.level)
        }
        if options.calibrationDays > 0 {
            let widths: [Double?]
            do {
                widths = try ConformalCalibration.halfWidths(
                    model: unfitted, series: h, horizon: horizon, days: options.calibrationDays, level: options.level, adaptiveDays: options.aciDays,
                    adaptiveGamma: Backtest.recommendedAdaptiveGamma)
            } catch ForecastError.historyTooShort(_, let needed, _) {
                throw tooShort(
                    "\(options.model) with --calibration-days \(options.calibrationDays)\(options.aciDays > 0 ? " --aci-days \(options.aciDays)" : "")", needed)
            }
            f = ConformalCalibration.apply(f, halfWidths: widths)
        }
        return (f, chosen, selection)
    }

    func configured(_ name: String, _ perDay: Int) throws -> any Forecaster {
        let f = try ForecasterCatalog.make(name, periodsPerDay: perDay)
        guard var n = f as? NeuralForecaster else { return f }
        if let seed = options.seed { n.options.seed = seed }
        if let epochs = options.epochs { n.options.epochs = epochs }
        if let p = n.options.problem { throw DayAheadError.badInput("\(name): \(p)") }
        return n
    }

    /// Means of consecutive groups of `k`.
    func aggregate(_ v: [Double], _ k: Int) -> [Double] {
        guard k > 1 else { return v }
        return stride(from: 0, to: v.count - k + 1, by: k).map { i in v[i..<(i + k)].reduce(0, +) / Double(k) }
    }

    /// The community file's optional top-level `provenance` (a string or an array of strings).
    static func provenance(_ data: Data) -> [String] {
        guard let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        if let s = o["provenance"] as? String { return [s] }
        return (o["provenance"] as? [String]) ?? []
    }
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}
