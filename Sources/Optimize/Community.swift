import Foundation

/// An energy community for one scheduling horizon: the input of `peergrid schedule` (spec/community.md).
/// Values are validated by ``CommunityFile/parse(_:file:baseDirectory:)``; a `Community` made in code should be
/// checked with ``validate()``.
public struct Community: Sendable {
    public var name: String
    /// Start of period 0.
    public var start: Date
    /// Length of a period in minutes.
    public var periodMinutes: Int
    /// Number of periods T.
    public var periods: Int
    public var grid: Grid
    public var p2p: P2P
    public var sharedStorage: Storage?
    public var prosumers: [Prosumer]
    /// The raw `pricing` section (spec/pricing.md), kept for the pricing command.
    public var pricing: PricingSettings?

    /// Period length in hours (`dt`).
    public var hoursPerPeriod: Double { Double(periodMinutes) / 60 }

    /// Timestamp of period `t`.
    public func timestamp(_ t: Int) -> Date { start.addingTimeInterval(Double(t * periodMinutes * 60)) }

    /// The mid-market pool price `(import + export) / 2` per period.
    public var poolPrice: [Double] { zip(grid.importPrice, grid.exportPrice).map { ($0 + $1) / 2 } }

    public init(
        name: String, start: Date, periodMinutes: Int, periods: Int, grid: Grid, p2p: P2P,
        sharedStorage: Storage?, prosumers: [Prosumer], pricing: PricingSettings? = nil
    ) {
        self.name = name
        self.start = start
        self.periodMinutes = periodMinutes
        self.periods = periods
        self.grid = grid
        self.p2p = p2p
        self.sharedStorage = sharedStorage
        self.prosumers = prosumers
        self.pricing = pricing
    }
}

/// The point of common coupling.
public struct Grid: Sendable {
    public var importPrice: [Double]
    public var exportPrice: [Double]
    public var importLimitKW: Double
    public var exportLimitKW: Double

    public init(importPrice: [Double], exportPrice: [Double], importLimitKW: Double, exportLimitKW: Double) {
        self.importPrice = importPrice
        self.exportPrice = exportPrice
        self.importLimitKW = importLimitKW
        self.exportLimitKW = exportLimitKW
    }
}

/// The peer-to-peer pool.
public struct P2P: Sendable {
    public var enabled: Bool
    public var feePerKWh: Double

    public init(enabled: Bool, feePerKWh: Double) {
        self.enabled = enabled
        self.feePerKWh = feePerKWh
    }
}

/// A battery: a prosumer's own, or the community's shared storage.
public struct Storage: Sendable {
    public var capacityKWh: Double
    public var powerKW: Double
    public var chargeEfficiency: Double
    public var dischargeEfficiency: Double
    public var initialSoC: Double
    public var minSoC: Double
    public var maxSoC: Double
    public var finalMinSoC: Double
    public var degradationCostPerKWh: Double

    public var initialEnergy: Double { initialSoC * capacityKWh }

    public init(
        capacityKWh: Double, powerKW: Double, chargeEfficiency: Double, dischargeEfficiency: Double, initialSoC: Double,
        minSoC: Double, maxSoC: Double, finalMinSoC: Double, degradationCostPerKWh: Double
    ) {
        self.capacityKWh = capacityKWh
        self.powerKW = powerKW
        self.chargeEfficiency = chargeEfficiency
        self.dischargeEfficiency = dischargeEfficiency
        self.initialSoC = initialSoC
        self.minSoC = minSoC
        self.maxSoC = maxSoC
        self.finalMinSoC = finalMinSoC
        self.degradationCostPerKWh = degradationCostPerKWh
    }
}

/// A shiftable appliance or EV session: runs at exactly `powerKW` in exactly `runPeriods` periods of
/// `earliest...latest`.
public struct FlexibleLoad: Sendable {
    public var id: String
    public var powerKW: Double
    public var runPeriods: Int
    public var earliest: Int
    public var latest: Int

    public init(id: String, powerKW: Double, runPeriods: Int, earliest: Int, latest: Int) {
        self.id = id
        self.powerKW = powerKW
        self.runPeriods = runPeriods
        self.earliest = earliest
        self.latest = latest
    }
}

/// A household or business.
public struct Prosumer: Sendable {
    public var id: String
    public var connectionKW: Double
    public var loadKW: [Double]
    public var pvKW: [Double]
    public var battery: Storage?
    public var flexibleLoads: [FlexibleLoad]
    /// Where `load_kw` came from when the file named a CSV column instead of an array.
    public var loadSource: SeriesReference? = nil
    /// Where `pv_kw` came from when the file named a CSV column instead of an array.
    public var pvSource: SeriesReference? = nil

    public init(
        id: String, connectionKW: Double, loadKW: [Double], pvKW: [Double], battery: Storage?, flexibleLoads: [FlexibleLoad],
        loadSource: SeriesReference? = nil, pvSource: SeriesReference? = nil
    ) {
        self.id = id
        self.connectionKW = connectionKW
        self.loadKW = loadKW
        self.pvKW = pvKW
        self.battery = battery
        self.flexibleLoads = flexibleLoads
        self.loadSource = loadSource
        self.pvSource = pvSource
    }
}

/// A `{ "csv": path, "column": name }` reference of a community file, with the path resolved against the file's
/// directory.
public struct SeriesReference: Sendable, Equatable {
    /// The CSV file (absolute, or relative to the working directory).
    public var path: String
    public var column: String
    /// The JSON path of the field (`prosumers[2].load_kw`), for messages.
    public var field: String

    public init(path: String, column: String, field: String) {
        self.path = path
        self.column = column
        self.field = field
    }
}

/// The `pricing` object of spec/pricing.md.
public struct PricingSettings: Sendable {
    /// `uniform`: one charge and one discharge price per period for every follower; `personalized`: each follower its
    /// own.
    public enum Mode: String, Sendable { case uniform, personalized }
    public var mode: Mode
    public var maxChargePrice: Double
    public var maxDischargePrice: Double
    public var operatorCostPerKWh: Double
    /// `nil` means "equal"; otherwise capacity and power per prosumer id.
    public var partitions: [String: (capacityKWh: Double, powerKW: Double)]?

    public init(
        mode: Mode, maxChargePrice: Double, maxDischargePrice: Double, operatorCostPerKWh: Double,
        partitions: [String: (capacityKWh: Double, powerKW: Double)]? = nil
    ) {
        self.mode = mode
        self.maxChargePrice = maxChargePrice
        self.maxDischargePrice = maxDischargePrice
        self.operatorCostPerKWh = operatorCostPerKWh
        self.partitions = partitions
    }
}
