// Optim: see the module's files.
