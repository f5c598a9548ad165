// Datasets: see the module's files.
