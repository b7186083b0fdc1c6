import Testing
@testable import GLPKSolver
import LinearProgramming

/// GLPK's search state and status mapping, without GLPK: the callback's rules and `glp_intopt`'s outcomes.
@Suite struct GLPKSearchTests {
    func options(limit: Double? = nil, gap: Double = 1e-4, absoluteGap: Double = 1e-9) -> SolverOptions {
        var o = SolverOptions(timeLimit: limit, relativeGap: gap)
        o.absoluteGap = absoluteGap
        return o
    }

    @Test func theRootRelaxationBoundsTheSearchUntilANodeDoes() {
        let state = SearchState(options: options())
        _ = state.handle(SearchEvent(reason: .select, elapsed: 0.1, rootRelaxation: 10))
        #expect(state.bound == 10)
        // A later root value does not replace the bound; a node's bound does.
        _ = state.handle(SearchEvent(reason: .select, elapsed: 0.2, rootRelaxation: 11, bestNodeBound: nil))
        #expect(state.bound == 10)
        _ = state.handle(SearchEvent(reason: .select, elapsed: 0.3, bestNodeBound: 10.5))
        #expect(state.bound == 10.5)
    }

    @Test func anIncumbentAtTheBoundStopsTheSearch() {
        let state = SearchState(options: options(absoluteGap: 1e-6))
        let a = state.handle(SearchEvent(reason: .newIncumbent, elapsed: 1, bestNodeBound: 5, incumbent: 6))
        #expect(!a.terminate && !state.stoppedByAbsoluteGap)
        let b = state.handle(SearchEvent(reason: .select, elapsed: 2, bestNodeBound: 6 - 1e-7, incumbent: 6))
        #expect(b.terminate && state.stoppedByAbsoluteGap && !state.stoppedByTimeLimit)
    }

    @Test func theTimeLimitStopsTheSearchAndIsSaid() {
        let state = SearchState(options: options(limit: 2))
        #expect(!state.handle(SearchEvent(reason: .select, elapsed: 1.9)).terminate)
        #expect(state.handle(SearchEvent(reason: .select, elapsed: 2.0)).terminate)
        #expect(state.stoppedByTimeLimit)
        let s = state.solution(objective: 3, values: [1], end: .stopped, proven: false, sense: .minimize)
        #expect(s.status == .feasible && s.message == "time limit reached")
    }

    @Test func thePumpIsSkippedOnlyAtTheRootWhenLessTimeIsLeftThanTheRootTook() {
        let state = SearchState(options: options(limit: 10))
        // Root LP took 4 s, 6 s left: the pump runs.
        #expect(!state.handle(SearchEvent(reason: .heuristic, elapsed: 4, atRoot: true, pumpOn: true)).skipPump)
        // Below the root: never.
        #expect(!state.handle(SearchEvent(reason: .heuristic, elapsed: 6, atRoot: false, pumpOn: true)).skipPump)
        // Root took 6 s, 4 s left: skipped, and the message says so.
        #expect(state.handle(SearchEvent(reason: .heuristic, elapsed: 6, atRoot: true, pumpOn: true)).skipPump)
        let s = state.noSolution(.timeLimitNoSolution, code: .timeLimit, mip: .undefined)
        #expect(s.status == .timeLimitNoSolution && s.message.hasSuffix(SearchState.pumpSkipped))
        // Without a limit it never is.
        let free = SearchState(options: options())
        #expect(!free.handle(SearchEvent(reason: .heuristic, elapsed: 100, atRoot: true, pumpOn: true)).skipPump)
    }

    @Test func everyEndOfTheSearchMapsToOneVerdict() {
        #expect(SearchState.verdict(.noPrimalFeasible, .undefined) == .infeasible)
        #expect(SearchState.verdict(.finished, .noFeasible) == .infeasible)
        #expect(SearchState.verdict(.noDualFeasible, .undefined) == .unboundedIfFeasible)
        #expect(SearchState.verdict(.timeLimit, .undefined) == .timeLimitNoSolution)
        #expect(SearchState.verdict(.stopped, .undefined) == .timeLimitNoSolution)
        #expect(SearchState.verdict(.failed(7), .undefined) == .error)
        #expect(SearchState.verdict(.finished, .optimal) == .solution(proven: true))
        #expect(SearchState.verdict(.timeLimit, .feasible) == .solution(proven: false))
        #expect(SearchState.verdict(.mipGap, .feasible) == .solution(proven: false))
        #expect(SearchState.verdict(.stopped, .optimal) == .solution(proven: false))
    }

    @Test func aStopAtTheRelativeGapGuaranteesItsBound() {
        // mip_gap 1 %: a stale bound of 90 under an incumbent of 100 (minimize) is raised to 99, and it is optimal.
        let state = SearchState(options: options(gap: 0.01))
        state.bound = 90
        let s = state.solution(objective: 100, values: [], end: .mipGap, proven: false, sense: .minimize)
        #expect(s.status == .optimal && s.bestBound == 99)
        // Maximize: the guaranteed bound is above the incumbent.
        let m = SearchState(options: options(gap: 0.01))
        let t = m.solution(objective: 100, values: [], end: .mipGap, proven: false, sense: .maximize)
        #expect(t.bestBound == 101)
        // No bound seen and no proof: no bound reported (the incumbent would read as a proof).
        let none = SearchState(options: options()).solution(objective: 5, values: [], end: .stopped, proven: false, sense: .minimize)
        #expect(none.bestBound == nil && none.status == .feasible)
    }

    @Test func progressIsReportedOnEveryNewIncumbentAndAtMostTwiceASecondOtherwise() {
        var o = options()
        o.progress = { _ in }
        let state = SearchState(options: o)
        #expect(state.handle(SearchEvent(reason: .select, elapsed: 0.0)).report != nil)
        #expect(state.handle(SearchEvent(reason: .select, elapsed: 0.2)).report == nil)
        #expect(state.handle(SearchEvent(reason: .newIncumbent, elapsed: 0.3, incumbent: 4)).report?.incumbent == 4)
        #expect(state.handle(SearchEvent(reason: .select, elapsed: 0.9)).report != nil)
        #expect(SearchState(options: options()).handle(SearchEvent(reason: .newIncumbent, elapsed: 1)).report == nil)
    }
}
