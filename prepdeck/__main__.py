"""``python -m prepdeck`` is the same as the ``prepdeck`` command."""

from prepdeck.cli import main

if __name__ == "__main__":
    main()
