import DataIO
import Foundation

/// Why a controller cannot be trained, loaded or evaluated.
public enum ControlError: PeerGridError, Equatable {
    /// The community has no prosumer with this id.
    case unknownProsumer(String, available: [String])
    /// The prosumer has no battery: there is nothing to control.
    case noBattery(prosumer: String)
    /// No prosumer has a battery (the default prosumer is the first that has one); a shared storage is not
    /// controlled here.
    case noProsumerWithBattery(count: Int, sharedStorage: Bool)
    /// The prosumer's battery cannot move energy (no power, or no room between its lowest and highest charge).
    case batteryCannotAct(prosumer: String, powerKW: Double, usableKWh: Double)
    /// The series cover fewer whole days than the warm-up, training and test windows need.
    case tooLittleHistory(needed: Int, got: Int, detail: String)
    /// A day the physics cannot serve whatever the battery does (the net load is above the draw limit).
    case impossibleDay(day: String, period: Int, detail: String)
    /// A policy file that cannot be read, or that does not fit this prosumer.
    case badPolicy(file: String, detail: String)
    /// An option outside its range.
    case invalidOption(name: String, detail: String)
    /// A reference optimizer found no schedule for a day.
    case optimizerFailed(day: String, detail: String)

    public var kind: FailureKind {
        switch self {
        case .optimizerFailed: return .noSolution
        default: return .badInput
        }
    }

    public var description: String {
        switch self {
        case let .unknownProsumer(id, available):
            return "no prosumer '\(id)' in the community (prosumers: \(available.prefix(12).joined(separator: ", "))\(available.count > 12 ? ", ..." : ""))"
        case let .noBattery(p): return "prosumer \(p) has no battery: reinforcement-learning control needs one to act on"
        case let .noProsumerWithBattery(count, shared):
            return "\(count == 1 ? "the community's one prosumer has no battery" : "none of the \(count) prosumers has a battery")"
                + "\(shared ? " (the community's shared storage is not controlled by rl)" : ""): "
                + "reinforcement-learning control needs a prosumer with one (--prosumer names it)"
        case let .batteryCannotAct(p, power, usable):
            return "prosumer \(p)'s battery cannot act (power_kw \(power), \(usable) kWh between min_soc and max_soc): "
                + "reinforcement-learning control needs one that can charge and discharge"
        case let .tooLittleHistory(needed, got, detail): return "too little history: \(detail) need \(needed) whole days, the series cover \(got)"
        case let .impossibleDay(day, period, detail): return "day \(day), period \(period): \(detail)"
        case let .badPolicy(file, detail): return "\(file): \(detail)"
        case let .invalidOption(name, detail): return "\(name): \(detail)"
        case let .optimizerFailed(day, detail): return "day \(day): \(detail)"
        }
    }
}
