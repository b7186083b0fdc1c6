import DataIO
import Foundation

/// A community file that breaks a rule of spec/community.md: the file, the JSON path of the field and the rule.
public struct CommunityFileError: PeerGridError, Equatable {
    /// A community file that breaks the spec is bad input.
    public var kind: FailureKind { .badInput }
    public var file: String
    /// JSON path such as `prosumers[2].battery.charge_efficiency`.
    public var path: String
    public var message: String

    /// `file: path: message`; an empty `file` (the message names the file itself) is left out.
    public var description: String { "\(file.isEmpty ? "" : file + ": ")\(path.isEmpty ? "" : path + ": ")\(message)" }
}

/// Reads and validates community files (JSON, load/PV inline or from CSV columns).
public enum CommunityFile {
    /// Reads and validates a community file. Every rule of the spec is checked; the first broken one is thrown.
    public static func read(_ path: String) throws -> Community {
        let data = try readBytes(path)
        let base = InputFiles.baseDirectory(of: path)
        return try parse(data, file: path, baseDirectory: base)
    }

    /// Parses and validates JSON text. `baseDirectory` resolves CSV paths.
    public static func parse(_ data: Data, file: String, baseDirectory: URL) throws -> Community {
        var reader = JSONFieldReader(file: file, base: baseDirectory)
        return try reader.community(data)
    }

    /// A community given as one file per prosumer: `DIR/community.json` (grid, pool, shared storage; no
    /// `prosumers`) and `DIR/prosumers/*.json` (one prosumer object each; file-name order is prosumer order).
    /// Only the prosumers with `owned(index)` are opened and parsed (an MPI rank reads its own agents only); the
    /// others are `nil`. Every error names the file it is about.
    /// `read(i, bytes)` sees the bytes of every file opened (an MPI rank forwards its own to rank 0).
    public static func readAgents(
        directory dir: String, owned: (Int) -> Bool = { _ in true },
        read: (Int, Data) -> Void = { _, _ in }
    )
        throws -> (header: Community, files: [String], prosumers: [Prosumer?])
    {
        let headerPath = (dir as NSString).appendingPathComponent("community.json")
        let data: Data
        do { data = try InputFiles.data(headerPath) } catch {
            throw CommunityFileError(
                file: headerPath, path: "", message: "\(error) (an agents directory holds community.json and prosumers/*.json)")
        }
        var reader = JSONFieldReader(file: headerPath, base: URL(fileURLWithPath: dir))
        let header = try reader.community(data, allowNoProsumers: true)
        guard header.prosumers.isEmpty else {
            throw CommunityFileError(
                file: headerPath, path: "prosumers", message: "an agents directory keeps its prosumers in prosumers/*.json, not in community.json")
        }
        let folder = (dir as NSString).appendingPathComponent("prosumers")
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted() } catch {
            throw CommunityFileError(file: folder, path: "", message: "cannot list the prosumer files")
        }
        guard !names.isEmpty else { throw CommunityFileError(file: folder, path: "", message: "no prosumer files (*.json)") }
        let files = names.map { (folder as NSString).appendingPathComponent($0) }
        var prosumers: [Prosumer?] = []
        for (i, file) in files.enumerated() {
            guard owned(i) else { prosumers.append(nil); continue }
            if traceReads { FileHandle.standardError.write(Data("peergrid: reading \(file)\n".utf8)) }
            let bytes = try readBytes(file)
            read(i, bytes)
            prosumers.append(try agent(bytes, file: file, header: header))
        }
        try checkUniqueIds(prosumers, files: files)
        return (header, files, prosumers)
    }

    /// The bytes of a community or prosumer file; a file that cannot be read is a ``CommunityFileError`` naming it.
    static func readBytes(_ path: String) throws -> Data {
        do { return try InputFiles.data(path) } catch { throw CommunityFileError(file: path, path: "", message: error.description) }
    }

    /// With the environment variable `PEERGRID_TRACE_READS=1`, every prosumer file is named on standard error as it
    /// is opened (an audit of which process reads which household's data; `mpirun --tag-output` adds the rank).
    static var traceReads: Bool { ProcessInfo.processInfo.environment["PEERGRID_TRACE_READS"] == "1" }

    /// One prosumer file of an agents directory, from its bytes (`file` names it in messages and is where a CSV
    /// column it names is looked for), checked against the directory's `header`.
    public static func agent(_ bytes: Data, file: String, header: Community) throws -> Prosumer {
        let folder = (file as NSString).deletingLastPathComponent
        var r = JSONFieldReader(file: file, base: URL(fileURLWithPath: folder))
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: Data(JSONFieldReader.protectNonFinite(String(decoding: bytes, as: UTF8.self)).utf8)) } catch {
            throw CommunityFileError(file: file, path: "", message: "not valid JSON (\(JSONText.position(of: error, in: bytes)))")
        }
        return try r.prosumer(root, path: "prosumer", periods: header.periods, start: header.start, periodMinutes: header.periodMinutes)
    }

    /// Throws when two prosumers of an agents directory share an id (`files[i]` is where `prosumers[i]` came from).
    public static func checkUniqueIds(_ prosumers: [Prosumer?], files: [String]) throws {
        var ids: [String: String] = [:]
        for (i, p) in prosumers.enumerated() {
            guard let p else { continue }
            if let other = ids[p.id] {
                throw CommunityFileError(file: files[i], path: "prosumer.id", message: "duplicate prosumer id '\(p.id)' (also in \(other))")
            }
            ids[p.id] = files[i]
        }
    }

    /// The whole community of an agents directory (see ``readAgents(directory:owned:)``).
    public static func read(agentsDirectory dir: String) throws -> Community {
        let (header, _, prosumers) = try readAgents(directory: dir)
        var c = header
        c.prosumers = prosumers.compactMap { $0 }
        return c
    }

    /// Reads a community file as a template for a day that has not happened yet (`peergrid day-ahead`): every
    /// rule is checked, but `load_kw` / `pv_kw` that name CSV columns are not read. Those prosumers get empty
    /// `loadKW` / `pvKW` and a ``Prosumer/loadSource`` / ``Prosumer/pvSource`` saying where their history is.
    /// `data`, when given, is the file's bytes already read (a pipe can be read only once).
    public static func readTemplate(_ path: String, data given: Data? = nil) throws -> Community {
        let data = try given ?? readBytes(path)
        var reader = JSONFieldReader(file: path, base: InputFiles.baseDirectory(of: path))
        reader.deferSeries = true
        return try reader.community(data)
    }
}

