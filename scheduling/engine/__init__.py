"""Pure production-scheduling engine (issue 24): problem model, independent validator, CP-SAT solver, dispatch
rule and re-planning. No Django import anywhere in this package (a test asserts it)."""
