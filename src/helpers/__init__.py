"""wxreport helpers: the package that computes; notebooks only narrate.

Data flows one way: source -> warehouse -> metrics -> notebook -> HTML/JSON -> index.
"""

__version__ = "0.1.0"
