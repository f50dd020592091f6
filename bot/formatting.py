"""Turning an Answer into text for people: plain text (ask --json "reply", piped console) and rich
markup for the interactive console. Telegram's HTML lives in telegram_html.py."""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text

from retrieval import Answer, Document, Quote

NOT_FOUND_TEXT = (
    "That's not in the documents. Try rephrasing the question, "
    "or use /sources to see which documents I have."
)
HELP_TEXT = (
    "Ask a question about the documents in plain language; I answer with sentences quoted "
    "word for word, each with where it comes from.\n"
    "Commands:\n"
    "  /help     this help\n"
    "  /sources  list the documents\n"
    "  /reset    forget this conversation (follow-up questions start afresh)\n"
    "  /quit     leave (Ctrl-D works too)"
)
RESET_TEXT = "Conversation cleared. Ask me anything about the documents."


QUOTE_BAR = "│ "  # quotes are set off by a bar, not by added quotation marks they may already have


def source_line(quote: Quote) -> str:
    where = f"paragraph {quote.paragraph}" if quote.paragraph > 0 else "header"
    return f"— {quote.title} ({quote.source}, {where})"


def reply_text(answer: Answer) -> str:
    """The plain-text reply, exactly as a person is shown it."""
    if not answer.answered or not answer.quotes:
        return NOT_FOUND_TEXT
    lines = []
    if answer.answer:
        lines += [f"Answer: {answer.answer}", ""]
    for i, quote in enumerate(answer.quotes):
        if i:
            lines.append("")
        lines += [QUOTE_BAR + quote.text, source_line(quote)]
    return "\n".join(lines)


def highlighted(quote: Quote) -> Text:
    """The quote with its short-answer span in bold, for the interactive console."""
    text = Text(QUOTE_BAR, style="dim")
    if quote.answer_span:
        start, end = quote.answer_span
        text.append(quote.text[:start])
        text.append(quote.text[start:end], style="bold yellow")
        text.append(quote.text[end:])
    else:
        text.append(quote.text)
    return text


def reply_markup(answer: Answer) -> list[Text]:
    """Rich renderables for the interactive console, in display order."""
    if not answer.answered or not answer.quotes:
        return [Text(NOT_FOUND_TEXT, style="italic")]
    out: list[Text] = []
    if answer.answer:
        out.append(Text.assemble(("Answer: ", "bold"), (answer.answer, "bold yellow")))
    for quote in answer.quotes:
        out.append(highlighted(quote))
        out.append(Text(source_line(quote), style="dim"))
    return out


def sources_text(documents: tuple[Document, ...]) -> str:
    lines = [f"{len(documents)} document{'s' if len(documents) != 1 else ''}:"]
    for doc in documents:
        extra = ", ".join(x for x in (doc.byline, doc.date) if x)
        lines.append(f"  {doc.source}: {doc.title}" + (f" ({extra})" if extra else ""))
    return "\n".join(lines)


__all__ = ["HELP_TEXT", "NOT_FOUND_TEXT", "RESET_TEXT", "escape", "highlighted", "reply_markup",
           "reply_text", "source_line", "sources_text"]
