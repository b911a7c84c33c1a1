"""The one error hierarchy of littrack's core; the CLI turns it into one-line messages."""

from __future__ import annotations


class LittrackError(Exception):
    """Base of every error littrack reports to a user."""


class ConfigError(LittrackError):
    """Configuration is missing or wrong."""


class SchemaError(LittrackError):
    """The database schema is not at the revision this littrack needs."""


class NotFound(LittrackError):
    """A named thing (trait, domain, study, search, paper) does not exist."""


class ValidationError(LittrackError):
    """Input data failed validation; carries every problem found."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        head = self.problems[0] if self.problems else "invalid input"
        more = f" (and {len(self.problems) - 1} more problem(s))" if len(self.problems) > 1 else ""
        super().__init__(head + more)


class NetworkError(LittrackError):
    """A remote service could not be reached or kept failing after bounded retries."""


class EutilsError(LittrackError):
    """NCBI E-utilities answered, but with an error (ERROR element, ErrorList, unparsable body)."""


class ParseError(LittrackError):
    """A document could not be parsed (malformed, truncated, refused entities)."""


class ConcurrencyError(LittrackError):
    """Another littrack process holds the lock this operation needs."""
