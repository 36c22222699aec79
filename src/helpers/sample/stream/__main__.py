"""`python -m helpers.sample.stream`: write a scaled sample (see the package's docstring)."""

from helpers.sample.stream import main

raise SystemExit(main())
