import LinearProgramming

/// A bilateral (fully peer-to-peer) market with per-pair network fees, after Sorin, Bobo and Pinson (2019),
/// "Consensus-based approach to peer-to-peer electricity markets with product differentiation". Each period is
/// cleared as an LP through the solver layer: trade `x[b, s]` between every buy bid `b` and sell bid `s` whose
/// prices leave a gain after the fee, maximizing `sum (bid_b - ask_s - fee_bs) x[b, s]` within every bid's
/// quantity. Prices come from the dual LP (solved explicitly, so any backend works): `lambda_b`, `mu_s >= 0` with
/// `lambda_b + mu_s >= bid_b - ask_s - fee_bs`, minimizing `sum q_b lambda_b + sum q_s mu_s`. Buyer `b` pays
/// `bid_b - lambda_b` and seller `s` receives `ask_s + mu_s`; by complementary slackness the two differ by exactly
/// the fee on every traded pair, so the operator collects the fees and nothing else, and nobody pays above its bid
/// or receives below its ask.
public struct BilateralMarket: ClearingMechanism {
    public var fees: NetworkFees
    public var solver: any LinearSolver
    public var name: String { MechanismName.bilateral.rawValue }

    public init(fees: NetworkFees = NetworkFees(), solver: any LinearSolver) {
        self.fees = fees
        self.solver = solver
    }

    public func clear(_ bids: PeriodBids) throws -> PeriodClearing {
        let pairs = profitablePairs(bids, fees: fees)
        guard !pairs.isEmpty else { return PeriodClearing() }
        let primal = try solveAllocation(bids, pairs: pairs, integerFor: nil, solver: solver)
        let x = primal.values
        // The allocation LP's row duals are the prices when the backend gives them (GLPK); otherwise solve the dual.
        let (lambda, mu) = try primal.rowPrices ?? solveDual(bids, pairs: pairs)
        var trades: [Trade] = []
        for (k, p) in pairs.enumerated() where x[k] > 1e-9 {
            let b = bids.buys[p.b], s = bids.sells[p.s]
            trades.append(
                Trade(
                    buyer: b.bid.bidder, seller: s.bid.bidder, period: bids.period, quantity: x[k],
                    buyerPrice: b.bid.price - lambda[p.b], sellerPrice: s.bid.price + mu[p.s],
                    buyBid: b.index, sellBid: s.index))
        }
        return PeriodClearing(trades: trades)
    }

    /// The dual prices: one LP with a row per profitable pair.
    func solveDual(_ bids: PeriodBids, pairs: [(b: Int, s: Int, gain: Double)]) throws -> ([Double], [Double]) {
        var model = Model(name: "bilateral-prices")
        let lambda = bids.buys.map { model.addVariable(lower: 0, objective: $0.bid.quantity) }
        let mu = bids.sells.map { model.addVariable(lower: 0, objective: $0.bid.quantity) }
        for p in pairs { model.add(lambda[p.b] + mu[p.s] >= p.gain) }
        model.sense = .minimize
        let solution = try solver.solve(model, options: SolverOptions())
        guard solution.status == .optimal else {
            throw MarketError.solverFailed("period \(bids.period): the bilateral price LP ended \(solution.status.rawValue) (\(solution.message))")
        }
        let v = solution.values
        return (lambda.map { max(0, v[$0.index]) }, mu.map { max(0, v[$0.index]) })
    }
}

/// The buy-sell pairs of a period whose bid exceeds the ask plus the fee, with that gain per kWh.
func profitablePairs(_ bids: PeriodBids, fees: NetworkFees) -> [(b: Int, s: Int, gain: Double)] {
    var out: [(b: Int, s: Int, gain: Double)] = []
    for (i, b) in bids.buys.enumerated() {
        for (j, s) in bids.sells.enumerated() where b.bid.bidder != s.bid.bidder {
            let gain = b.bid.price - s.bid.price - fees.fee(buyer: b.bid.bidder, seller: s.bid.bidder)
            if gain >= 0 { out.append((i, j, gain)) }
        }
    }
    return out
}

/// Maximizes the gains from trade over `pairs` within every bid's quantity. With `integerFor` set, the bids it
/// marks trade whole or not at all (a binary per bid): the welfare optimum with indivisible bids.
///
/// For an LP whose backend reports row duals, `rowPrices` holds them per buy and per sell bid (`lambda`, `mu`: the
/// welfare one more kWh of the bid would add; 0 for a bid without a row), which solve the dual LP of
/// ``BilateralMarket``.
func solveAllocation(
    _ bids: PeriodBids, pairs: [(b: Int, s: Int, gain: Double)], integerFor: ((Bid) -> Bool)?,
    solver: any LinearSolver
) throws -> (values: [Double], objective: Double, rowPrices: ([Double], [Double])?) {
    var model = Model(name: "bilateral")
    let x = pairs.map { model.addVariable(lower: 0, objective: $0.gain) }
    var byBuy = [LinearExpression](repeating: LinearExpression(), count: bids.buys.count)
    var bySell = [LinearExpression](repeating: LinearExpression(), count: bids.sells.count)
    for (k, p) in pairs.enumerated() {
        byBuy[p.b].add(1, x[k])
        bySell[p.s].add(1, x[k])
    }
    func limit(_ e: LinearExpression, _ bid: Bid) -> Int? {
        guard !e.indices.isEmpty else { return nil }
        if let integerFor, integerFor(bid) {
            let y = model.addVariable(lower: 0, upper: 1, kind: .binary)
            return model.add(e - bid.quantity * y == 0)
        }
        return model.add(e <= bid.quantity)
    }
    let buyRows = bids.buys.indices.map { limit(byBuy[$0], bids.buys[$0].bid) }
    let sellRows = bids.sells.indices.map { limit(bySell[$0], bids.sells[$0].bid) }
    model.sense = .maximize
    let solution = try solver.solve(model, options: SolverOptions(relativeGap: 1e-9))
    guard solution.status == .optimal || solution.status == .feasible, let objective = solution.objective else {
        throw MarketError.solverFailed("period \(bids.period): the allocation LP ended \(solution.status.rawValue) (\(solution.message))")
    }
    var prices: ([Double], [Double])?
    if !model.isMixedInteger, let duals = solution.rowDuals, duals.count == model.constraintCount {
        prices = (buyRows.map { $0.map { max(0, duals[$0]) } ?? 0 }, sellRows.map { $0.map { max(0, duals[$0]) } ?? 0 })
    }
    return (solution.values, objective, prices)
}
