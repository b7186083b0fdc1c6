import CMPI
import DataIO
import Foundation
import Optimize

/// The MPI world this process belongs to (OpenMPI through `CMPI`, the only importer of it).
public enum MPIWorld {
    /// Whether this process was started as an MPI rank: by `mpirun` (OpenMPI's environment) or by `srun` with a PMI
    /// plugin (`--mpi=pmix` or `pmi2`). A plain `peergrid clear` never initializes MPI.
    public static var launched: Bool {
        let env = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"].contains { env[$0] != nil }
    }

    /// The number of ranks on this machine when started by `mpirun` (OpenMPI's environment).
    public static var ranksOnThisNode: Int? {
        ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init).flatMap { $0 >= 1 ? $0 : nil }
    }

    /// Initializes MPI (once) and returns this process's rank and the number of ranks. A rank that waits for the
    /// others yields its core (OpenMPI spins by default, which on 2 cores took a core from rank 0's coordinator).
    public static func start() throws -> (rank: Int, size: Int) {
        if peergrid_mpi_initialized() == 0 {
            setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0)
            guard peergrid_mpi_init() == MPI_SUCCESS else { throw AgentError.workerFailed("MPI_Init failed") }
        }
        return (Int(peergrid_mpi_rank()), Int(peergrid_mpi_size()))
    }

    /// Ends MPI; every rank calls it once, after the last collective call.
    public static func finish() {
        if peergrid_mpi_initialized() != 0 { _ = peergrid_mpi_finalize() }
    }

    /// Rank 0 receives every rank's bytes (its own included), in rank order; other ranks get `[]`.
    static func gather(_ bytes: [UInt8]) throws -> [[UInt8]] {
        let size = Int(peergrid_mpi_size()), rank = Int(peergrid_mpi_rank())
        var counts = [Int32](repeating: 0, count: size)
        try check(peergrid_mpi_gather_counts(Int32(bytes.count), &counts), "MPI_Gather")
        var offsets = [Int32](repeating: 0, count: size)
        for r in 1..<max(1, size) { offsets[r] = offsets[r - 1] + counts[r - 1] }
        var all = [UInt8](repeating: 0, count: rank == 0 ? Int(counts.reduce(0, +)) : 1)
        try check(peergrid_mpi_gather_bytes(bytes, Int32(bytes.count), &all, counts, offsets), "MPI_Gatherv")
        guard rank == 0 else { return [] }
        return (0..<size).map { Array(all[Int(offsets[$0])..<Int(offsets[$0] + counts[$0])]) }
    }

    /// A failure's kind as a number that can cross ranks (1 ...), and back.
    static func code(of error: Error) -> Double {
        let kind = (error as? PeerGridError)?.kind ?? .internal
        return Double((FailureKind.allCases.firstIndex(of: kind) ?? 0) + 1)
    }

    static func kind(of code: Double) -> FailureKind {
        let i = Int(code.rounded()) - 1
        return FailureKind.allCases.indices.contains(i) ? FailureKind.allCases[i] : .internal
    }

    static func check(_ code: Int32, _ call: String) throws {
        guard code == MPI_SUCCESS else { throw AgentError.workerFailed("\(call) failed with MPI error \(code): a rank has died or cannot be reached") }
    }

    /// Rank 0's `values` on every rank.
    static func broadcast(_ values: inout [Double]) throws {
        guard !values.isEmpty else { return }
        try check(peergrid_mpi_bcast_doubles(&values, Int32(values.count)), "MPI_Bcast")
    }

    /// The sum over the ranks of `values`, at rank 0 (other ranks get their own values back).
    static func sum(_ values: [Double]) throws -> [Double] {
        var out = values
        try check(peergrid_mpi_reduce_sum(values, &out, Int32(values.count)), "MPI_Reduce")
        return out
    }
}

/// Which rank holds agent `i`: agents are dealt out in turn.
func owner(of agent: Int, ranks: Int) -> Int { agent % ranks }

