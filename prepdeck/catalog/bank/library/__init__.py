"""A small throwaway Django app that the bundled bank's runnable code examples run against.

It is installed only in the test settings; the examples import it as ``library`` (``from library.models
import Book``), which the example runner aliases to this package.
"""
