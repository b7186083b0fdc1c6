import LinearProgramming

/// The flows of one prosumer in one period (kW; state of charge in kWh).
public struct ProsumerPeriod: Sendable {
    public var load = 0.0, pv = 0.0, curtail = 0.0
    public var gridImport = 0.0, gridExport = 0.0, poolBuy = 0.0, poolSell = 0.0
    public var batteryCharge = 0.0, batteryDischarge = 0.0
    /// `nil` for a prosumer without a battery.
    public var batterySoC: Double?
    public var flexible = 0.0

    public init() {}
}

/// The shared storage in one period.
public struct StoragePeriod: Sendable {
    public var charge = 0.0, discharge = 0.0, soc = 0.0

    public init(charge: Double = 0, discharge: Double = 0, soc: Double = 0) {
        self.charge = charge
        self.discharge = discharge
        self.soc = soc
    }
}

/// How the community's cost is shared (spec/community.md, "Cost").
public struct Settlement: Sendable {
    /// Pool price per period.
    public var poolPrice: [Double]
    /// Bill per prosumer id, in prosumer order. Bills include the P2P fees each prosumer pays.
    public var bills: [(id: String, bill: Double)]
    /// What the shared storage pays for what it takes from the pool minus what it is paid for what it gives,
    /// plus its degradation.
    public var storageSettlement: Double
    /// P2P fees paid by the buyers (already inside their bills).
    public var feesCollected: Double
    /// Bills + storage settlement: equals the community cost.
    public var total: Double { bills.reduce(0) { $0 + $1.bill } + storageSettlement }
}

/// Why a community is infeasible: the rule families and periods whose elastic slack is needed.
public struct InfeasibilityDiagnosis: Sendable {
    /// One rule family that cannot be met as written, where and by how much.
    public struct Conflict: Sendable {
        /// `import limit`, `export limit`, `connection of h03`, `final state of charge of h03's battery`, ...
        public var family: String
        /// Periods where it conflicts (empty for horizon-wide rules).
        public var periods: [Int]
        /// The largest shortfall (kW, or kWh for final state of charge). From the central elastic model, the
        /// smallest by which the rule must be relaxed, the same in every period listed, for the LP relaxation to
        /// have a schedule (``ScheduleModel/largestSlackWeight``).
        public var shortfall: Double
        public var unit: String

        public init(family: String, periods: [Int], shortfall: Double, unit: String) {
            self.family = family
            self.periods = periods
            self.shortfall = shortfall
            self.unit = unit
        }
    }
    public var conflicts: [Conflict]

    /// What the conflicts come from.
    public enum Basis: Sendable, Equatable {
        /// The elastic copy solved to optimality: the least shortfalls.
        case proven
        /// The best elastic schedule a search found before it was stopped (after `seconds`): raised by these
        /// shortfalls the rules hold, but smaller ones may do.
        case stoppedSearch(seconds: Double)
        /// The elastic copy's LP relaxation (a search stopped without any schedule): the rules conflict there, by
        /// at least these shortfalls.
        case relaxation
    }
    public var basis: Basis

    public init(conflicts: [Conflict], basis: Basis = .proven) {
        self.conflicts = conflicts
        self.basis = basis
    }

    /// One sentence per conflict, e.g. "import limit at periods 18-20 too low by 6.2 kW".
    public var sentence: String {
        guard !conflicts.isEmpty else {
            return "the rules conflict in a way the elastic model cannot localize (integer flexible-load or meter decisions)"
        }
        let atLeast = basis == .relaxation ? "at least " : ""
        let sentence = conflicts.map { c in
            let at = c.periods.isEmpty ? "" : " at " + InfeasibilityDiagnosis.ranges(c.periods)
            // Rounded up: raised by the amount shown, the rule no longer conflicts.
            return "\(c.family)\(at) too low by \(atLeast)\(String(format: "%.1f", (c.shortfall * 10 - 1e-6).rounded(.up) / 10)) \(c.unit)"
        }.joined(separator: "; ")
        switch basis {
        case .proven: return sentence
        case let .stoppedSearch(seconds):
            return sentence + String(format: " (the best elastic schedule found in %.0f s; smaller shortfalls may do)", seconds)
        case .relaxation: return sentence + " (from the LP relaxation: the search found no elastic schedule in time)"
        }
    }

    /// "period 4" or "periods 18-20, 23".
    public static func ranges(_ periods: [Int]) -> String {
        let s = periods.sorted()
        var parts: [String] = []
        var k = 0
        while k < s.count {
            var j = k
            while j + 1 < s.count && s[j + 1] == s[j] + 1 { j += 1 }
            parts.append(j == k ? "\(s[k])" : "\(s[k])-\(s[j])")
            k = j + 1
        }
        return (s.count == 1 ? "period " : "periods ") + parts.joined(separator: ", ")
    }
}

/// The outcome of ``CommunityScheduler/schedule(_:)``.
public struct ScheduleResult: Sendable {
    public var status: SolutionStatus
    /// Community cost of the schedule (recomputed from the flows with the spec's formula); `nil` without one.
    public var objective: Double?
    public var bestBound: Double?
    public var gap: Double?
    public var solver: String
    public var buildSeconds = 0.0
    public var handoverSeconds = 0.0
    public var solveSeconds = 0.0
    public var variables = 0
    public var integerVariables = 0
    public var constraints = 0
    /// Solves needed until no rule needed a lazily added binary.
    public var rounds = 0
    /// flows[i][t]
    public var flows: [[ProsumerPeriod]] = []
    /// Empty without shared storage.
    public var shared: [StoragePeriod] = []
    public var settlement: Settlement?
    public var standaloneCost: Double?
    public var standaloneBills: [(id: String, bill: Double)]?
    public var standaloneStatus: SolutionStatus?
    public var savings: Double? {
        guard let s = standaloneCost, let o = objective else { return nil }
        return s - o
    }
    public var diagnosis: InfeasibilityDiagnosis?
    public var message = ""

    public init(status: SolutionStatus, solver: String) {
        self.status = status
        self.solver = solver
    }
}
