"""User-facing errors: each names the file, the column or key, an example, and what was expected."""

from __future__ import annotations


class WxReportError(Exception):
    """Base class for problems a user can fix; the CLI prints the message and exits non-zero."""


class DataError(WxReportError):
    """The data source does not meet the data contract."""


class ParamError(WxReportError):
    """A parameter file or override is malformed, unknown, mistyped or impossible."""


class KernelError(WxReportError):
    """The Jupyter kernel the notebooks need is missing or broken."""
