#!/usr/bin/env python
"""Django's command-line utility; ``prepdeck`` (installed by pip) does the same with nicer errors."""

from prepdeck.cli import main

if __name__ == "__main__":
    main()
