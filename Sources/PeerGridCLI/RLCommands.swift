import ArgumentParser
import CommandLineExit
import Control
import DataIO
import Foundation
import Optimize
import Reports

/// `peergrid rl`: reinforcement-learning battery managers for one prosumer, against the optimizer's references.
struct RLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rl",
        abstract:
            "Reinforcement-learning energy management of one prosumer's battery: train Q-learning or a DQN, evaluate against MPC and the perfect-foresight optimum.",
        subcommands: [RLTrainCommand.self, RLEvaluateCommand.self])
}

/// The prosumer's days and the split into training and held-out days.
struct RLDataOptions: ParsableArguments {
    @Option(help: "The community file (JSON, spec/community.md); its prosumer's load_kw / pv_kw must name CSV columns that cover many days.")
    var community: String

    @Option(help: "The prosumer to control (default: the first with a battery).")
    var prosumer: String?

    @Option(help: "Held-out days at the end of the series (never used in training).")
    var testDays = 14

    @Option(help: "Days before the first forecast (history for the forecasters only).")
    var warmUpDays = 7

    @Option(help: "Forecaster of the load for the policies' state and for MPC.")
    var loadForecaster = "seasonal-mean"

    @Option(help: "Forecaster of the PV.")
    var pvForecaster = "seasonal-naive-day"

    func validate() throws {
        guard testDays >= 1 else { throw ValidationError("--test-days must be at least 1, not \(testDays)") }
        guard warmUpDays >= 1 else { throw ValidationError("--warm-up-days must be at least 1, not \(warmUpDays)") }
        for name in [loadForecaster, pvForecaster] where !Self.forecasters.contains(name) {
            throw ValidationError("--load-forecaster / --pv-forecaster: '\(name)' is not one of \(Self.forecasters.joined(separator: ", "))")
        }
    }

    /// The forecasters that fit on a week of history (the warm-up's default) in milliseconds.
    static let forecasters = ["naive", "seasonal-naive", "seasonal-naive-day", "seasonal-mean", "seasonal-mean-day", "clear-sky"]

    func load() throws -> HouseholdDays {
        let parsed = try CommunityFile.read(community)
        let progress = ProgressLine()
        defer { progress.finish() }
        return try inContext(community) {
            try HouseholdDays.read(
                community: parsed, prosumer: prosumer, loadForecaster: loadForecaster, pvForecaster: pvForecaster, warmUpDays: warmUpDays
            ) { done, total in progress.show("forecasting day \(done)/\(total)") }
        }
    }
}

extension ControlPolicyKind: ExpressibleByArgument {}
extension MPCOracle: ExpressibleByArgument {}

/// Which learner `rl train` trains.
enum ControlPolicyKind: String, CaseIterable {
    case qlearning, dqn
}

