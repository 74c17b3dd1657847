"""The checks, one module per subject. Each check is a function (ctx, given) -> Outcome: it reaches the
world only through ctx.edges, receives in `given` the handoffs of the checks it needs, and never prints.
Their order and dependencies are in plan.py."""
