import Agents
import Foundation
import Optimize
import TestFixtures
import Testing

/// What crosses between agents and the coordinator, and which files a process opens.
struct PrivacyTests {
    /// Every stored property of the messages is a per-period vector or a scalar: no field can carry a load curve's
    /// owner, a device parameter or a file.
    @Test func messagesCarryOnlyPeriodVectorsAndScalars() {
        let v = PeriodVector([1, 2, 3])
        let signal = PriceSignal(draw: v, feed: v)
        let proposal = Proposal(draw: v, feed: v, ownCost: 1, value: 2)
        for message in [signal as Any, proposal as Any] {
            for child in Mirror(reflecting: message).children {
                #expect(
                    child.value is PeriodVector || child.value is Double || child.value is Bool,
                    "\(type(of: message)).\(child.label ?? "?") is \(type(of: child.value))")
            }
        }
        #expect(Mirror(reflecting: v).children.allSatisfy { $0.value is [Double] })
    }

    static func agentsDirectory(_ prosumers: [String: String]) throws -> URL {
        let dir = TestScratch.root.appendingPathComponent("peergrid-agents-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("prosumers"), withIntermediateDirectories: true)
        let header = """
            {"name": "dir", "start": "2000-06-05T00:00:00Z", "period_minutes": 60, "periods": 2,
             "grid": {"import_price": [0.2, 0.3], "export_price": [0.05, 0.05], "import_limit_kw": 20, "export_limit_kw": 20},
             "p2p": {"enabled": true, "fee_per_kwh": 0.01}}
            """
        try header.write(to: dir.appendingPathComponent("community.json"), atomically: true, encoding: .utf8)
        for (name, text) in prosumers {
            try text.write(to: dir.appendingPathComponent("prosumers/\(name)"), atomically: true, encoding: .utf8)
        }
        return dir
    }

    static let good = #"{"id": "%@", "connection_kw": 10, "load_kw": [1, 2], "pv_kw": [0, 3]}"#

    /// A process reads only the prosumer files it owns: a broken file owned by another rank is never opened.
    @Test func aProcessOpensOnlyItsOwnAgentsFiles() throws {
        let dir = try Self.agentsDirectory([
            "a.json": String(format: Self.good, "a"), "b.json": "{ not json",
            "c.json": String(format: Self.good, "c")
        ])
        let mine = try CommunityFile.readAgents(directory: dir.path) { $0 % 2 == 0 }
        #expect(mine.files.count == 3)
        #expect(mine.prosumers.map { $0?.id } == ["a", nil, "c"])
        #expect(throws: CommunityFileError.self) { try CommunityFile.readAgents(directory: dir.path) { $0 == 1 } }
    }

    @Test func aBrokenAgentFileIsNamed() throws {
        let dir = try Self.agentsDirectory([
            "a.json": String(format: Self.good, "a"),
            "b.json": #"{"id": "b", "connection_kw": 10, "load_kw": [1], "pv_kw": [0, 3]}"#
        ])
        do {
            _ = try CommunityFile.read(agentsDirectory: dir.path)
            Issue.record("a short load_kw was accepted")
        } catch let e as CommunityFileError {
            #expect(e.file.hasSuffix("prosumers/b.json"))
            #expect(e.description.contains("load_kw"))
        }
        let dup = try Self.agentsDirectory(["a.json": String(format: Self.good, "a"), "b.json": String(format: Self.good, "a")])
        #expect(throws: CommunityFileError.self) { try CommunityFile.read(agentsDirectory: dup.path) }
    }

    /// Files saved on Windows (a UTF-8 byte order mark, CRLF line ends) read like any other.
    @Test func agentFilesWithABOMAndCRLFAreRead() throws {
        let text = "\u{FEFF}" + String(format: Self.good, "a").replacingOccurrences(of: ", ", with: ",\r\n") + "\r\n"
        let dir = try Self.agentsDirectory(["a.json": text])
        let c = try CommunityFile.read(agentsDirectory: dir.path)
        #expect(c.prosumers.first?.loadKW == [1, 2])
    }

    @Test func aDirectoryClearsLikeTheSameCommunityInOneFile() throws {
        let dir = try Self.agentsDirectory(["a.json": String(format: Self.good, "a"), "c.json": String(format: Self.good, "c")])
        let c = try CommunityFile.read(agentsDirectory: dir.path)
        #expect(c.prosumers.map(\.id) == ["a", "c"])
        let r = try DecentralizedClearing(community: c).run()
        #expect(r.schedule.status == .optimal)
        // Both draw 1 kW, then both feed 1 kW: nobody to trade with, so the cost is the grid's.
        #expect(abs((r.schedule.objective ?? 0) - 2 * (0.2 * 1 - 0.05 * 1)) <= 1e-6)
    }
}
