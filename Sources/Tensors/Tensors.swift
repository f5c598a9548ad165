// Tensors: see the module's files.
