/// Checks of a model read from a file, before it is used: a hand-edited or damaged file must give a message, never
/// a trap (an index out of range, a division by zero) in the forecast. Each returns `nil` when the model can be
/// used, or what is wrong.
protocol DecodedModelCheck {
    func decodedModelProblem() -> String?
}

/// The first of `checks` that fails, as its message.
private func firstProblem(_ checks: [(Bool, String)]) -> String? { checks.first { !$0.0 }?.1 }

private func allFinite(_ values: [Double]) -> Bool { values.allSatisfy(\.isFinite) }

extension NaiveForecaster: DecodedModelCheck {
    func decodedModelProblem() -> String? {
        firstProblem([(last?.isFinite ?? true, "last value is not finite"), (sigma.isFinite && sigma >= 0, "sigma must be finite and >= 0")])
    }
}

extension SeasonalNaiveForecaster: DecodedModelCheck {
    func decodedModelProblem() -> String? {
        firstProblem([
            (period >= 1 && period <= 1_000_000, "period is \(period); it must be 1 to 1000000"),
            (tail.isEmpty || tail.count == period, "the last season holds \(tail.count) values; period is \(period)"),
            (allFinite(tail), "the last season holds a value that is not finite"),
            (sigma.isFinite && sigma >= 0, "sigma must be finite and >= 0")
        ])
    }
}

extension SeasonalMeanForecaster: DecodedModelCheck {
    func decodedModelProblem() -> String? {
        firstProblem([
            (period >= 1 && period <= 1_000_000, "period is \(period); it must be 1 to 1000000"),
            (seasons >= 1, "seasons is \(seasons); it must be >= 1"),
            (means.isEmpty || means.count == period, "means holds \(means.count) values; period is \(period)"),
            (allFinite(means), "means holds a value that is not finite"),
            (sigma.isFinite && sigma >= 0, "sigma must be finite and >= 0")
        ])
    }
}

extension WeeklyDifferenceAR: DecodedModelCheck {
    func decodedModelProblem() -> String? {
        let differences = history.count - week
        return firstProblem([
            (week >= 1 && day >= 1, "week (\(week)) and day (\(day)) must be >= 1"),
            (ar.count <= 1000, "\(ar.count) AR coefficients"),
            (
                history.isEmpty || differences >= max(day, ar.count, 1),
                "the history holds \(history.count) values; the model needs more than a week (\(week)) plus \(max(day, ar.count)) to forecast"
            ),
            (allFinite(history) && allFinite(ar) && intercept.isFinite && dailyCoefficient.isFinite, "a coefficient or a history value is not finite"),
            (sigma.isFinite && sigma >= 0, "sigma must be finite and >= 0")
        ])
    }
}

extension ARIMAModel {
    func decodedModelProblem() -> String? {
        let s = spec
        let orders = [s.p, s.d, s.q, s.P, s.D, s.Q]
        guard orders.allSatisfy({ $0 >= 0 && $0 <= 20 }), s.period >= 1, s.period <= 100_000, s.differencePeriod >= 1,
            s.differencePeriod <= 100_000
        else { return "the ARIMA orders \(s) are out of range" }
        let columns = Self.designColumns(s, regressors, count: y.count).count
        return firstProblem([
            (coefficients.count == s.p + s.P + s.q + s.Q, "\(coefficients.count) ARMA coefficients for \(s)"),
            (beta.count == columns, "\(beta.count) regression coefficients for \(columns) columns"),
            (regressors.allSatisfy { $0.count == y.count }, "a regressor's length differs from the history's"),
            (
                y.count > s.d + s.D * s.differencePeriod + max(s.arLags, s.maLags),
                "the history holds \(y.count) values; \(s) needs more than \(s.d + s.D * s.differencePeriod + max(s.arLags, s.maLags))"
            ),
            (allFinite(coefficients) && allFinite(beta) && allFinite(y), "a coefficient or a history value is not finite"),
            (sigma2.isFinite && sigma2 >= 0, "sigma2 must be finite and >= 0")
        ])
    }
}

