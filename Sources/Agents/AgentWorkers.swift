import Foundation
import GLPKSolver

/// Threads that each own a fixed share of the agents for the whole run. GLPK keeps its environment per thread,
/// so an agent's workspace must stay on the thread that made it: a task of Swift's cooperative pool may resume on
/// another thread, a dedicated thread never does. Agent `i` belongs to worker `i % count`, so the answers do not
/// depend on the number of workers (each agent sees the same sequence of prices whichever thread runs it).
final class AgentWorkers: @unchecked Sendable {
    let count: Int
    private var threads: [Thread] = []
    private let wake: [DispatchSemaphore]
    private let done = DispatchSemaphore(value: 0)
    private var job: ((Int) -> Void)?
    private var stopping = false

    init(count: Int) {
        self.count = max(1, count)
        wake = (0..<max(1, count)).map { _ in DispatchSemaphore(value: 0) }
        for w in 0..<self.count {
            let thread = Thread { [unowned self] in self.loop(w) }
            thread.stackSize = 16 << 20
            thread.name = "peergrid-agents-\(w)"
            threads.append(thread)
            thread.start()
        }
    }

    private func loop(_ w: Int) {
        while true {
            wake[w].wait()
            if stopping {
                GLPKWorkspace.releaseThreadEnvironment()
                done.signal()
                return
            }
            job?(w)
            done.signal()
        }
    }

    /// Runs `body(worker)` on every worker and waits for all of them.
    func run(_ body: @escaping (Int) -> Void) {
        job = body
        for w in 0..<count { wake[w].signal() }
        for _ in 0..<count { done.wait() }
        job = nil
    }

    /// Runs `cleanup` on every worker (to release what it owns), then ends the threads.
    func shutdown(_ cleanup: @escaping (Int) -> Void) {
        run(cleanup)
        stopping = true
        for w in 0..<count { wake[w].signal() }
        for _ in 0..<count { done.wait() }
    }
}
