"""Exception hierarchy of peer_econ.

User errors (bad files, bad values, unknown options) raise :class:`InputError`, which the command
line turns into one line per problem on stderr and exit status 2, without a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Largest magnitude accepted for any number a user gives (input cells, options, PSA files).
#: Products and sums of a few such numbers over millions of samples stay far from the float64
#: overflow at 1.8e308, so no result silently turns infinite.
MAX_ABS_VALUE = 1e12


class PeerEconError(Exception):
    """Base class of every error peer_econ raises on purpose."""


class InputError(PeerEconError, ValueError):
    """Invalid user input: a file, a cell, an option or an argument.

    Parameters
    ----------
    problems : str or iterable of str
        One message per problem. Each names the file, row and column (where there is one), the
        value found and what is allowed.
    """

    def __init__(self, problems: str | Iterable[str]) -> None:
        if isinstance(problems, str):
            self.problems: tuple[str, ...] = (problems,)
        else:
            self.problems = tuple(problems)
        if not self.problems:
            self.problems = ("invalid input",)
        super().__init__("\n".join(self.problems))


class InputWarning(UserWarning):
    """A questionable input that still gives a defined result (e.g. base value != PSA mean)."""


class EstimationWarning(UserWarning):
    """A numerical estimate was clipped or is unreliable (e.g. EVPPI outside [0, EVPI])."""
