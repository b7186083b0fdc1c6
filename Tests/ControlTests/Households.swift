import DataIO
import Foundation
import Optimize

@testable import Control

/// Seeded synthetic prosumers: random load and PV days, a random time-of-use tariff (export sometimes paid
/// negatively), a random battery and limits that always leave the day servable.
enum Households {
    static func make(seed: UInt64, days: Int = 10, periodsPerDay T: Int = 24) throws -> HouseholdDays {
        var g = SeededGenerator(seed: seed)
        let dt = 24.0 / Double(T)
        let cap = g.uniform(3, 15), power = g.uniform(1, 7)
        let minSoC = g.uniform(0, 0.2), maxSoC = g.uniform(0.8, 1)
        let finalMin = g.uniform(minSoC, 0.6)
        let initial = min(maxSoC, max(minSoC, finalMin + g.uniform(-0.1, 0.3)))
        let battery = Storage(
            capacityKWh: cap, powerKW: power, chargeEfficiency: g.uniform(0.85, 1), dischargeEfficiency: g.uniform(0.85, 1),
            initialSoC: initial, minSoC: minSoC, maxSoC: maxSoC, finalMinSoC: finalMin, degradationCostPerKWh: g.uniform(0, 0.03))
        let night = g.uniform(0.08, 0.2), day = g.uniform(0.2, 0.3), peak = g.uniform(0.3, 0.5)
        let importPrice = (0..<T).map { t -> Double in
            let h = Double(t) * dt
            return h < 7 ? night : (h >= 17 && h < 21 ? peak : day)
        }
        let exportBase = g.uniform(-0.03, 0.08)
        let exportPrice = importPrice.map { min($0, max(-0.05, exportBase + g.uniform(-0.02, 0.02))) }
        let pvPeak = g.uniform(0, 8), loadScale = g.uniform(0.5, 3)
        var load: [[Double]] = [], pv: [[Double]] = []
        for _ in 0..<days {
            let cloud = g.uniform(0.2, 1)
            load.append(
                (0..<T).map { t in
                    let h = Double(t) * dt
                    return loadScale * (0.4 + 0.6 * exp(-pow(h - 8, 2) / 4) + 0.9 * exp(-pow(h - 19, 2) / 6)) * g.uniform(0.6, 1.4)
                })
            pv.append((0..<T).map { t in max(0, sin(Double.pi * (Double(t) * dt - 6) / 14)) * pvPeak * cloud * g.uniform(0.8, 1) })
        }
        let maxLoad = load.joined().max() ?? 1
        let connection = maxLoad + power + g.uniform(0.5, 3)
        let grid = Grid(importPrice: importPrice, exportPrice: exportPrice, importLimitKW: connection + 5, exportLimitKW: g.uniform(1.5, 6))
        var data = HouseholdDays(
            prosumer: "p\(seed)", battery: battery, connectionKW: connection, grid: grid, periodMinutes: 1440 / T, periodsPerDay: T,
            first: Date(timeIntervalSince1970: 946_684_800), load: load, pv: pv, forecastLoad: [], forecastPV: [], warmUpDays: 2,
            forecasters: ("seasonal-naive-day", "seasonal-naive-day"))
        try data.checkServable()
        try data.makeForecasts(fitDays: 7, progress: nil)
        return data
    }
}

/// Chooses a random power in [-1.2, 1.2] x the battery's power each period (so the physics' limits are exercised).
struct RandomPolicy: BatteryPolicy {
    let name = "random"
    var generator: SeededGenerator
    mutating func act(_ o: Observation, _ env: BatteryEnvironment) throws -> Double {
        generator.uniform(-1.2, 1.2) * env.data.battery.powerKW
    }
}
