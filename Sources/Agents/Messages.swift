import Foundation

/// One number per period of the horizon: the only shape of data that crosses between an agent and the
/// coordinator (and between MPI ranks). It cannot carry a load curve's owner, a device parameter or a file: the
/// coordinator learns positions and prices per period, nothing else.
public struct PeriodVector: Sendable, Equatable {
    public private(set) var values: [Double]

    /// `values.count` must be the horizon's length; the messages below check it where they are made.
    public init(_ values: [Double]) { self.values = values }
    public init(zeros count: Int) { values = Array(repeating: 0, count: count) }

    public var count: Int { values.count }
    public subscript(t: Int) -> Double {
        get { values[t] }
        set { values[t] = newValue }
    }
}

/// The coordinator's signal to every agent: what one kW drawn from or fed to the community costs or earns in each
/// period (currency per kWh). They follow from the pool price, the prices of the import and export limits and
/// the shared storage's balance: drawing costs the cheaper of grid import plus the import limit's price and pool
/// price plus fee; feeding earns the dearer of grid export minus the export limit's price and the pool price.
public struct PriceSignal: Sendable, Equatable {
    public var draw: PeriodVector
    public var feed: PeriodVector

    public init(draw: PeriodVector, feed: PeriodVector) {
        precondition(draw.count == feed.count, "price signal vectors of different lengths")
        self.draw = draw
        self.feed = feed
    }
}

/// An agent's answer to a price signal: its draw and feed per period (kW), what its own devices cost it
/// (battery wear), and its optimal value at the signal's prices (for the coordinator's lower bound). Loads, PV,
/// battery sizes and flexible loads stay with the agent.
public struct Proposal: Sendable, Equatable {
    public var draw: PeriodVector
    public var feed: PeriodVector
    /// Battery wear of this plan (currency).
    public var ownCost: Double
    /// With ``proven``: a proven lower bound of the agent's optimal value at the prices it answered (the optimum
    /// itself when its solver proves it), where a plan's value is own cost + sum dt * (draw price * draw - feed
    /// price * feed). Without: this plan's value, an estimate of the optimum (a quick answer).
    public var value: Double
    /// Whether ``value`` is a proven lower bound (only then does it enter the coordinator's certified bound).
    public var proven: Bool

    public init(draw: PeriodVector, feed: PeriodVector, ownCost: Double, value: Double, proven: Bool = true) {
        self.draw = draw
        self.feed = feed
        self.ownCost = ownCost
        self.value = value
        self.proven = proven
    }
}