/// The agents of every MPI rank, seen from rank 0, where the coordinator runs. Each call is one collective round:
/// rank 0 broadcasts the operation and its numbers (prices, targets, plan indices, weights), every rank answers for
/// its own agents, and the answers are summed into rank 0 (each agent's slot is filled by its own rank, zeros
/// elsewhere, so the sum is exact). Only per-period vectors and scalars cross ranks, as in ``Proposal``. The other
/// ranks run ``serve()`` until rank 0 closes the group.
final class MPIAgents: AgentGroup {
    private let local: LocalAgents
    /// Global indices of this rank's agents, in local order, and the other way round.
    private let owned: [Int]
    private let localIndex: [Int: Int]
    let count: Int
    private let T: Int

    /// `local` holds this rank's agents, `owned` their global indices; `count` agents in all, `periods` long.
    init(local: LocalAgents, owned: [Int], count: Int, periods: Int) {
        self.local = local
        self.owned = owned
        localIndex = Dictionary(uniqueKeysWithValues: owned.enumerated().map { ($0.element, $0.offset) })
        self.count = count
        T = periods
    }

    enum Operation: Int {
        case respond = 1, respondTargets, plans, fix, respondFixed, combine, unfix, close
    }

    // MARK: rank 0

    func respond(to signal: PriceSignal, effort: Effort) throws -> [(proposal: Proposal, plan: Int)] {
        let e: [Double] =
            switch effort {
            case .quick: [0, 0, -1]
            case .bounded(let nodes, let seconds): [1, Double(nodes), seconds ?? -1]
            case .exact(let nodes): [2, Double(nodes), -1]
            }
        let slots = try round(.respond, signal.draw.values + signal.feed.values + e)
        return try (0..<count).map { try required(slots, $0) }
    }

    func respond(to signal: PriceSignal, targets: [Int: ProsumerAgent.Target]) throws -> [Int: (proposal: Proposal, plan: Int)] {
        var payload = signal.draw.values + signal.feed.values + [Double(targets.count)]
        for (i, target) in targets.sorted(by: { $0.key < $1.key }) { payload += [Double(i), target.weight] + target.draw + target.feed }
        let slots = try round(.respondTargets, payload)
        var out: [Int: (proposal: Proposal, plan: Int)] = [:]
        for i in targets.keys { if let p = proposal(slots, i) { out[i] = p } }
        return out
    }

    func plans(_ requests: [(agent: Int, plan: Int)]) throws -> [ProsumerAgent.Plan] {
        let slots = try round(.plans, [Double(requests.count)] + requests.flatMap { [Double($0.agent), Double($0.plan)] })
        let stride = 6 * T + 1
        return requests.indices.map { k in
            let s = Array(slots[(k * stride)..<((k + 1) * stride)])
            func part(_ j: Int) -> [Double] { Array(s[(j * T)..<((j + 1) * T)]) }
            return ProsumerAgent.Plan(
                draw: part(0), feed: part(1), charge: part(2), discharge: part(3), curtail: part(4),
                flexible: part(5), ownCost: s[6 * T])
        }
    }

    func fix(_ plans: [Int]) throws { _ = try round(.fix, plans.map(Double.init)) }

    func respondFixed(to signal: PriceSignal) throws -> [(proposal: Proposal, plan: Int)] {
        let slots = try round(.respondFixed, signal.draw.values + signal.feed.values)
        return try (0..<count).map { try required(slots, $0) }
    }

    func combine(_ weights: [[(plan: Int, weight: Double)]]) throws -> [Int] {
        var payload: [Double] = []
        for w in weights { payload += [Double(w.count)] + w.flatMap { [Double($0.plan), $0.weight] } }
        return try round(.combine, payload).prefix(count).map { Int($0.rounded()) }
    }

    func unfix() throws { _ = try round(.unfix, []) }

    /// Ends every rank's ``serve()`` loop and releases this rank's agents.
    func close() {
        _ = try? broadcast(.close, [])
        local.close()
    }

    /// One collective round from rank 0: the operation, then the answers summed.
    private func round(_ op: Operation, _ payload: [Double]) throws -> [Double] {
        try broadcast(op, payload)
        return try answer(op, payload)
    }

