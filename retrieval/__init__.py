"""quoteqa's retrieval engine: documents in, verbatim quoted answers out.

Front ends import only what is listed here.
"""

from retrieval.engine import Engine
from retrieval.errors import IndexCacheError, NoDocumentsError, QuoteqaError
from retrieval.models import Answer, ChatState, Document, Quote, Sentence

__all__ = [
    "Answer", "ChatState", "Document", "Engine", "IndexCacheError", "NoDocumentsError",
    "Quote", "QuoteqaError", "Sentence",
]
