"""Speed and memory benchmarks (`make bench`); targets live here, never in unit tests."""
