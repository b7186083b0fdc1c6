import DataIO
import Foundation
import Optimize

/// `rl train --also-train-on auto`: whether a prosumer's learner should also train on the other prosumers' days
/// (``HouseholdDays/addingTrainingDays(of:community:trainingDays:progress:)``), chosen on days of its own training
/// window, never on the held-out ones.
///
/// The last ``validationDays`` training days judge; the days before them fit. Two candidates are trained on the
/// fit days with the same settings and seed: one on this prosumer's own days, one also on the other prosumers'
/// days of the same dates (not of the judging dates: the homes share the weather). Each plays the judging days
/// greedily; the one with the lower bill wins, and a tie keeps the own days. The caller then trains the winner on
/// the whole training window. Other homes' days helped the DQN on the demo's h09 and cost it on h07 (README,
/// *Training on the other homes' days too*), so neither choice is right for every home.
public struct TrainingDaysChoice: Sendable {
    /// Training days at the end of the window that judge the two candidates.
    public static let validationDays = 14
    /// The fewest training days left to fit the candidates on.
    public static let minimumFitDays = 14

    /// The days the candidates were trained on (the training window but its last ``validationDays``).
    public var fit: [Int]
    /// The days that judged them.
    public var validation: [Int]
    /// The bill over the judging days of the candidate trained on the prosumer's own days.
    public var ownCost: Double
    /// The same for the candidate also trained on the other prosumers' days.
    public var pooledCost: Double
    /// Prosumers whose days could not be played with this battery and connection, with the reason.
    public var skipped: [(id: String, reason: String)]

    /// Whether the other prosumers' days won (strictly lower bill on the judging days).
    public var usesOthers: Bool { pooledCost < ownCost }

    /// Splits `trainingDays` into the days that fit and the last ``validationDays`` that judge. Throws
    /// ``ControlError/tooLittleHistory(needed:got:detail:)`` when fewer than ``minimumFitDays`` would be left to fit.
    public static func split(trainingDays: [Int]) throws -> (fit: [Int], validation: [Int]) {
        let needed = validationDays + minimumFitDays
        guard trainingDays.count >= needed else {
            throw ControlError.tooLittleHistory(
                needed: needed, got: trainingDays.count,
                detail:
                    "--also-train-on auto judges on the last \(validationDays) training days and fits on at least \(minimumFitDays) before them: the training days"
            )
        }
        return (Array(trainingDays.dropLast(validationDays)), Array(trainingDays.suffix(validationDays)))
    }

    /// Trains both candidates with `train` (given the data, the days to play and `"own days"` or `"with others"`
    /// for progress lines) and plays each on the judging days of `data`. The two are independent, so they train at
    /// the same time (on two cores where there are two; `train` is called from two threads at once), and their
    /// bills are those of one after the other. `others` and `community` are as for
    /// ``HouseholdDays/addingTrainingDays(of:community:trainingDays:progress:)``, whose errors propagate;
    /// `forecastProgress` gets its progress.
    public static func choose(
        data: HouseholdDays, trainingDays: [Int], others: [String], community: Community, forecastProgress: ((Int, Int) -> Void)? = nil,
        train: @Sendable (_ data: HouseholdDays, _ days: [Int], _ candidate: String) throws -> any BatteryPolicy
    ) throws -> TrainingDaysChoice {
        let read = try data.otherProsumers(others, community: community, progress: forecastProgress)
        return try choose(data: data, trainingDays: trainingDays, others: read, train: train)
    }

    /// ``choose(data:trainingDays:others:community:forecastProgress:train:)`` with the other prosumers' days read.
    static func choose(
        data: HouseholdDays, trainingDays: [Int], others read: (days: [HouseholdDays], skipped: [(id: String, reason: String)]),
        train: @Sendable (_ data: HouseholdDays, _ days: [Int], _ candidate: String) throws -> any BatteryPolicy
    ) throws -> TrainingDaysChoice {
        let (fit, validation) = try split(trainingDays: trainingDays)
        let pooled = data.appending(read.days, trainingDays: fit)
        // With no other prosumer's day to add, the pooled candidate would be the own one again.
        var candidates = [(data: data, days: fit, name: "own days")]
        if pooled.added > 0 { candidates.append((pooled.data, pooled.trainingDays, "with others")) }
        let jobs = candidates
        // Independent trainings: each bill is what a plain loop gives, and the first failure (in this order) is thrown.
        let costs = try concurrentOutcomes(jobs.count) { k in
            var policy = try train(jobs[k].data, jobs[k].days, jobs[k].name)
            return try PolicyEvaluation.run(&policy, data: data, days: validation).cost
        }.map { try $0.get() }
        return TrainingDaysChoice(fit: fit, validation: validation, ownCost: costs[0], pooledCost: costs.last!, skipped: read.skipped)
    }
}

