"""`python -m leadpact …` is the same as the `leadpact` command."""

from leadpact.cli import main

main()
