"""Compiled kernels of the optimizers: one loop over the flat parameter buffer, compiled with
Numba like the layers' kernels (``nyangtorch/nn/kernels``, which also chooses the cache
folder: importing ``nyangtorch.optim`` imports ``nyangtorch.nn`` first)."""
