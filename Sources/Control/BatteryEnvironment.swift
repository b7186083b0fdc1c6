import Foundation
import Optimize

/// What a policy sees at the start of a period.
public struct Observation: Sendable {
    /// Period of the day, 0 ..< periodsPerDay.
    public var period: Int
    public var periodsPerDay: Int
    /// Stored energy (kWh) and its share of the usable range [min_soc, max_soc] (0 ... 1).
    public var energy: Double
    public var usableShare: Double
    /// This period's load and PV (kW; metered as the period starts, as in CityLearn).
    public var load: Double
    public var pv: Double
    /// Day-ahead forecasts of load and PV for the periods after this one until the day ends (on a warm-up day,
    /// which has no forecast, the actual values: policies are trained and evaluated after the warm-up only).
    public var forecastLoad: ArraySlice<Double>
    public var forecastPV: ArraySlice<Double>
    /// Import and export prices of this period and the rest of the day.
    public var importPrice: ArraySlice<Double>
    public var exportPrice: ArraySlice<Double>
    /// The battery powers the physics allow this period (kW; positive charges, negative discharges).
    public var allowed: ClosedRange<Double>
    /// `load - pv`.
    public var netLoad: Double { load - pv }
}

/// What one period cost and how it was served.
public struct StepOutcome: Sendable {
    /// The period's bill (currency; the reward is its negative).
    public var bill: Double
    public var flows: ProsumerPeriod
    /// The battery power applied (kW, positive charges) after the physics' limits.
    public var batteryKW: Double
    /// Grid import minus export (kW): the net electricity consumption of CityLearn's KPIs.
    public var netConsumption: Double { flows.gridImport - flows.gridExport }
}

/// One prosumer's battery under spec/community.md's physics, stepped period by period over one day.
///
/// An action is a requested battery power in kW (positive charges, negative discharges: one signed number, so the
/// battery never charges and discharges in the same period); the environment applies the nearest power the rules
/// allow: power and energy limits, the draw and feed limits of the connection and the community, and the final
/// state of charge (late in the day the battery may be made to keep or take in what it needs to end the day at
/// `final_min_soc`). PV is curtailed only when feed-in is over its limit or paid negatively. The reward is minus
/// the period's bill: `dt * (import_price * import - export_price * export + degradation * (charge + discharge))`.
/// Every day starts at `initial_soc`, as each day-ahead schedule does.
public struct BatteryEnvironment: Sendable {
    public let data: HouseholdDays
    public private(set) var day = 0
    public private(set) var period = 0
    public private(set) var energy: Double

    /// The no-battery case of CityLearn's KPIs: the battery is held idle (no power, no degradation).
    public let batteryless: Bool

    public init(data: HouseholdDays, batteryless: Bool = false) {
        self.data = data
        self.batteryless = batteryless
        energy = data.battery.initialEnergy
    }

    var b: Storage { data.battery }
    public var isDone: Bool { period >= data.periodsPerDay }

    /// Starts day `d` at the battery's initial state of charge.
    public mutating func reset(day d: Int) {
        day = d
        period = 0
        energy = b.initialEnergy
    }

    /// The lowest energy allowed at the end of period `t`: the minimum state of charge, and whatever charging at
    /// full power in the periods left can still lift to `final_min_soc` by the day's end.
    func floorEnergy(after t: Int) -> Double {
        let left = Double(data.periodsPerDay - 1 - t)
        return max(b.minSoC * b.capacityKWh, b.finalMinSoC * b.capacityKWh - left * data.dt * b.chargeEfficiency * b.powerKW)
    }

    /// The battery powers allowed this period.
    public var allowed: ClosedRange<Double> {
        if batteryless { return 0...0 }
        let t = period, dt = data.dt
        let load = data.load[day][t], pv = data.pv[day][t]
        let floor = floorEnergy(after: t), ceiling = b.maxSoC * b.capacityKWh
        var hi = min(b.powerKW, max(0, (ceiling - energy) / (dt * b.chargeEfficiency)))
        var lo = -min(b.powerKW, max(0, (energy - floor) * b.dischargeEfficiency / dt))
        if energy < floor { lo = min(b.powerKW, (floor - energy) / (dt * b.chargeEfficiency)) }
        // Draw: load - pv + charge <= draw limit; feed (PV curtailed at most to zero): -(load + power) <= feed limit.
        hi = min(hi, data.drawLimit - (load - pv))
        lo = max(lo, -(load + data.feedLimit))
        if lo > hi { lo = hi }
        return lo...hi
    }

    /// The observation at the current period.
    public var observation: Observation {
        let t = period
        let d = data
        let fl = d.forecastLoad[day].isEmpty ? d.load[day] : d.forecastLoad[day]
        let fp = d.forecastPV[day].isEmpty ? d.pv[day] : d.forecastPV[day]
        let span = b.maxSoC * b.capacityKWh - b.minSoC * b.capacityKWh
        return Observation(
            period: t, periodsPerDay: d.periodsPerDay, energy: energy,
            usableShare: span > 0 ? min(1, max(0, (energy - b.minSoC * b.capacityKWh) / span)) : 0,
            load: d.load[day][t], pv: d.pv[day][t], forecastLoad: fl[(t + 1)...], forecastPV: fp[(t + 1)...],
            importPrice: d.grid.importPrice[t...], exportPrice: d.grid.exportPrice[t...], allowed: allowed)
    }

    /// The bill of period `t` of day `d` with the battery idle (the no-battery case). The learners reward a
    /// period's saving against it: the sum over a day is the same for every policy, so the best policy is
    /// unchanged, and an action never tried looks no better than doing nothing.
    public func idleBill(day d: Int, period t: Int) -> Double {
        var idle = BatteryEnvironment(data: data, batteryless: true)
        idle.day = d
        idle.period = t
        return idle.step(0).bill
    }

    /// Applies `requestedKW` (clamped to ``allowed``), settles the period and moves to the next one.
    @discardableResult
    public mutating func step(_ requestedKW: Double) -> StepOutcome {
        let t = period, dt = data.dt
        let range = allowed
        let power = requestedKW.isFinite ? min(range.upperBound, max(range.lowerBound, requestedKW)) : 0
        var f = ProsumerPeriod()
        f.load = data.load[day][t]
        f.pv = data.pv[day][t]
        f.batteryCharge = max(0, power)
        f.batteryDischarge = max(0, -power)
        var net = f.load - f.pv + power
        let exportPrice = data.grid.exportPrice[t]
        if net < -data.feedLimit { f.curtail = min(f.pv, -data.feedLimit - net) }
        if exportPrice < 0, net + f.curtail < 0 { f.curtail = min(f.pv, -net) }
        net += f.curtail
        f.gridImport = max(0, net)
        f.gridExport = max(0, -net)
        energy += dt * (b.chargeEfficiency * f.batteryCharge - f.batteryDischarge / b.dischargeEfficiency)
        // Rounding only: the powers were within the limits.
        energy = min(b.maxSoC * b.capacityKWh, max(b.minSoC * b.capacityKWh, energy))
        f.batterySoC = energy
        let bill =
            dt
            * (data.grid.importPrice[t] * f.gridImport - exportPrice * f.gridExport
                + b.degradationCostPerKWh * (f.batteryCharge + f.batteryDischarge))
        period += 1
        return StepOutcome(bill: bill, flows: f, batteryKW: power)
    }
}
