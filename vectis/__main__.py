"""`python -m vectis` is the `vectis` command (used to start child processes)."""

from vectis.cli import main

main()
