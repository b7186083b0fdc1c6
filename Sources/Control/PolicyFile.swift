import DataIO
import Foundation

/// A trained policy on disk (JSON, versioned): what it is, for which prosumer and day length, how it was
/// trained, its learning curve and its parameters. Floats and doubles are written in their shortest exact form,
/// so a loaded policy acts exactly as the saved one.
public struct PolicyFile: Codable, Sendable {
    public static let formatName = "peergrid-rl-policy"
    /// Version 2 (2026-12-06) holds a DQN's ensemble in `members`; version 1 files (one network in `weights`) are
    /// read as an ensemble of one.
    public static let currentVersion = 2
    /// The versions this build reads.
    public static let readableVersions = 1...2

    public var format = formatName
    public var version = currentVersion
    /// `qlearning` or `dqn`.
    public var kind: String
    public var prosumer: String
    public var periodsPerDay: Int
    public var batteryKW: Double
    /// The action names, in the order of the table's or network's outputs.
    public var actions: [String]
    public var training: TrainingSettings
    public var curve: LearningCurve
    /// Tabular Q-learning: `soc_bins` and the Q table (state-major).
    public var socBins: Int?
    public var table: [Double]?
    /// DQN: hidden layer sizes, and per member of the ensemble every layer's weights then biases (`members`;
    /// version 1 files hold one network in `weights`).
    public var hidden: [Int]?
    public var members: [[[Float]]]?
    public var weights: [[Float]]?
    /// Which days it was trained on (written since 0.24.0; older files have none, and were trained on the own days).
    public var trainedOn: TrainingDaysRecord?

    enum CodingKeys: String, CodingKey {
        case format, version, kind, prosumer, actions, training, curve, table, hidden, members, weights
        case periodsPerDay = "periods_per_day", batteryKW = "battery_kw", socBins = "soc_bins", trainedOn = "trained_on"
    }

    public init(_ q: QLearningPolicy, prosumer: String, training: TrainingSettings, curve: LearningCurve) {
        kind = "qlearning"
        self.prosumer = prosumer
        periodsPerDay = q.periodsPerDay
        batteryKW = q.batteryKW
        actions = DiscreteAction.allCases.map { "\($0)" }
        self.training = training
        self.curve = curve
        socBins = q.socBins
        table = q.table
    }

    public init(_ d: DQNPolicy, prosumer: String, periodsPerDay: Int, training: TrainingSettings, curve: LearningCurve) {
        kind = "dqn"
        self.prosumer = prosumer
        self.periodsPerDay = periodsPerDay
        batteryKW = d.batteryKW
        actions = DiscreteAction.allCases.map { "\($0)" }
        self.training = training
        self.curve = curve
        hidden = d.networks[0].hidden
        members = d.networks.map(\.parameters)
    }

    /// Which days a policy was trained on: the `--also-train-on` setting, the prosumer's own training days and the
    /// other prosumers' days played, and with `auto` the two candidates' mean daily bills on the judging days (or
    /// why it did not judge).
    public struct TrainingDaysRecord: Codable, Sendable, Equatable {
        public var alsoTrainOn: String
        public var ownDays: Int
        public var otherProsumersDays: Int
        public var judgedOwnDailyBill: Double?
        public var judgedWithOthersDailyBill: Double?
        public var note: String?

        enum CodingKeys: String, CodingKey {
            case alsoTrainOn = "also_train_on", ownDays = "own_days", otherProsumersDays = "other_prosumers_days"
            case judgedOwnDailyBill = "judged_own_daily_bill", judgedWithOthersDailyBill = "judged_with_others_daily_bill", note
        }

        public init(_ mode: OtherProsumersDays, ownDays: Int, learnerDays: LearnerDays) {
            alsoTrainOn = mode.description
            self.ownDays = ownDays
            otherProsumersDays = learnerDays.added
            if let c = learnerDays.choice {
                judgedOwnDailyBill = c.ownCost / Double(c.validation.count)
                judgedWithOthersDailyBill = c.pooledCost / Double(c.validation.count)
            }
            note = learnerDays.note
        }
    }

