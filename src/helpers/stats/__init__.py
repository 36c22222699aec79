"""Pure statistical functions: arrays and frames in, results out; no I/O, no parameters files."""
