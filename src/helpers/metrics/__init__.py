"""Metric computations, one module per notebook family; definitions live in `registry`."""
