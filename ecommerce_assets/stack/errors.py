"""The one error type of the stack: its message says what failed and how to fix it."""


class StackError(RuntimeError):
    """Raised when the local stack cannot be fetched, started, checked or stopped."""
