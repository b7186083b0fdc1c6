// Deadline event handlers for CBC 2.10 and CLP 1.17, attached through the C interface's model structure.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "CbcModel.hpp"
#include "CbcSolver.hpp"
#include "CbcEventHandler.hpp"
#include "CbcHeuristicDive.hpp"
#include "CbcHeuristicFPump.hpp"
#include "ClpEventHandler.hpp"
#include "ClpSimplex.hpp"
#include "ClpSolve.hpp"
#include "OsiClpSolverInterface.hpp"

#define CBC_EXTERN_C
#include "Coin_C_defines.h"

#include "Cbc_C_Interface.h"
#include "CbcDeadline.h"

namespace {

double monotonicSeconds() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

/// CbcMain1 marks the root solver's options with this once the initial LP is solved (CbcSolver.cpp,
/// `IN_BRANCH_AND_BOUND`); the models branch and bound clones from it inherit the mark.
const int inBranchAndBound = 0x01000000;

/// The barrier's iteration limit (see peergrid_cbc_solve).
const int barrierIterationCap = 100;

class ClpDeadline : public ClpEventHandler {
public:
    explicit ClpDeadline(double deadline) : ClpEventHandler(), deadline_(deadline) {}
    ClpEventHandler *clone() const override { return new ClpDeadline(*this); }

    int event(Event whichEvent) override {
        if (whichEvent != endOfIteration && whichEvent != endOfFactorization) return -1;
        if (model_ == nullptr || (model_->specialOptions() & inBranchAndBound) != 0) return -1;
        return monotonicSeconds() > deadline_ ? 0 : -1;
    }

private:
    double deadline_;
};

/// Diving and the feasibility pump run to their own time limits (600 CPU s by default) without looking at the
/// model's: each is given what is left before the deadline, whenever CBC reports an event.
void capHeuristics(CbcModel *model, double deadline) {
    if (model == nullptr || !std::isfinite(deadline)) return;
    double left = std::max(0.01, deadline - monotonicSeconds());
    for (int i = 0; i < model->numberHeuristics(); i++) {
        CbcHeuristic *heuristic = model->heuristic(i);
        if (CbcHeuristicDive *dive = dynamic_cast<CbcHeuristicDive *>(heuristic)) dive->setMaxTime(left);
        else if (CbcHeuristicFPump *pump = dynamic_cast<CbcHeuristicFPump *>(heuristic)) pump->setMaximumTime(left);
    }
}

/// The deadline of the solve in progress, for CbcMain1's callback, which takes no user data. Solves are serialized
/// (CbcSolver's process-wide lock), so one value is enough.
double currentDeadline = INFINITY;

/// The model being solved under a deadline without preprocessing, whose clean-up may be skipped; or null.
CbcModel *cleanupSkippable = nullptr;

/// CbcMain1's callback. Just before branch and bound (3), the heuristics and CBC's own limit get the time that is
/// left. Just after it
/// (4), a search under a deadline returns at once: CbcMain1 would otherwise fix the integers and re-solve the LP
/// for a clean solution (2.8 s after a 10 s budget on a 50-prosumer schedule). The best solution is copied over
/// first, which CbcMain1's early return (`moveInfo`) does not do. Only without preprocessing, whose solution
/// would still have to be mapped back.
int cbcMainCallback(CbcModel *model, int whereFrom) {
    if (whereFrom == 3 && model != nullptr && std::isfinite(currentDeadline)) {
        capHeuristics(model, currentDeadline);
        // CBC's own clock (the cut passes, the node loop and sub-MIPs check it) ends at the deadline too, not at
        // the caller's whole limit.
        double left = std::max(0.0, currentDeadline - monotonicSeconds());
        model->setMaximumSeconds(std::min(model->getMaximumSeconds(), model->getCurrentSeconds() + left));
    }
    if (whereFrom == 4 && cleanupSkippable != nullptr && model != nullptr) {
        const double *best = model->bestSolution();
        int columns = cleanupSkippable->solver()->getNumCols();
        if (model->getNumCols() != columns) return 0;
        if (best != nullptr) cleanupSkippable->setBestSolution(best, columns, model->getMinimizationObjValue());
        return 1;
    }
    return 0;
}

class CbcDeadline : public CbcEventHandler {
public:
    CbcDeadline(double deadline, peergrid_cbc_progress progress, void *context)
        : CbcEventHandler(), deadline_(deadline), progress_(progress), context_(context) {}
    CbcEventHandler *clone() const override { return new CbcDeadline(*this); }