    private func broadcast(_ op: Operation, _ payload: [Double]) throws {
        var header = [Double(op.rawValue), Double(payload.count)]
        try MPIWorld.broadcast(&header)
        var body = payload
        try MPIWorld.broadcast(&body)
    }

    private func required(_ slots: [Double], _ i: Int) throws -> (proposal: Proposal, plan: Int) {
        guard let p = proposal(slots, i) else { throw AgentError.workerFailed("no answer from agent \(i)") }
        return p
    }

    private func proposal(_ slots: [Double], _ i: Int) -> (proposal: Proposal, plan: Int)? {
        let stride = 5 + 2 * T
        let s = slots[(i * stride)..<((i + 1) * stride)].map { $0 }
        guard s[0] > 0.5 else { return nil }
        let p = Proposal(
            draw: PeriodVector(Array(s[5..<(5 + T)])), feed: PeriodVector(Array(s[(5 + T)..<(5 + 2 * T)])),
            ownCost: s[2], value: s[3], proven: s[4] > 0.5)
        return (p, Int(s[1].rounded()))
    }

    // MARK: every rank

    /// Ranks other than 0: answer rank 0's operations for this rank's agents until it closes the group.
    func serve() throws {
        while true {
            var header = [0.0, 0.0]
            try MPIWorld.broadcast(&header)
            guard let op = Operation(rawValue: Int(header[0])) else { throw AgentError.workerFailed("unknown MPI operation \(header[0])") }
            var payload = [Double](repeating: 0, count: Int(header[1]))
            try MPIWorld.broadcast(&payload)
            if op == .close { local.close(); return }
            _ = try answer(op, payload)  // an agent's error is reported to rank 0, which ends the rounds
        }
    }

    /// This rank's part of an operation, summed into rank 0. The last number counts the ranks that failed: an
    /// error on one rank becomes an error on rank 0 instead of a rank waiting forever.
    private func answer(_ op: Operation, _ payload: [Double]) throws -> [Double] {
        let rank = Int(peergrid_mpi_rank()), ranks = Int(peergrid_mpi_size())
        var out: [Double]
        var failure: Error?
        do { out = try compute(op, payload) } catch {
            failure = error
            out = try compute(op, payload, empty: true)
            if rank != 0 { FileHandle.standardError.write(Data("peergrid (MPI rank \(rank)): \(error)\n".utf8)) }
        }
        // One slot per rank: 0, or the kind of its failure (so that rank 0 exits as one process would).
        var codes = [Double](repeating: 0, count: ranks)
        if let failure { codes[rank] = MPIWorld.code(of: failure) }
        let summed = try MPIWorld.sum(out + codes)
        guard rank == 0 else { return [] }
        if let failure { throw failure }
        let failed = summed.suffix(ranks)
        if let r = failed.indices.first(where: { failed[$0] > 0 }) {
            throw AgentError.onRank(
                r - failed.startIndex, kind: MPIWorld.kind(of: failed[r]),
                message: "an agent failed; its message is above")
        }
        return Array(summed.prefix(out.count))
    }