struct RLTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a battery policy on the days before the held-out ones and save it.",
        discussion:
            "The same seed gives the same policy bit for bit. Prints the learning curve (mean daily bill of the greedy policy on the training days). Exit codes: 0 done, 2 bad input (no battery, too little history, bad options), 70 internal error."
    )

    @OptionGroup var data: RLDataOptions

    @Option(help: "qlearning or dqn.")
    var policy: ControlPolicyKind = .qlearning

    @Option(help: "Training days before the held-out ones (default: all after the warm-up).")
    var trainDays: Int?

    @Option(help: "Episodes (days played); default 150000 for qlearning, 1500 for dqn.")
    var episodes: Int?

    @Option(help: "Step size alpha (qlearning, default 0.1) or Adam's learning rate (dqn, default 0.001).")
    var learningRate: Double?

    @Option(help: "Discount per period (default 1 for qlearning, 0.99 for dqn).")
    var discount: Double?

    @Option(name: .customLong("soc-bins"), help: "qlearning: state-of-charge bins of the Q table (default: 10).")
    var socBinsGiven: Int?

    var socBins: Int { socBinsGiven ?? 10 }

    @Option(name: .customLong("members"), help: "dqn: networks in the ensemble, each trained on its own seed (default: 1).")
    var membersGiven: Int?

    @Option(name: .customLong("n-step"), help: "dqn: steps of the returns the targets bootstrap from (default: 1).")
    var nStepGiven: Int?

    func validate() throws {
        if socBinsGiven != nil, policy != .qlearning {
            throw ValidationError("--soc-bins applies to --policy qlearning only (the DQN reads the state of charge as a number)")
        }
        if membersGiven != nil || nStepGiven != nil, policy != .dqn {
            throw ValidationError("\(membersGiven != nil ? "--members" : "--n-step") applies to --policy dqn only")
        }
        if OtherProsumersDays(alsoTrainOn) == nil {
            throw ValidationError("--also-train-on takes 'auto', 'all', 'none' or prosumer ids separated by commas, got '\(alsoTrainOn)'")
        }
        if let m = membersGiven, !(1...DQNPolicy.maximumMembers).contains(m) {
            throw ValidationError("--members must be in 1...\(DQNPolicy.maximumMembers), got \(m)")
        }
    }

    @Option(help: "Random seed (exploration, replay, initial weights).")
    var seed: UInt64 = 1

    @Option(
        name: .customLong("also-train-on"),
        help:
            "Also train on other prosumers' days of the same dates, played with this prosumer's battery and connection (its own days repeated to be half of the days played): 'auto' (every other prosumer when that wins on the last 14 training days, judged by two candidates trained on the days before them; own days alone with fewer than 28 training days), 'all', 'none' or a comma-separated list of ids."
    )
    var alsoTrainOn = "auto"

    @Option(help: "Where to write the policy (JSON).")
    var out: String

    func run() throws {
        let days = try data.load()
        let split = try days.split(testDays: data.testDays, trainDays: trainDays)
        let own = split.train
        let playing = try daysToPlay(days, trainingDays: own)
        let clock = Stopwatch()
        var (file, settings) = try train(playing.data, playing.days)
        file.trainedOn = PolicyFile.TrainingDaysRecord(OtherProsumersDays(alsoTrainOn) ?? .auto, ownDays: own.count, learnerDays: playing)
        let added = playing.added
        let networks = file.members?.count ?? 1
        let encoded = try file.encoded()
        try writingOutput { try OutputFiles.write(data: encoded, to: out) }
        print(
            "\(policy.rawValue) for \(days.prosumer): trained on \(counted(own.count, "day")) (\(days.label(own.first!)) .. \(days.label(own.last!)))\(added > 0 ? " and \(counted(added, "day")) of other prosumers" : ""), \(counted(settings.episodes, "episode"))\(networks > 1 ? " for each of \(networks) networks" : ""), seed \(seed), \(String(format: "%.1f", clock.seconds)) s"
        )
        let c = file.curve
        let picks = Array(Set([0, c.episodes.count / 4, c.episodes.count / 2, 3 * c.episodes.count / 4, c.episodes.count - 1])).sorted().filter {
            $0 >= 0 && $0 < c.episodes.count
        }
        print(
            "learning curve (episode: mean daily bill on \(added > 0 ? "all the days played, the other prosumers' too" : "the training days")\(networks > 1 ? ", the networks' mean" : "")): "
                + picks.map { String(format: "%d: %.4f", c.episodes[$0], c.meanDailyCost[$0]) }.joined(separator: ", "))
        print(
            "kept \(networks > 1 ? "the ensemble of \(networks) networks, each the best of its evaluations" : "the best"): \(String(format: "%.4f", c.kept ?? c.meanDailyCost.min() ?? .nan)); wrote \(out)"
        )
    }

    /// The days to train on under `--also-train-on` (with `auto`, after judging two candidates), with notes on
    /// stderr for prosumers left out and the judgement on stdout. A bad series of another prosumer is refused
    /// naming its file and line, and saying how to train without it.
    private func daysToPlay(_ days: HouseholdDays, trainingDays own: [Int]) throws -> LearnerDays {
        let mode = OtherProsumersDays(alsoTrainOn) ?? .auto
        let community = try CommunityFile.read(data.community)
        let progress = ProgressLine()
        defer { progress.finish() }
        let candidates = CandidatesProgress(policy.rawValue)
        defer { candidates.finish() }
        let clock = Stopwatch()
        let command = self
        let playing = try inContext(data.community) {
            do {
                return try days.learnerDays(
                    mode, community: community, trainingDays: own,
                    forecastProgress: { done, total in progress.show("forecasting the other prosumers' days \(done)/\(total)") }
                ) { d, candidateDays, candidate in
                    try command.train(d, candidateDays, report: { candidates.update(candidate, $0) }).file.policy(for: d, file: command.out)
                }
            } catch let e as CommunityFileError {
                // Only another prosumer's series is read here (this one's was read already).
                throw CLIFailure(
                    "\(data.community): \(e.description) (another prosumer's series, read for --also-train-on \(mode); --also-train-on none trains on own days alone)",
                    code: ExitStatus(e.kind))
            }
        }
        progress.finish()
        for s in playing.skipped { FileHandle.standardError.write(Data("peergrid: note: --also-train-on: \(s.id) left out: \(s.reason)\n".utf8)) }
        if let note = playing.note { print("--also-train-on auto: \(note): training on own days") }
        if let choice = playing.choice {
            let v = choice.validation
            print(
                String(
                    format:
                        "--also-train-on auto: judged on %@ (%@ .. %@) by candidates trained on the %d days before: own days %.4f, with the other prosumers' days %.4f a day: %@ (%.1f s)",
                    counted(v.count, "training day") as NSString, days.label(v.first!) as NSString, days.label(v.last!) as NSString,
                    choice.fit.count, choice.ownCost / Double(v.count), choice.pooledCost / Double(v.count),
                    (choice.usesOthers ? "training with them" : "training on own days") as NSString, clock.seconds))
        }
        return playing
    }

    /// Trains the chosen learner on `playing` days of `days` with the command's settings, its progress on a line of
    /// its own, or as `3/10 (bill ...)` (episodes, mean daily bill) to `report` (the candidates of `auto`, trained at once).
    private func train(_ days: HouseholdDays, _ playing: [Int], report: (@Sendable (String) -> Void)? = nil) throws -> (
        file: PolicyFile, settings: TrainingSettings
    ) {
        var settings = policy == .qlearning ? TrainingSettings.qLearning : DQNPolicy.defaultSettings
        if let episodes { settings.episodes = episodes }
        if let learningRate { settings.learningRate = learningRate }
        if let discount { settings.discount = discount }
        settings.seed = seed
        settings.evaluateEvery = max(1, settings.episodes / 40)
        let progress = ProgressLine(enabled: report == nil)
        defer { progress.finish() }
        let name = policy.rawValue
        let show: @Sendable (Int, Int, Double?) -> Void = { done, total, cost in
            if let report {
                report("\(done)/\(total)" + (cost.map { String(format: " (bill %.4f)", $0) } ?? ""))
            } else {
                progress.show("training \(name): episode \(done)/\(total)" + (cost.map { String(format: ", mean daily bill %.4f", $0) } ?? ""))
            }
        }
        switch policy {
        case .qlearning:
            let (q, curve) = try QLearningPolicy.train(data: days, days: playing, settings: settings, socBins: socBins, progress: show)
            return (PolicyFile(q, prosumer: days.prosumer, training: settings, curve: curve), settings)
        case .dqn:
            var shape = DQNPolicy.Network()
            if let membersGiven { shape.members = membersGiven }
            if let nStepGiven { shape.nStep = nStepGiven }
            let (d, curve) = try DQNPolicy.train(data: days, days: playing, settings: settings, network: shape, progress: show)
            return (PolicyFile(d, prosumer: days.prosumer, periodsPerDay: days.periodsPerDay, training: settings, curve: curve), settings)
        }
    }
}

