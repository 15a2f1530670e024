"""advaudit's measurements: networks, NTKs, attacks, training, robust kernels, bounds, shattering."""
