"""Vectis Edge command line, replay of real data, demo and benchmarks."""