/// Walks the JSON tree with a path, so that every error names the field.
struct JSONFieldReader {
    let file: String
    let base: URL
    /// Template mode: CSV series references are recorded, not read.
    var deferSeries = false
    /// CSV files named by series references, each read once.
    let csvCache = HorizonCSV.Cache()
    static let nanSentinel = "__peergrid_non_finite_number__"

    func fail(_ path: String, _ message: String) -> CommunityFileError {
        CommunityFileError(file: file, path: path, message: message)
    }

    /// Keys of each object of the file (spec/community.md and spec/pricing.md; `provenance` is PeerGrid's own).
    static let topKeys = ["name", "start", "period_minutes", "periods", "grid", "p2p", "shared_storage", "prosumers", "pricing", "provenance"]
    static let gridKeys = ["import_price", "export_price", "import_limit_kw", "export_limit_kw"]
    static let p2pKeys = ["enabled", "fee_per_kwh"]
    static let storageKeys = [
        "capacity_kwh", "power_kw", "charge_efficiency", "discharge_efficiency", "initial_soc", "min_soc", "max_soc", "final_min_soc",
        "degradation_cost_per_kwh"
    ]
    static let prosumerKeys = ["id", "connection_kw", "load_kw", "pv_kw", "battery", "flexible_loads"]
    static let flexibleKeys = ["id", "power_kw", "run_periods", "earliest", "latest"]
    static let pricingKeys = ["mode", "max_charge_price", "max_discharge_price", "operator_cost_per_kwh", "partitions"]

