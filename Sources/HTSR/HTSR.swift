// HTSR: see the module's files.
