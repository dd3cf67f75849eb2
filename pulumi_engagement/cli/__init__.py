"""The ``engagement`` console script (see ``engagement --help``)."""

from .main import main
from .terminal import EXIT_ERROR, EXIT_INVALID, EXIT_NOT_FOUND, EXIT_OK, EXIT_SERVICE, EXIT_TIMEOUT

__all__ = ["EXIT_ERROR", "EXIT_INVALID", "EXIT_NOT_FOUND", "EXIT_OK", "EXIT_SERVICE", "EXIT_TIMEOUT", "main"]