    /// Refuses a key that is a misspelling of a known key the object lacks (`shared_storge`, `Battery`,
    /// `flexible-loads`): an optional section under a wrong name would otherwise be left out without a word, and the
    /// community solved without its storage. Other unknown keys (metadata) are left alone.
    func checkKeys(_ o: [String: Any], _ known: [String], _ path: String) throws {
        for key in o.keys.sorted() where !known.contains(key) {
            let missing = known.filter { o[$0] == nil }
            if let near = missing.first(where: { Self.isMisspelling(key, of: $0) }) {
                throw fail(path.isEmpty ? key : "\(path).\(key)", "unknown key; did you mean '\(near)'?")
            }
        }
    }

    /// The same letters ignoring case, `_` and `-`, the known key's start without its unit (`fee` for
    /// `fee_per_kwh`), or at most two edits apart (one for keys of four letters or fewer).
    static func isMisspelling(_ key: String, of known: String) -> Bool {
        func folded(_ s: String) -> [Character] { Array(s.lowercased().filter { $0 != "_" && $0 != "-" }) }
        let a = folded(key), b = folded(known)
        if a == b || (a.count >= 3 && b.starts(with: a)) { return true }
        let allowed = min(a.count, b.count) <= 4 ? 1 : 2
        guard abs(a.count - b.count) <= allowed, !a.isEmpty, !b.isEmpty else { return false }
        // Levenshtein distance, one row at a time.
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var row = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = row
        }
        return previous[b.count] <= allowed
    }

    /// Refuses an id with a line break, tab or other control character (Unicode category Cc, plus the line and
    /// paragraph separators): ids are written into CSV files (schedule.csv, prices.csv), where one would split a
    /// record.
    func checkPrintable(_ id: String, _ path: String) throws {
        if id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "\u{2028}" || $0 == "\u{2029}" }) {
            throw fail(path, "must not contain line breaks or other control characters")
        }
    }

    /// JSON has no NaN or Infinity, but Python's `json` writes them: map those bare tokens to a sentinel so that
    /// the error can name the field instead of a character offset.
    static func protectNonFinite(_ text: String) -> String {
        guard text.contains("NaN") || text.contains("Infinity") else { return text }
        let chars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var inString = false, escaped = false
        var k = 0
        func matches(_ token: String) -> Bool {
            let t = Array(token.unicodeScalars)
            return k + t.count <= chars.count && Array(chars[k..<(k + t.count)]) == t
        }
        while k < chars.count {
            let c = chars[k]
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                out.append(c); k += 1
                continue
            }
            if c == "\"" { inString = true; out.append(c); k += 1; continue }
            if let token = ["-Infinity", "Infinity", "NaN"].first(where: matches) {
                out.append(contentsOf: "\"\(nanSentinel)\"".unicodeScalars)
                k += token.unicodeScalars.count
                continue
            }
            out.append(c); k += 1
        }
        return String(out)
    }

    static func lineOf(offset: Int, in text: String) -> Int {
        var line = 1
        for (i, c) in text.utf8.enumerated() { if i >= offset { break }; if c == 10 { line += 1 } }
        return line
    }

    mutating func community(_ data: Data, allowNoProsumers: Bool = false) throws -> Community {
        guard let text = String(data: data, encoding: .utf8) else { throw fail("", "not UTF-8 text") }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw fail("", "empty file") }
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: Data(Self.protectNonFinite(text).utf8))
        } catch {
            throw fail("", "not valid JSON (\(JSONText.position(of: error, in: Data(Self.protectNonFinite(text).utf8))))")
        }
        guard let obj = root as? [String: Any] else { throw fail("", "the top level must be an object") }
        try checkKeys(obj, Self.topKeys, "")
        let name = try string(obj, "name", "")
        let startText = try string(obj, "start", "")
        guard let start = Self.parseDate(startText) else { throw fail("start", "'\(startText)' is not an ISO 8601 timestamp") }
        let periodMinutes = try integer(obj, "period_minutes", "")
        guard periodMinutes > 0 else { throw fail("period_minutes", "must be > 0") }
        let periods = try integer(obj, "periods", "")
        guard periods > 0 else { throw fail("periods", "must be > 0") }

        let gridObj = try object(obj, "grid", "")
        try checkKeys(gridObj, Self.gridKeys, "grid")
        let importPrice = try numbers(gridObj, "import_price", "grid", count: periods)
        let exportPrice = try numbers(gridObj, "export_price", "grid", count: periods)
        for t in 0..<periods where exportPrice[t] > importPrice[t] {
            throw fail(
                "grid.export_price[\(t)]",
                "export price \(exportPrice[t]) is above the import price \(importPrice[t]); the spec requires export_price <= import_price")
        }
        let importLimit = try number(gridObj, "import_limit_kw", "grid", min: 0)
        let exportLimit = try number(gridObj, "export_limit_kw", "grid", min: 0)
        let grid = Grid(importPrice: importPrice, exportPrice: exportPrice, importLimitKW: importLimit, exportLimitKW: exportLimit)

        var p2p = P2P(enabled: false, feePerKWh: 0)
        if let p = obj["p2p"], !(p is NSNull) {
            guard let po = p as? [String: Any] else { throw fail("p2p", "must be an object") }
            try checkKeys(po, Self.p2pKeys, "p2p")
            guard let enabled = po["enabled"] as? Bool else { throw fail("p2p.enabled", "must be true or false") }
            p2p = P2P(enabled: enabled, feePerKWh: po["fee_per_kwh"] == nil ? 0 : try number(po, "fee_per_kwh", "p2p", min: 0))
        }
        var shared: Storage?
        if let s = obj["shared_storage"], !(s is NSNull) {
            guard let so = s as? [String: Any] else { throw fail("shared_storage", "must be an object or null") }
            shared = try storage(so, "shared_storage")
        }
        var prosumers: [Prosumer] = []
        var ids = Set<String>()
        if !(allowNoProsumers && obj["prosumers"] == nil) {
            guard let list = obj["prosumers"] as? [Any] else { throw fail("prosumers", obj["prosumers"] == nil ? "missing" : "must be an array") }
            guard !list.isEmpty || allowNoProsumers else { throw fail("prosumers", "must not be empty") }
            for (i, item) in list.enumerated() {
                let p = try prosumer(item, path: "prosumers[\(i)]", periods: periods, start: start, periodMinutes: periodMinutes)
                guard ids.insert(p.id).inserted else { throw fail("prosumers[\(i)].id", "duplicate prosumer id '\(p.id)'") }
                prosumers.append(p)
            }
        }
        var pricing: PricingSettings?
        if let p = obj["pricing"], !(p is NSNull) {
            guard let po = p as? [String: Any] else { throw fail("pricing", "must be an object") }
            try checkKeys(po, Self.pricingKeys, "pricing")
            pricing = try pricingSettings(po, ids: ids, shared: shared)
        }
        return Community(
            name: name, start: start, periodMinutes: periodMinutes, periods: periods, grid: grid, p2p: p2p,
            sharedStorage: shared, prosumers: prosumers, pricing: pricing)
    }

    /// One prosumer object at JSON path `path` (empty for a file that holds one prosumer).
    mutating func prosumer(_ item: Any, path: String, periods: Int, start: Date, periodMinutes: Int) throws -> Prosumer {
        guard let po = item as? [String: Any] else { throw fail(path, "must be an object") }
        try checkKeys(po, Self.prosumerKeys, path)
        let id = try string(po, "id", path)
        guard !id.isEmpty, id != "shared_storage" else { throw fail("\(path).id", "must be a non-empty id other than 'shared_storage'") }
        try checkPrintable(id, "\(path).id")
        let connection = try number(po, "connection_kw", path, min: 0)
        let (load, loadSource) = try series(po, "load_kw", path, periods: periods, start: start, periodMinutes: periodMinutes)
        let (pv, pvSource) = try series(po, "pv_kw", path, periods: periods, start: start, periodMinutes: periodMinutes)
        var battery: Storage?
        if let b = po["battery"], !(b is NSNull) {
            guard let bo = b as? [String: Any] else { throw fail("\(path).battery", "must be an object or null") }
            battery = try storage(bo, "\(path).battery")
        }
        var flex: [FlexibleLoad] = []
        if let f = po["flexible_loads"], !(f is NSNull) {
            guard let fl = f as? [Any] else { throw fail("\(path).flexible_loads", "must be an array") }
            for (k, fi) in fl.enumerated() {
                let fpath = "\(path).flexible_loads[\(k)]"
                guard let fo = fi as? [String: Any] else { throw fail(fpath, "must be an object") }
                try checkKeys(fo, Self.flexibleKeys, fpath)
                let fid = fo["id"] == nil ? "load\(k)" : try string(fo, "id", fpath)
                try checkPrintable(fid, "\(fpath).id")
                let power = try number(fo, "power_kw", fpath, min: 0)
                let run = try integer(fo, "run_periods", fpath)
                let earliest = try integer(fo, "earliest", fpath)
                let latest = try integer(fo, "latest", fpath)
                guard earliest >= 0 else { throw fail("\(fpath).earliest", "must be >= 0") }
                guard latest < periods else { throw fail("\(fpath).latest", "\(latest) is outside the horizon (periods = \(periods), so latest < \(periods))") }
                guard earliest <= latest else { throw fail("\(fpath).earliest", "earliest \(earliest) is after latest \(latest)") }
                guard run >= 0 else { throw fail("\(fpath).run_periods", "must be >= 0") }
                guard run <= latest - earliest + 1 else {
                    throw fail(
                        "\(fpath).run_periods",
                        "a run of \(counted(run, "period")) does not fit in the window \(earliest)...\(latest) (\(counted(latest - earliest + 1, "period")))")
                }
                flex.append(FlexibleLoad(id: fid, powerKW: power, runPeriods: run, earliest: earliest, latest: latest))
            }
        }
        return Prosumer(
            id: id, connectionKW: connection, loadKW: load, pvKW: pv, battery: battery, flexibleLoads: flex,
            loadSource: loadSource, pvSource: pvSource)
    }

    func pricingSettings(_ po: [String: Any], ids: Set<String>, shared: Storage?) throws -> PricingSettings {
        let modeText = try string(po, "mode", "pricing")
        guard let mode = PricingSettings.Mode(rawValue: modeText) else { throw fail("pricing.mode", "must be 'uniform' or 'personalized', not '\(modeText)'") }
        guard let shared else { throw fail("shared_storage", "pricing needs a shared storage, but shared_storage is missing") }
        let maxC = try number(po, "max_charge_price", "pricing", min: 0)
        let maxD = try number(po, "max_discharge_price", "pricing", min: 0)
        let k = try number(po, "operator_cost_per_kwh", "pricing", min: 0)
        var partitions: [String: (Double, Double)]?
        switch po["partitions"] {
        case nil, is NSNull: partitions = nil
        case let s as String:
            guard s == "equal" else { throw fail("pricing.partitions", "must be \"equal\" or an object of partitions") }
        case let o as [String: Any]:
            var parts: [String: (Double, Double)] = [:]
            var capSum = 0.0, powSum = 0.0
            for (id, v) in o.sorted(by: { $0.key < $1.key }) {
                let path = "pricing.partitions.\(id)"
                guard ids.contains(id) else { throw fail(path, "unknown prosumer id '\(id)'") }
                guard let vo = v as? [String: Any] else { throw fail(path, "must be an object") }
                let c = try number(vo, "capacity_kwh", path, min: 0), p = try number(vo, "power_kw", path, min: 0)
                parts[id] = (c, p); capSum += c; powSum += p
            }
            if capSum > shared.capacityKWh + 1e-9 {
                throw fail("pricing.partitions", "partitions add up to \(capSum) kWh, more than the storage's \(shared.capacityKWh) kWh")
            }
            if powSum > shared.powerKW + 1e-9 {
                throw fail("pricing.partitions", "partitions add up to \(powSum) kW, more than the storage's \(shared.powerKW) kW")
            }
            partitions = parts
        default: throw fail("pricing.partitions", "must be \"equal\" or an object of partitions")
        }
        return PricingSettings(
            mode: mode, maxChargePrice: maxC, maxDischargePrice: maxD, operatorCostPerKWh: k,
            partitions: partitions.map { $0.mapValues { (capacityKWh: $0.0, powerKW: $0.1) } })
    }

    func storage(_ o: [String: Any], _ path: String) throws -> Storage {
        try checkKeys(o, Self.storageKeys, path)
        let s = Storage(
            capacityKWh: try number(o, "capacity_kwh", path, min: 0),
            powerKW: try number(o, "power_kw", path, min: 0),
            chargeEfficiency: try number(o, "charge_efficiency", path),
            dischargeEfficiency: try number(o, "discharge_efficiency", path),
            initialSoC: try number(o, "initial_soc", path),
            minSoC: try number(o, "min_soc", path),
            maxSoC: try number(o, "max_soc", path),
            finalMinSoC: try number(o, "final_min_soc", path),
            degradationCostPerKWh: try number(o, "degradation_cost_per_kwh", path, min: 0))
        for (key, v) in [("charge_efficiency", s.chargeEfficiency), ("discharge_efficiency", s.dischargeEfficiency)] where !(v > 0 && v <= 1) {
            throw fail("\(path).\(key)", "efficiency \(v) is outside (0, 1]")
        }
        if s.minSoC < 0 { throw fail("\(path).min_soc", "must be >= 0") }
        if s.initialSoC < s.minSoC { throw fail("\(path).initial_soc", "initial_soc \(s.initialSoC) is below min_soc \(s.minSoC)") }
        if s.initialSoC > s.maxSoC { throw fail("\(path).initial_soc", "initial_soc \(s.initialSoC) is above max_soc \(s.maxSoC)") }
        if s.finalMinSoC > s.maxSoC { throw fail("\(path).final_min_soc", "final_min_soc \(s.finalMinSoC) is above max_soc \(s.maxSoC)") }
        if s.minSoC > s.maxSoC { throw fail("\(path).min_soc", "min_soc \(s.minSoC) is above max_soc \(s.maxSoC)") }
        if s.maxSoC > 1 { throw fail("\(path).max_soc", "must be <= 1") }
        return s
    }

    // MARK: Field readers

    func value(_ o: [String: Any], _ key: String, _ path: String) throws -> Any {
        let p = path.isEmpty ? key : "\(path).\(key)"
        guard let v = o[key], !(v is NSNull) else { throw fail(p, "missing (required)") }
        return v
    }

    func string(_ o: [String: Any], _ key: String, _ path: String) throws -> String {
        let p = path.isEmpty ? key : "\(path).\(key)"
        guard let s = try value(o, key, path) as? String else { throw fail(p, "must be a string") }
        return s
    }

    func object(_ o: [String: Any], _ key: String, _ path: String) throws -> [String: Any] {
        let p = path.isEmpty ? key : "\(path).\(key)"
        guard let s = try value(o, key, path) as? [String: Any] else { throw fail(p, "must be an object") }
        return s
    }

    func finite(_ v: Any, _ p: String) throws -> Double {
        if let s = v as? String, s == Self.nanSentinel { throw fail(p, "is NaN or infinite; every number must be finite") }
        guard let d = (v as? NSNumber)?.doubleValue ?? (v as? Double) else { throw fail(p, "must be a number") }
        guard d.isFinite else { throw fail(p, "is not finite") }
        guard abs(d) <= Self.largestMagnitude else {
            throw fail(
                p,
                "is \(d); numbers in a community file are refused above \(Self.largestMagnitude) in magnitude (prices, energy and power that large make the solvers fail: CBC aborts from 1e26, and 1e20 reads as unbounded)"
            )
        }
        return d
    }

    /// The largest magnitude of any number in a community file.
    static let largestMagnitude = 1e6

    func number(_ o: [String: Any], _ key: String, _ path: String, min: Double? = nil) throws -> Double {
        let p = path.isEmpty ? key : "\(path).\(key)"
        let d = try finite(try value(o, key, path), p)
        if let min, d < min { throw fail(p, "\(d) is negative; it must be >= \(min)") }
        return d
    }

    func integer(_ o: [String: Any], _ key: String, _ path: String) throws -> Int {
        let p = path.isEmpty ? key : "\(path).\(key)"
        let d = try finite(try value(o, key, path), p)
        guard d == d.rounded(), abs(d) < 1e9 else { throw fail(p, "\(d) must be an integer") }
        return Int(d)
    }

    func numbers(_ o: [String: Any], _ key: String, _ path: String, count: Int, min: Double? = nil) throws -> [Double] {
        let p = path.isEmpty ? key : "\(path).\(key)"
        guard let a = try value(o, key, path) as? [Any] else { throw fail(p, "must be an array of \(count) numbers") }
        guard a.count == count else { throw fail(p, "has \(a.count) values; it must have one per period (\(count))") }
        return try a.enumerated().map { k, v in
            let d = try finite(v, "\(p)[\(k)]")
            if let min, d < min { throw fail("\(p)[\(k)]", "\(d) is negative; it must be >= \(min)") }
            return d
        }
    }

    /// `load_kw` / `pv_kw`: an inline array or `{ "csv": path, "column": name }`.
    func series(_ o: [String: Any], _ key: String, _ path: String, periods: Int, start: Date, periodMinutes: Int) throws -> ([Double], SeriesReference?) {
        let p = "\(path).\(key)"
        let v = try value(o, key, path)
        if v is [Any] { return (try numbers(o, key, path, count: periods, min: 0), nil) }
        guard let ref = v as? [String: Any] else { throw fail(p, "must be an array or {\"csv\": ..., \"column\": ...}") }
        let csvPath = try string(ref, "csv", p)
        let column = try string(ref, "column", p)
        let url = csvPath.hasPrefix("/") ? URL(fileURLWithPath: csvPath) : base.appendingPathComponent(csvPath)
        let reference = SeriesReference(path: url.path, column: column, field: p)
        if deferSeries { return ([], reference) }
        let values: [Double]
        do {
            values = try HorizonCSV.read(
                url.path, column: column, start: start, periodMinutes: periodMinutes, periods: periods,
                cache: csvCache)
        } catch let e as HorizonCSV.Failure {
            throw fail(p, e.message)
        }
        for (t, x) in values.enumerated() where x < 0 { throw fail(p, "\(url.lastPathComponent) gives \(x) at period \(t); it must be >= 0") }
        for (t, x) in values.enumerated() where x > Self.largestMagnitude {
            throw fail(p, "\(url.lastPathComponent) gives \(x) at period \(t); it must be at most \(Self.largestMagnitude)")
        }
        return (values, reference)
    }

    static func parseDate(_ s: String) -> Date? { UTCTime.parse(s) }
}