    /// This rank's slots of an operation's answer (zeros where other ranks answer); with `empty`, only the zeros.
    private func compute(_ op: Operation, _ p: [Double], empty: Bool = false) throws -> [Double] {
        let signal = { PriceSignal(draw: PeriodVector(Array(p[0..<self.T])), feed: PeriodVector(Array(p[self.T..<(2 * self.T)]))) }
        let stride = 5 + 2 * T
        func write(_ answers: [(local: Int, answer: (proposal: Proposal, plan: Int))]) -> [Double] {
            var out = [Double](repeating: 0, count: count * stride)
            for (l, a) in answers {
                let base = owned[l] * stride
                out[base] = 1; out[base + 1] = Double(a.plan); out[base + 2] = a.proposal.ownCost
                out[base + 3] = a.proposal.value; out[base + 4] = a.proposal.proven ? 1 : 0
                for t in 0..<T { out[base + 5 + t] = a.proposal.draw[t]; out[base + 5 + T + t] = a.proposal.feed[t] }
            }
            return out
        }
        switch op {
        case .respond, .respondFixed:
            if empty { return [Double](repeating: 0, count: count * stride) }
            let answers: [(proposal: Proposal, plan: Int)]
            if op == .respondFixed {
                answers = try local.respondFixed(to: signal())
            } else {
                let nodes = Int(p[2 * T + 1]), seconds = p[2 * T + 2]
                let effort: Effort =
                    switch Int(p[2 * T]) {
                    case 0: .quick;
                    case 1: .bounded(nodes: nodes, seconds: seconds >= 0 ? seconds : nil);
                    default: .exact(nodes: nodes)
                    }
                answers = try local.respond(to: signal(), effort: effort)
            }
            return write(answers.enumerated().map { ($0.offset, $0.element) })
        case .respondTargets:
            if empty { return [Double](repeating: 0, count: count * stride) }
            var targets: [Int: ProsumerAgent.Target] = [:]
            var k = 2 * T + 1
            for _ in 0..<Int(p[2 * T]) {
                let i = Int(p[k]), weight = p[k + 1]
                if let l = localIndex[i] {
                    targets[l] = ProsumerAgent.Target(draw: Array(p[(k + 2)..<(k + 2 + T)]), feed: Array(p[(k + 2 + T)..<(k + 2 + 2 * T)]), weight: weight)
                }
                k += 2 + 2 * T
            }
            return write(try local.respond(to: signal(), targets: targets).map { ($0.key, $0.value) })
        case .plans:
            let n = Int(p[0]), stride = 6 * T + 1
            var out = [Double](repeating: 0, count: n * stride)
            if empty { return out }
            for k in 0..<n {
                let i = Int(p[1 + 2 * k]), plan = Int(p[2 + 2 * k])
                guard let l = localIndex[i] else { continue }
                let x = try local.plans([(l, plan)])[0]
                let values = x.draw + x.feed + x.charge + x.discharge + x.curtail + x.flexible + [x.ownCost]
                out.replaceSubrange((k * stride)..<((k + 1) * stride), with: values)
            }
            return out
        case .fix:
            if !empty { try local.fix(owned.map { Int(p[$0]) }) }
            return []
        case .combine:
            var out = [Double](repeating: 0, count: count)
            if empty { return out }
            var weights: [[(plan: Int, weight: Double)]] = []
            var k = 0
            for _ in 0..<count {
                let m = Int(p[k]); k += 1
                weights.append((0..<m).map { j in (Int(p[k + 2 * j]), p[k + 2 * j + 1]) })
                k += 2 * m
            }
            let mixes = try local.combine(owned.map { weights[$0] })
            for (l, mix) in mixes.enumerated() { out[owned[l]] = Double(mix) }
            return out
        case .unfix:
            if !empty { try local.unfix() }
            return []
        case .close:
            return []
        }
    }
}

extension DecentralizedClearing {
    /// Clears the community over MPI ranks (one process per rank, `mpirun -n K` or `srun`). Agent `i` lives on rank
    /// `i % K` (``MPIShare/read(file:agentsDirectory:rank:ranks:)`` gives a rank its share); the coordinator runs on
    /// rank 0, whose `community` is whole, and returns the result there. Other ranks answer rank 0's rounds for
    /// their own prosumers and return `nil`. The same inputs give
    /// the same result as ``run()`` in one process: every agent answers the same prices with the same solver, and
    /// each number crosses ranks unchanged (a sum with zeros).
    public func runMPI(rank: Int, share: MPIShare) throws -> ClearingResult? {
        try options.validate()
        var mine = community
        mine.prosumers = share.prosumers
        let local = LocalAgents(mine, workers: options.workers)
        let group = MPIAgents(local: local, owned: share.owned, count: share.count, periods: community.periods)
        guard rank == 0 else {
            try group.serve()
            return nil
        }
        defer { group.close() }
        var coordinator = Coordinator(community: community, options: options)
        return try coordinator.clear(group)
    }
}

