"""`python -m microgradnet ...` runs the command line."""

from microgradnet.cli import main

raise SystemExit(main())
