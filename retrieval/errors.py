"""quoteqa's exception family. The command line turns these into one line and an exit code.

    QuoteqaError
     ├── NoDocumentsError   the folder holds no usable document (exit code 2)
     └── IndexCacheError    a saved index cannot be used (the engine rebuilds it; never reaches users)
"""


class QuoteqaError(Exception):
    """An error a user can act on; the message says what to do."""

    exit_code = 1


class NoDocumentsError(QuoteqaError):
    exit_code = 2


class IndexCacheError(QuoteqaError):
    pass