/// The progress of `--also-train-on auto`'s two candidates, trained at once, on one line: "choosing (dqn, episodes
/// and mean daily bill): own days 400/1500 (bill 9.1111), with others 350/1500 (bill 10.5207)". Updated from both
/// threads.
final class CandidatesProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let line = ProgressLine()
    private let policy: String
    private var parts: [(candidate: String, text: String)] = []

    init(_ policy: String) { self.policy = policy }

    /// Records `candidate`'s latest progress and redraws the line (candidates in name order: own days first).
    func update(_ candidate: String, _ text: String) {
        lock.withLock {
            if let k = parts.firstIndex(where: { $0.candidate == candidate }) { parts[k].text = text } else { parts.append((candidate, text)) }
            parts.sort { $0.candidate < $1.candidate }
            line.show("choosing (\(policy), episodes and mean daily bill): " + parts.map { "\($0.candidate) \($0.text)" }.joined(separator: ", "))
        }
    }

    func finish() { lock.withLock { line.finish() } }
}

struct RLEvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Run saved policies, the rule-based policy, MPC and the perfect-foresight optimum on the held-out days.",
        discussion:
            "Costs are the bills over the held-out days; share = the part of the perfect-foresight savings (against no battery) a policy recovers; the KPIs are CityLearn's, as ratios to no battery. Exit codes: 0 done, 2 bad input (a corrupt policy file, no battery, too little history), 4 an optimizer found no plan, 70 internal error (a policy below the optimum)."
    )

    @OptionGroup var data: RLDataOptions

    @Option(name: .customLong("policy"), help: "A saved policy (repeat for several).")
    var policies: [String] = []

    @Flag(help: "Skip model predictive control (one solve per period).")
    var noMPC = false

    @Option(
        name: .customLong("mpc-load-persistence"),
        help: "MPC: how much of this period's load forecast error carries k periods ahead (times this^k; default: \(MPCPolicy().loadPersistence)).")
    var mpcLoadPersistenceGiven: Double?

    @Option(
        name: .customLong("mpc-pv-persistence"),
        help: "MPC: how much of this period's PV ratio (actual / forecast) carries k periods ahead (times this^k; default: \(MPCPolicy().pvPersistence)).")
    var mpcPVPersistenceGiven: Double?

    @Option(
        name: .customLong("mpc-scenarios"),
        help:
            "MPC: plan over the last N days' actual load and PV as scenarios of the rest of the day (a stochastic LP); 0 plans on the day-ahead forecasts alone (default: \(MPCPolicy().scenarioDays))."
    )
    var mpcScenariosGiven: Int?

    var mpcLoadPersistence: Double { mpcLoadPersistenceGiven ?? MPCPolicy().loadPersistence }
    var mpcPVPersistence: Double { mpcPVPersistenceGiven ?? MPCPolicy().pvPersistence }
    var mpcScenarios: Int { mpcScenariosGiven ?? MPCPolicy().scenarioDays }

    @Flag(help: "MPC with scenarios: weight the past days equally (by default each is weighted by how close it was to today so far).")
    var mpcEqualWeights = false

    @Flag(help: "MPC with scenarios: draw them from all past days (by default from the days of the same type, weekday or weekend, when there are at least 4).")
    var mpcAllDays = false

    @Option(
        name: .customLong("mpc-knows"),
        help:
            "Analysis only: tell MPC the day's actual load or pv in advance (repeat for both), to measure what a perfect forecast of it would be worth."
    )
    var mpcKnows: [MPCOracle] = []

    @Option(help: "Also write the comparison as JSON to this file.")
    var json: String?

    func validate() throws {
        guard mpcScenarios >= 0 && mpcScenarios <= 56 else { throw ValidationError("--mpc-scenarios must be in 0 ... 56, not \(mpcScenarios)") }
        for (name, v) in [("--mpc-load-persistence", mpcLoadPersistence), ("--mpc-pv-persistence", mpcPVPersistence)] where !(v >= 0 && v <= 1) {
            throw ValidationError("\(name) must be in [0, 1], not \(v)")
        }
        // MPC settings that would not be used are refused rather than dropped.
        let mpcFlags = flagsGiven([
            ("--mpc-load-persistence", mpcLoadPersistenceGiven != nil), ("--mpc-pv-persistence", mpcPVPersistenceGiven != nil),
            ("--mpc-scenarios", mpcScenariosGiven != nil), ("--mpc-equal-weights", mpcEqualWeights), ("--mpc-all-days", mpcAllDays),
            ("--mpc-knows", !mpcKnows.isEmpty)
        ])
        if noMPC, !mpcFlags.isEmpty { throw ValidationError("--no-mpc skips MPC; \(mpcFlags.joined(separator: ", ")) would not be used") }
        if mpcScenarios == 0, mpcEqualWeights || mpcAllDays {
            throw ValidationError("--mpc-equal-weights and --mpc-all-days choose the scenarios; with --mpc-scenarios 0 there are none")
        }
    }

    /// `MPC over 28 past days (same day type, analog weights)` or `MPC on the forecasts`.
    static func describe(_ m: MPCPolicy) -> String {
        let base =
            m.scenarioDays > 0
            ? "MPC over \(m.scenarioDays) past days (\(m.sameDayType ? "same day type, " : "")\(m.analog ? "analog" : "equal") weights)"
            : "MPC on the forecasts"
        return m.knows.isEmpty ? base : base + ", told the actual " + MPCOracle.allCases.filter(m.knows.contains).map(\.rawValue).joined(separator: " and ")
    }

    func run() throws {
        let files = try policies.map { path in try PolicyFile.read(path) }
        let days = try data.load()
        let split = try days.split(testDays: data.testDays)
        let loaded = try zip(files, policies).map { file, path in try file.policy(for: days, file: path) }
        let progress = ProgressLine()
        let clock = Stopwatch()
        let mpc =
            noMPC
            ? nil
            : MPCPolicy(
                loadPersistence: mpcLoadPersistence, pvPersistence: mpcPVPersistence, scenarioDays: mpcScenarios, analog: !mpcEqualWeights,
                sameDayType: !mpcAllDays, knows: Set(mpcKnows)
            )
        // Two saved policies of one kind are told apart by their files' names (by their paths as given when two
        // names are the same).
        let base = policies.map { URL(fileURLWithPath: $0).lastPathComponent }
        let names = zip(files, policies).enumerated().map { k, pair in
            guard files.filter({ $0.kind == pair.0.kind }).count > 1 else { return pair.0.kind }
            return "\(pair.0.kind) \(base.filter { $0 == base[k] }.count > 1 ? pair.1 : base[k])"
        }
        let c = try ControlComparison.evaluate(data: days, days: split.test, policies: loaded, names: names, mpc: mpc) { name in
            progress.show("evaluating \(name)")
        }
        progress.finish()
        print(
            "\(days.prosumer): \(split.test.count) held-out days \(days.label(split.test.first!)) .. \(days.label(split.test.last!)), forecasts \(days.forecasters.load) (load) / \(days.forecasters.pv) (PV), \(mpc.map(Self.describe) ?? "no MPC"), \(String(format: "%.1f", clock.seconds)) s"
        )
        for (file, path) in zip(files, policies) where file.prosumer != days.prosumer {
            print(
                "note: \(path) was trained for \(file.prosumer) (battery \(file.batteryKW) kW), evaluated on \(days.prosumer) (battery \(days.battery.powerKW) kW)"
            )
        }
        print(ControlReport.table(c))
        if let json {
            try writingOutput { try OutputFiles.write(ControlReport.json(c).serialized() + "\n", to: json) }
            print("wrote \(json)")
        }
        let below = c.belowOptimum
        if !below.isEmpty {
            let first = below[0]
            throw CLIFailure(
                "\(below.count) day(s) where a policy paid less than the perfect-foresight optimum (first: \(first.policy) on \(first.day), \(first.cost) < \(first.optimum)): the environment or the optimizer is wrong",
                code: .internalError)
        }
    }
}
