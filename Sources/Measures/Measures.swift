// Measures: see the module's files.