/// Reads one column of a timestamped CSV over a scheduling horizon: each period's value is the mean of the rows
/// whose timestamps fall in it (so half-hourly data fill hourly periods and vice versa for equal steps).
enum HorizonCSV {
    struct Failure: Error { var message: String }

    /// A CSV read once: its table and its parsed timestamps. A community file that names ten columns of one file
    /// reads it once (it took one pass per column: 25 s for a 10 x 24 community on a year of half-hours).
    final class Cache {
        var tables: [String: (table: CSVTable, stamps: [Date])] = [:]
    }

    /// The table and its parsed timestamps, read once per cache.
    static func load(_ path: String, cache: Cache) throws -> (table: CSVTable, stamps: [Date]) {
        if let hit = cache.tables[path] { return hit }
        let table: CSVTable
        do { table = try CSVTable(contentsOf: path) } catch let e as CSVError { throw Failure(message: e.description) }
        let timeCol = table.column("timestamp") ?? 0
        var stamps: [Date] = []
        stamps.reserveCapacity(table.records.count)
        // The history reader's timestamp rule (DataIO), without a zone: UTC or an offset.
        var parser = TimestampParser(timeZone: nil)
        for r in table.records {
            let cell = r.fields[timeCol].trimmingCharacters(in: .whitespaces)
            guard let stamp = parser.parse(cell) else {
                throw Failure(message: "\(path):\(r.line): \(parser.problem ?? "'\(cell.prefix(40))' is not an ISO 8601 timestamp with Z or an offset")")
            }
            stamps.append(stamp)
        }
        cache.tables[path] = (table, stamps)
        return (table, stamps)
    }

