"""advaudit's symbolic layer: claims, constants, requirements and proof chains (sympy; no torch)."""
