// Report: see the module's files.
