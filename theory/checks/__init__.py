"""Symbolic checks (sympy / mpmath only): each ``check_*(ctx, **planted) -> Evidence`` is named by a CheckSpec."""
