import Agents
import DataIO
import Foundation
import Optimize

/// The files of `peergrid clear`: the schedule's summary with the clearing's certificate and its convergence log.
public enum ClearingReport {
    /// `summary.json` of spec/community.md plus `method`, `iterations`, `converged`, the final residuals,
    /// `agents_in_selection`, the best bound's prices and the clearing's seconds.
    public static func summary(_ c: Community, _ r: ClearingResult) -> JSON {
        guard case var .object(pairs) = ScheduleReport.summary(c, r.schedule) else { return ScheduleReport.summary(c, r.schedule) }
        let last = r.iterations.last
        pairs.append(("method", .string("agents")))
        pairs.append(("iterations", .integer(r.iterations.count)))
        pairs.append(("converged", .bool(r.converged)))
        pairs.append(("primal_residual_kw", .number(last?.primalResidual)))
        pairs.append(("dual_residual", .number(last?.dualResidual)))
        pairs.append(("agents_in_selection", .integer(r.agentsInSelection)))
        pairs.append(("draw_price", .array(r.prices.draw.values.map { .number($0) })))
        pairs.append(("feed_price", .array(r.prices.feed.values.map { .number($0) })))
        pairs.append(("clearing_seconds", .number(r.seconds)))
        pairs.append(("phase_seconds", .object(r.phaseSeconds.map { ($0.phase, .number($0.seconds)) })))
        return .object(pairs)
    }

    /// `convergence.csv`: one row per iteration.
    public static func convergence(_ r: ClearingResult) -> String {
        var out = "iteration,primal_residual_kw,dual_residual,objective,bound,gap,smoothing,plans,seconds\n"
        for s in r.iterations {
            out +=
                [
                    String(s.iteration), ScheduleReport.num(s.primalResidual), ScheduleReport.num(s.dualResidual),
                    ScheduleReport.num(s.objective), ScheduleReport.num(s.bound), ScheduleReport.num(s.gap),
                    ScheduleReport.num(s.smoothing), String(s.plans), String(format: "%.3f", s.seconds)
                ].joined(separator: ",") + "\n"
        }
        return out
    }

    /// The short human summary.
    public static func text(_ c: Community, _ r: ClearingResult) -> String {
        var lines = [ScheduleReport.text(c, r.schedule)]
        lines.append(
            String(
                format: "clearing  %d iterations, %@, %d agents in the final selection, %.2f s",
                r.iterations.count, r.converged ? "converged" : "not converged", r.agentsInSelection, r.seconds))
        if !r.phaseSeconds.isEmpty {
            lines.append("phases    " + r.phaseSeconds.map { String(format: "%@ %.2f s", $0.phase, $0.seconds) }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}
