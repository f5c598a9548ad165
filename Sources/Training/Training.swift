// Training: see the module's files.