/// Which other prosumers' days a learner also trains on (`rl train --also-train-on`, `benchmark rl --also-train-on`).
public enum OtherProsumersDays: Equatable, Sendable, CustomStringConvertible {
    /// The prosumer's own days only.
    case none
    /// Every other prosumer of the community.
    case all
    /// Every other prosumer when that wins on the last training days (``TrainingDaysChoice``); the default.
    case auto
    /// These prosumers.
    case only([String])

    /// Reads `auto`, `all`, `none` or ids separated by commas; nil for an empty id (`h02,`).
    public init?(_ text: String) {
        switch text {
        case "auto": self = .auto
        case "all": self = .all
        case "none": self = .none
        default:
            let ids = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard !ids.contains(where: \.isEmpty) else { return nil }
            self = .only(ids)
        }
    }

    public var description: String {
        switch self {
        case .none: return "none"
        case .all: return "all"
        case .auto: return "auto"
        case let .only(ids): return ids.joined(separator: ",")
        }
    }
}

/// The days a learner plays: the prosumer's data with any other prosumers' days appended, and how they were chosen.
public struct LearnerDays: Sendable {
    public var data: HouseholdDays
    /// The days to play (indices into `data`).
    public var days: [Int]
    /// Other prosumers' days appended (0 for own days only).
    public var added: Int
    /// Prosumers left out, with the reason.
    public var skipped: [(id: String, reason: String)]
    /// With ``OtherProsumersDays/auto``: the two candidates' bills, or nil when it could not judge (see `note`).
    public var choice: TrainingDaysChoice?
    /// With ``OtherProsumersDays/auto``: why it trained on the own days without judging (too few training days, no
    /// other prosumer).
    public var note: String?

    init(data: HouseholdDays, days: [Int], added: Int, skipped: [(id: String, reason: String)], choice: TrainingDaysChoice? = nil, note: String? = nil) {
        (self.data, self.days, self.added, self.skipped, self.choice, self.note) = (data, days, added, skipped, choice, note)
    }
}

extension HouseholdDays {
    /// The days to train a learner on under `mode`. With ``OtherProsumersDays/auto`` it trains two candidates with
    /// `train`, at the same time (see ``TrainingDaysChoice/choose(data:trainingDays:others:community:forecastProgress:train:)``) and keeps
    /// the winner's days; with fewer than 28 training days or no other prosumer it keeps the own days and says why
    /// in `note`. `forecastProgress` gets the other prosumers' forecasting progress.
    public func learnerDays(
        _ mode: OtherProsumersDays, community: Community, trainingDays: [Int], forecastProgress: ((Int, Int) -> Void)? = nil,
        train: @Sendable (_ data: HouseholdDays, _ days: [Int], _ candidate: String) throws -> any BatteryPolicy
    ) throws -> LearnerDays {
        let everyone = community.prosumers.map(\.id)
        let own = LearnerDays(data: self, days: trainingDays, added: 0, skipped: [])
        func pooled(_ ids: [String]) throws -> LearnerDays {
            let p = try addingTrainingDays(of: ids, community: community, trainingDays: trainingDays, progress: forecastProgress)
            return LearnerDays(data: p.data, days: p.trainingDays, added: p.added, skipped: p.skipped)
        }
        switch mode {
        case .none: return own
        case .all: return try pooled(everyone)
        case let .only(ids): return try pooled(ids)
        case .auto:
            let needed = TrainingDaysChoice.validationDays + TrainingDaysChoice.minimumFitDays
            var result = own
            if trainingDays.count < needed {
                result.note =
                    "\(trainingDays.count) training days are too few to judge on (\(needed): \(TrainingDaysChoice.minimumFitDays) to fit, \(TrainingDaysChoice.validationDays) to judge)"
                return result
            }
            guard everyone.contains(where: { $0 != prosumer }) else {
                result.note = "the community has no other prosumer"
                return result
            }
            // The other prosumers' days are read and forecast once, for the candidates and for the final training.
            let read = try otherProsumers(everyone, community: community, progress: forecastProgress)
            let choice = try TrainingDaysChoice.choose(data: self, trainingDays: trainingDays, others: read, train: train)
            if choice.usesOthers {
                let p = appending(read.days, trainingDays: trainingDays)
                (result.data, result.days, result.added) = (p.data, p.trainingDays, p.added)
            }
            (result.skipped, result.choice) = (choice.skipped, choice)
            return result
        }
    }
}
