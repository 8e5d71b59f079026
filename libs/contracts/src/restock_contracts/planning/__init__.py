"""Planning context: effective settings and plan updates, owned by the planner."""
