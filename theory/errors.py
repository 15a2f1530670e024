"""The one error type for bad input. The CLI turns it into one line and exit status 2."""
from __future__ import annotations


class InputError(ValueError):
    """Bad input from a user: names the argument (or claim-file entry and field) at fault."""
