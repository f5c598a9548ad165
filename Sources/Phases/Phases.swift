// Phases: see the module's files.
