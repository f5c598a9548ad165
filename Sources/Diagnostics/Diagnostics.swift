// Diagnostics: see the module's files.
