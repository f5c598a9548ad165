// Model: see the module's files.