    static func read(
        _ path: String, column: String, start: Date, periodMinutes: Int, periods: Int,
        cache: Cache = Cache()
    ) throws -> [Double] {
        let parsed = try load(path, cache: cache)
        let names = parsed.table.header
        guard let col = names.firstIndex(of: column) else {
            throw Failure(
                message:
                    "\(path): no column '\(column)' (columns: \(names.prefix(12).map { String($0.prefix(32)) }.joined(separator: ", "))\(names.count > 12 ? ", ..." : ""))"
            )
        }
        var sums = [Double](repeating: 0, count: periods), counts = [Int](repeating: 0, count: periods)
        let step = Double(periodMinutes * 60)
        for (k, r) in parsed.table.records.enumerated() {
            let offset = parsed.stamps[k].timeIntervalSince(start)
            guard offset >= 0 else { continue }
            let t = Int((offset / step).rounded(.down))
            guard t < periods else { continue }
            let cell = r.fields[col].trimmingCharacters(in: .whitespaces)
            guard let v = Double(cell), v.isFinite else {
                throw Failure(message: "\(path):\(r.line): '\(cell.prefix(40))' in column \(column) is not a finite number")
            }
            sums[t] += v
            counts[t] += 1
        }
        if let t = counts.firstIndex(of: 0) { throw Failure(message: "\(path) has no row for period \(t) of the horizon") }
        return zip(sums, counts).map { $0 / Double($1) }
    }
}

