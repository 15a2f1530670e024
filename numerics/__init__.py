"""advaudit's measurements, one concern per package (docs/architecture.md): network, ntk, adversarial,
training, robust_kernel, capacity, execution, checks (one module per claim) and planted (broken parts for
``advaudit selftest``). Nothing is re-exported: import the module you need."""