/// What one MPI rank holds of a community: its own prosumers, and on rank 0 the whole community (to write the
/// schedule, whose rows list every prosumer's load and PV).
public struct MPIShare {
    /// The community on rank 0; elsewhere the community file's public part with this rank's prosumers only.
    public var community: Community
    /// This rank's prosumers and their indices in the community.
    public var prosumers: [Prosumer]
    public var owned: [Int]
    /// Prosumers in the whole community.
    public var count: Int

    /// Reads a community for `ranks` MPI ranks; every rank calls it. Agent `i` belongs to rank `i % ranks`. From an
    /// agents directory each rank opens only its own prosumer files and sends their bytes to rank 0; a community
    /// file is read whole by every rank. When any rank cannot read its part, every rank stops: rank 0 throws that
    /// rank's error (a file error's own kind and message, with the rank), the others return `nil`.
    public static func read(file: String?, agentsDirectory: String?, rank: Int, ranks: Int) throws -> MPIShare? {
        let mine: (Int) -> Bool = { $0 % ranks == rank }
        // To rank 0: a status (0, or the failure's kind), then the error message or this rank's prosumer files.
        var report: [UInt8] = [0]
        var share: MPIShare?
        var files: [String] = []
        var ownError: Error?
        do {
            if let file {
                let c = try CommunityFile.read(file)
                let owned = c.prosumers.indices.filter(mine)
                share = MPIShare(community: c, prosumers: owned.map { c.prosumers[$0] }, owned: owned, count: c.prosumers.count)
            } else {
                let (header, names, prosumers) = try CommunityFile.readAgents(directory: agentsDirectory ?? ".", owned: mine) { i, bytes in
                    guard rank != 0 else { return }
                    report +=
                        withUnsafeBytes(of: UInt32(i).littleEndian, Array.init)
                        + withUnsafeBytes(of: UInt32(bytes.count).littleEndian, Array.init) + [UInt8](bytes)
                }
                files = names
                var c = header
                c.prosumers = prosumers.compactMap { $0 }
                share = MPIShare(community: c, prosumers: c.prosumers, owned: names.indices.filter(mine), count: names.count)
            }
        } catch {
            ownError = error
            report = [UInt8(MPIWorld.code(of: error))] + Array(String(describing: error).utf8)
        }
        let reports = try MPIWorld.gather(report)
        var failure: Error?
        if rank == 0 {
            if let ownError {
                failure = ownError
            } else if let r = reports.indices.first(where: { reports[$0].first != 0 }) {
                failure = AgentError.onRank(
                    r, kind: MPIWorld.kind(of: Double(reports[r][0])),
                    message: String(decoding: reports[r].dropFirst(), as: UTF8.self))
            } else if !files.isEmpty, let header = share?.community {
                do { share?.community = try whole(header, files, reports) } catch { failure = error }
            }
        }
        // Rank 0 decides for everyone: go (1) or stop (0).
        var go = [failure == nil ? 1.0 : 0.0]
        try MPIWorld.broadcast(&go)
        if let failure { throw failure }
        return go[0] == 1 ? share : nil
    }

    /// Rank 0's whole community: its own prosumers and those whose files the other ranks sent, in file order.
    static func whole(_ own: Community, _ files: [String], _ reports: [[UInt8]]) throws -> Community {
        var prosumers = [Prosumer?](repeating: nil, count: files.count)
        var mine = own.prosumers.makeIterator()
        for i in files.indices where i % reports.count == 0 { prosumers[i] = mine.next() }
        for bytes in reports.dropFirst() {
            var k = 1
            func u32() -> Int {
                defer { k += 4 }
                return bytes[k..<(k + 4)].enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
            }
            while k < bytes.count {
                let i = u32(), n = u32()
                prosumers[i] = try CommunityFile.agent(Data(bytes[k..<(k + n)]), file: files[i], header: own)
                k += n
            }
        }
        try CommunityFile.checkUniqueIds(prosumers, files: files)
        var c = own
        c.prosumers = prosumers.compactMap { $0 }
        return c
    }
}