    CbcAction event(CbcEvent whichEvent) override {
        capHeuristics(model_, deadline_);
        report(whichEvent == solution || whichEvent == heuristicSolution);
        switch (whichEvent) {
        case node:
        case treeStatus:
        case afterHeuristic:
        case heuristicPass:
            return monotonicSeconds() > deadline_ ? stop : noAction;
        default:
            return noAction;
        }
    }

private:
    double deadline_;
    peergrid_cbc_progress progress_;
    void *context_;
    double lastReport_ = 0;

    /// The search's incumbent and bound as CBC minimizes them (a maximization's negated), at most twice a second
    /// and at every new incumbent. NaN where there is none yet.
    void report(bool newIncumbent) {
        if (progress_ == nullptr || model_ == nullptr || model_->solver() == nullptr) return;
        double now = monotonicSeconds();
        if (!newIncumbent && now - lastReport_ < 0.5) return;
        lastReport_ = now;
        double best = model_->bestSolution() != nullptr ? model_->getMinimizationObjValue() : NAN;
        double bound = model_->getBestPossibleObjValue() * model_->solver()->getObjSense();
        progress_(context_, std::fabs(best) < 1e50 ? best : NAN, std::fabs(bound) < 1e50 ? bound : NAN);
    }
};

}  // namespace

extern "C" int peergrid_cbc_solve(void *handle, double seconds, int lpMethod, peergrid_cbc_progress progress, void *context) {
    Cbc_Model *model = static_cast<Cbc_Model *>(handle);
    bool limited = seconds >= 0 && std::isfinite(seconds);
    double deadline = limited ? monotonicSeconds() + seconds : INFINITY;
    if (limited || progress != nullptr) {
        CbcDeadline cbcHandler(deadline, progress, context);
        model->model_->passInEventHandler(&cbcHandler);   // copied by CBC
    }
    if (limited) {
        ClpDeadline clpHandler(deadline);
        OsiClpSolverInterface *solver = dynamic_cast<OsiClpSolverInterface *>(model->model_->solver());
        if (solver != nullptr) solver->getModelPtr()->passInEventHandler(&clpHandler);   // copied by CLP
    }
    // Cbc_solve's own path for LPs and for models built column by column (whose columns it flushes first).
    if (model->nCols != 0 || model->relax_ == 1 || model->model_->solver()->getNumIntegers() == 0) {
        OsiClpSolverInterface *clp = dynamic_cast<OsiClpSolverInterface *>(model->model_->solver());
        if (lpMethod != 0 && clp != nullptr) {
            ClpSolve options;
            options.setSolveType(lpMethod == 2 ? ClpSolve::useBarrierNoCross : ClpSolve::useBarrier);
            options.setPresolveType(ClpSolve::presolveOn);
            clp->setSolveOptions(options);
            // The barrier's iterations do not call the event handler; CLP's own wall-clock limit stops them.
            if (limited) clp->getModelPtr()->setMaximumWallSeconds(seconds);
            // CLP caps the barrier at this model's iteration limit when that is below 1000 (ClpSolve.cpp), and
            // lifts the limit for the crossover. The schedule's feasible relaxations converged in 25 (200 x 96) to
            // 35 (500 x 96) iterations; an infeasible one diverges to NaN, and ran all 1000 (17 s at 200 x 24,
            // 57 s at 600 x 24). A barrier stopped by the cap is not trusted: the simplex decides.
            clp->getModelPtr()->setMaximumIterations(barrierIterationCap);
        }
        return Cbc_solve(model);
    }
    // Cbc_solve's MIP path (Cbc_C_Interface.cpp, 2.10.8), with the callback that caps the heuristics.
    std::vector<const char *> argv;
    argv.push_back("Cbc_C_Interface");
    for (size_t i = 0; i < model->cmdargs_.size(); i++) argv.push_back(model->cmdargs_[i].c_str());
    argv.push_back("-solve");
    argv.push_back("-quit");
    bool preprocessing = true;
    for (size_t i = 0; i + 1 < model->cmdargs_.size(); i++) {
        if (model->cmdargs_[i] == "-preprocess" && model->cmdargs_[i + 1] == "off") preprocessing = false;
    }
    currentDeadline = deadline;
    cleanupSkippable = limited && !preprocessing ? model->model_ : nullptr;
    try {
        CbcMain1(static_cast<int>(argv.size()), &argv[0], *model->model_, cbcMainCallback, *model->cbcData);
    } catch (CoinError &e) {
        std::fprintf(stderr, "CBC error: %s::%s, %s\n", e.className().c_str(), e.methodName().c_str(), e.message().c_str());
    }
    currentDeadline = INFINITY;
    cleanupSkippable = nullptr;
    return model->model_->status();
}