    /// The file's bytes (sorted keys, one policy per file).
    public func encoded() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return try e.encode(self)
    }

    /// Reads and checks a policy file: its format and version, its kind, that every number is finite and that
    /// the parameters have the sizes the header says. `file` names it in messages.
    public static func read(_ path: String) throws -> PolicyFile {
        let data: Data
        do { data = try InputFiles.data(path) } catch { throw ControlError.badPolicy(file: path, detail: error.description) }
        return try decode(data, file: path)
    }

    /// Decodes and checks a policy file's bytes (`file` names it in messages): the format, the version this build
    /// reads and that the parameters fit the policy's shape. Throws ``ControlError/badPolicy(file:detail:)``.
    public static func decode(_ data: Data, file: String) throws -> PolicyFile {
        let p: PolicyFile
        do { p = try JSONDecoder().decode(PolicyFile.self, from: data) } catch let DecodingError.keyNotFound(key, context) {
            throw ControlError.badPolicy(file: file, detail: "missing field \(path(context.codingPath + [key]))")
        } catch let DecodingError.typeMismatch(_, context) {
            throw ControlError.badPolicy(file: file, detail: "field \(path(context.codingPath)) has the wrong type")
        } catch let DecodingError.valueNotFound(_, context) {
            throw ControlError.badPolicy(file: file, detail: "field \(path(context.codingPath)) is null")
        } catch let DecodingError.dataCorrupted(context) {
            throw ControlError.badPolicy(
                file: file, detail: "not a readable policy (\(context.codingPath.isEmpty ? "not JSON" : "field " + path(context.codingPath)))")
        } catch {
            throw ControlError.badPolicy(file: file, detail: "not a readable policy (\(error))")
        }
        try p.check(file: file)
        return p
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    func check(file: String) throws {
        func bad(_ detail: String) -> ControlError { .badPolicy(file: file, detail: detail) }
        guard format == Self.formatName else { throw bad("format is '\(format)', expected '\(Self.formatName)'") }
        guard Self.readableVersions.contains(version) else {
            throw bad("version \(version) is not supported (this build reads versions \(Self.readableVersions.lowerBound)-\(Self.readableVersions.upperBound))")
        }
        guard actions == DiscreteAction.allCases.map({ "\($0)" }) else {
            throw bad("actions \(actions) are not this build's \(DiscreteAction.allCases.map { "\($0)" })")
        }
        guard periodsPerDay >= 1, periodsPerDay <= 1440 else { throw bad("periods_per_day \(periodsPerDay) is outside 1...1440") }
        guard batteryKW.isFinite, batteryKW > 0 else { throw bad("battery_kw must be a positive number") }
        let A = actions.count
        switch kind {
        case "qlearning":
            guard let bins = socBins, bins >= 1, bins <= 100 else { throw bad("soc_bins must be in 1...100") }
            let states = periodsPerDay * bins * QLearningPolicy.netBins * QLearningPolicy.surplusBins
            guard let table, table.count == states * A else {
                throw bad("table has \(table?.count ?? 0) values, expected \(states * A) (\(states) states x \(A) actions)")
            }
            if let k = table.firstIndex(where: { !$0.isFinite }) { throw bad("table[\(k)] is not finite") }
        case "dqn":
            guard let hidden, !hidden.isEmpty, hidden.allSatisfy({ $0 >= 1 && $0 <= 4096 }) else { throw bad("hidden must list layer sizes in 1...4096") }
            let sizes = [DQNPolicy.featureCount] + hidden + [A]
            var expected: [Int] = []
            for k in 0..<(sizes.count - 1) { expected += [sizes[k] * sizes[k + 1], sizes[k + 1]] }
            let (field, networks) = version == 1 ? ("weights", weights.map { [$0] }) : ("members", members)
            guard let networks, !networks.isEmpty, networks.count <= DQNPolicy.maximumMembers else {
                throw bad("\(field) must hold 1...\(DQNPolicy.maximumMembers) networks")
            }
            for (m, weights) in networks.enumerated() {
                let at = version == 1 ? "weights" : "members[\(m)]"
                guard weights.map(\.count) == expected else {
                    throw bad("\(at) has sizes \(weights.map(\.count)), expected \(expected) for layers \(sizes)")
                }
                for (i, w) in weights.enumerated() { if let k = w.firstIndex(where: { !$0.isFinite }) { throw bad("\(at)[\(i)][\(k)] is not finite") } }
            }
        default: throw bad("kind '\(kind)' is not qlearning or dqn")
        }
    }

    /// The policy, after checking that it fits `data` (the same day length; the battery power it was trained for).
    public func policy(for data: HouseholdDays, file: String) throws -> any BatteryPolicy {
        guard periodsPerDay == data.periodsPerDay else {
            throw ControlError.badPolicy(file: file, detail: "trained for \(periodsPerDay) periods a day, the community has \(data.periodsPerDay)")
        }
        switch kind {
        case "qlearning":
            var q = QLearningPolicy(periodsPerDay: periodsPerDay, socBins: socBins!, batteryKW: batteryKW)
            q.table = table!
            return q
        default:
            let networks = (version == 1 ? [weights!] : members!).map { parameters in
                var n = QNetwork(features: DQNPolicy.featureCount, hidden: hidden!, actions: actions.count, seed: 0)
                n.parameters = parameters
                return n
            }
            return try DQNPolicy(networks: networks, batteryKW: batteryKW)
        }
    }
}
