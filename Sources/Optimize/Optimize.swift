// Optimize: turns forecasts into decisions (community schedule MILP, settlement, diagnosis).
// Imports LinearProgramming and the solver backends; must not import Forecast internals or Reports.