extension AutoARIMA: DecodedModelCheck {
    func decodedModelProblem() -> String? {
        if let problem = model?.decodedModelProblem() { return problem }
        return firstProblem([
            (periodsPerDay >= 1, "periodsPerDay is \(periodsPerDay); it must be >= 1"),
            (fitCount >= 0, "fitCount must be >= 0"),
            (
                fourier.allSatisfy { $0.period > 0 && $0.period.isFinite && $0.harmonics >= 0 && $0.harmonics <= 1000 },
                "a Fourier term has a period <= 0 or a bad harmonic count"
            )
        ])
    }
}

extension MSTLForecaster: DecodedModelCheck {
    func decodedModelProblem() -> String? {
        if let problem = (adjusted as? any DecodedModelCheck)?.decodedModelProblem() { return problem }
        return firstProblem([
            ((periods ?? [1]).allSatisfy { $0 >= 1 && $0 <= 1_000_000 }, "a seasonal period is below 1"),
            (lastCycles.allSatisfy { !$0.isEmpty && allFinite($0) }, "a seasonal cycle is empty or holds a value that is not finite")
        ])
    }
}

extension ExponentialSmoothing: DecodedModelCheck {
    func decodedModelProblem() -> String? {
        guard fitted else { return nil }
        return firstProblem([
            (alpha > 0 && alpha <= 1, "alpha is \(alpha); it must lie in (0, 1]"),
            (beta >= 0 && beta <= alpha, "beta is \(beta); it must lie in [0, alpha]"),
            (phi >= 0.8 && phi <= 1, "phi is \(phi); it must lie in [0.8, 1]"),
            (level.isFinite && slope.isFinite && sigma.isFinite && sigma >= 0, "the level, trend or sigma is not finite")
        ])
    }
}

extension NeuralForecaster: DecodedModelCheck {
    func decodedModelProblem() -> String? {
        guard let s = state else { return nil }
        return firstProblem([
            (
                s.periodsPerDay >= 1 && s.horizon >= 1 && s.lag >= 1 && s.window >= 1,
                "periods per day (\(s.periodsPerDay)), horizon (\(s.horizon)), lag (\(s.lag)) and window (\(s.window)) must all be >= 1"
            ),
            (s.lag <= 1_000_000 && s.window <= 1_000_000 && s.horizon <= 1_000_000, "lag, window or horizon above 1000000"),
            (s.tail.count == s.lag + s.window, "the tail holds \(s.tail.count) values; lag + window is \(s.lag + s.window)"),
            (
                s.regressorNames.count == s.regressorMeans.count && s.regressorNames.count == s.regressorScales.count
                    && s.regressorTail.count == s.regressorNames.count, "the regressor names, means, scales and tails differ in number"
            ),
            (s.step > 0 && s.step.isFinite, "step must be > 0"),
            (
                s.levelScale > 0 && s.changeScale > 0 && s.levelScale.isFinite && s.changeScale.isFinite && s.levelMean.isFinite,
                "the level and change scales must be finite and > 0"
            ),
            (allFinite(s.tail), "the tail holds a value that is not finite"),
            (
                s.referenceWeights.map { w in
                    w.count == 7 && w.allSatisfy { $0.count >= 1 && $0.count * s.periodsPerDay <= s.lag && allFinite($0) }
                } ?? true,
                "the reference weights must be 7 rows of at most lag / periods per day finite values"
            )
        ])
    }
}

extension EnsembleForecaster: DecodedModelCheck {
    func decodedModelProblem() -> String? {
        let fitted = fittedMembers
        if let problem = firstProblem([
            ((validationDays ?? 1) >= 1, "validation days must be >= 1"),
            (
                members.count == weights.count && members.count == fitted.count,
                "\(members.count) members, \(weights.count) weights and \(fitted.count) fitted models"
            ),
            (zip(members, fitted).allSatisfy { $0 == $1.name }, "the fitted models are not the members \(members.joined(separator: ", "))"),
            (
                allFinite(weights) && weights.allSatisfy { $0 >= 0 } && abs(weights.reduce(0, +) - 1) < 1e-6 || weights.isEmpty,
                "the weights must be >= 0 and sum to 1"
            ),
            (errors.allSatisfy(allFinite) && fallbackSigma.isFinite && fallbackSigma >= 0, "a validation error or sigma is not finite")
        ]) {
            return problem
        }
        for m in fitted {
            if let checked = m as? any DecodedModelCheck, let problem = checked.decodedModelProblem() { return "\(m.name): \(problem)" }
        }
        return nil
    }
}
