#ifndef PEERGRID_CBC_DEADLINE_H
#define PEERGRID_CBC_DEADLINE_H

#ifdef __cplusplus
extern "C" {
#endif

/// A MIP search's progress: `context`, the incumbent's objective and the best bound, minimized (NaN when unknown).
typedef void (*peergrid_cbc_progress)(void *context, double incumbent, double bound);

/// `Cbc_solve` with a wall-clock budget of `seconds` (none when negative) for a `Cbc_Model` (CBC's C interface
/// handle, passed as `void *`); returns what `Cbc_solve` returns.
///
/// CBC's own `seconds` limit is checked between the phases of branch and cut, not inside CLP's root LP nor inside
/// its diving heuristics, so a 30 s limit on a 200-prosumer schedule returned after 58 s. Here CLP's event handler
/// stops the simplex of the initial (root) LP once the deadline has passed, CBC's stops the search at the next
/// node, heuristic pass or tree-status event, and the diving heuristics and the feasibility pump get the time
/// that is left as their own limits. LPs inside branch and bound are never cut short (a stopped node LP could be
/// taken for an infeasible node and corrupt the bound).
///
/// `lpMethod` chooses how a model without integer variables is solved: 0 CLP's default (dual simplex), 1 barrier
/// with crossover to a basic solution, 2 barrier without crossover. CLP's barrier does not check the deadline
/// inside its iterations (the crossover's simplex does).
///
/// `progress`, when not null, is called from the search with `context`, the incumbent's objective and the best
/// bound as CBC minimizes them (a maximization's negated; NaN when there is none yet; without the model's objective
/// constant), at most twice a second and at every new incumbent.
int peergrid_cbc_solve(void *model, double seconds, int lpMethod, peergrid_cbc_progress progress, void *context);

#ifdef __cplusplus
}
#endif

#endif
