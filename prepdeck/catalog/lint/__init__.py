"""The outdated-advice linter: curated rules for removed or misused Django APIs, and automatic checks of
code blocks (Python syntax; ``django``/``rest_framework`` imports resolved against the installed versions).

Pure apart from importing *installed* modules to resolve names: no code from a document is executed.
"""