extension SeriesReference {
    /// Every whole day the CSV covers, as periods of `periodMinutes`: days start at `dayStart`'s time of day (UTC),
    /// from the first such boundary at or after the file's first row to the last day whose periods all have rows.
    /// Each period is the mean of the rows inside it (the community file's rule). Used by the controllers, which
    /// train and test over many days of the series a community file names for one day.
    public func wholeDays(periodMinutes: Int, periodsPerDay: Int, dayStart: Date) throws -> (first: Date, days: Int, values: [Double]) {
        let cache = HorizonCSV.Cache()
        let stamps: [Date]
        // A reader's failure names the CSV file and line itself, so the error does not name it again.
        do { stamps = try HorizonCSV.load(path, cache: cache).stamps } catch let e as HorizonCSV.Failure {
            throw CommunityFileError(file: "", path: field, message: e.message)
        }
        guard let first = stamps.min(), let last = stamps.max() else {
            throw CommunityFileError(file: path, path: field, message: "the file has no rows")
        }
        let day = 86_400.0
        let phase = dayStart.timeIntervalSince1970.truncatingRemainder(dividingBy: day)
        let start = ((first.timeIntervalSince1970 - phase) / day).rounded(.up) * day + phase
        let step = Double(periodMinutes * 60)
        let days = Int(((last.timeIntervalSince1970 + step - start) / day).rounded(.down))
        guard days > 0 else { throw CommunityFileError(file: path, path: field, message: "the file does not cover one whole day") }
        let from = Date(timeIntervalSince1970: start)
        do {
            let values = try HorizonCSV.read(
                path, column: column, start: from, periodMinutes: periodMinutes, periods: days * periodsPerDay, cache: cache)
            for (t, x) in values.enumerated() where x < 0 || x > JSONFieldReader.largestMagnitude {
                throw CommunityFileError(
                    file: path, path: field,
                    message: "column \(column) gives \(x) at period \(t) of its whole days; it must be in [0, \(JSONFieldReader.largestMagnitude)]")
            }
            return (from, days, values)
        } catch let e as HorizonCSV.Failure {
            throw CommunityFileError(file: "", path: field, message: e.message)
        }
    }
}
