#!/usr/bin/python3
"""Draws the policy lines of the pinyin corpus's `unseen` split from the shared seeds.

For each policy document seeds/NNN_*.txt, by a fixed rule (no hand-picking):
  text     single line breaks removed (the documents break lines inside sentences; a blank
           line still ends a paragraph);
  words    the text segmented and tagged by jieba 0.42.1 (Debian python3-jieba, jieba.posseg),
           no HMM; only runs of Han characters (U+4E00-U+9FFF) count as words;
  terms    every word of 2-6 characters that is not a function word (tags c p r u* y e o x f),
           and every two adjacent words of 2 or more characters each that make 4-6 characters
           together, are both noun-like (tags n* vn an j l i, or s b a for the first: a noun
           phrase such as 学生作业负担, not a verb and its object) and stand side by side at
           least twice in the document (a repeated collocation, not a chance join across a
           phrase boundary);
  clauses  every piece between the punctuation marks ，。；：！？ and paragraph breaks that is
           5-12 Han characters and nothing else (a clause verbatim).
Texts already in the corpus file given (the other splits), or drawn for an earlier document,
are left out before drawing. Then, with random.Random(2026_12_05 + N) for document N, it draws
from the sorted candidates: terms of 2, 3, 4, 5 and 6 characters (6, 5, 9, 4, 4 of them), kind
`policy`; 3 more 4-character terms, kind `initials`; 3 clauses, kind `sentence`.

Prints `kind|unseen|text|source` lines; the syllables are added afterwards (the corpus header
says how). Usage: scripts/sample-pinyin-unseen-seeds.py SEEDS_DIR EXISTING_CORPUS > OUT
"""
import collections
import pathlib
import random
import re
import sys

import jieba
import jieba.posseg

TERMS_BY_LENGTH = {2: 6, 3: 5, 4: 9, 5: 4, 6: 4}
INITIALS = 3
CLAUSES = 3
SEED = 2026_12_05

HAN = re.compile(r"[\u4e00-\u9fff]+")
CLAUSE_BREAK = re.compile(r"[，。；：！？]|\n\n")
FUNCTION_TAGS = {"c", "p", "r", "y", "e", "o", "x", "f"}
NOUN_TAGS = {"vn", "an", "j", "l", "i"}
MODIFIER_TAGS = {"s", "b", "a"}


def noun_like(tag):
    return tag.startswith("n") or tag in NOUN_TAGS


def candidates(raw):
    text = re.sub(r"(?<!\n)\n(?!\n)", "", raw)
    terms, pair_counts, clauses = set(), collections.Counter(), set()
    for piece in CLAUSE_BREAK.split(text):
        piece = piece.strip()
        if 5 <= len(piece) <= 12 and HAN.fullmatch(piece):
            clauses.add(piece)
    words = [(w.word, w.flag) for w in jieba.posseg.cut(text, HMM=False)]
    for word, tag in words:
        if 2 <= len(word) <= 6 and HAN.fullmatch(word) and tag not in FUNCTION_TAGS:
            if not tag.startswith("u"):
                terms.add(word)
    for (left, ltag), (right, rtag) in zip(words, words[1:]):
        if not (HAN.fullmatch(left) and HAN.fullmatch(right)):
            continue
        if len(left) < 2 or len(right) < 2 or not 4 <= len(left) + len(right) <= 6:
            continue
        if not (noun_like(ltag) or ltag in MODIFIER_TAGS) or not noun_like(rtag):
            continue
        pair_counts[left + right] += 1
    terms |= {pair for pair, n in pair_counts.items() if n >= 2}
    return terms, clauses


def main():
    seeds, existing = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    taken = set()
    for line in existing.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            taken.add(line.split("|")[2])
    jieba.setLogLevel(60)
    for path in sorted(seeds.glob("[0-9][0-9][0-9]_*.txt")):
        number = path.name[:3]
        source = f"seeds/{number}"
        rng = random.Random(SEED + int(number))
        terms, clauses = candidates(path.read_text(encoding="utf-8"))
        drawn = []
        for length, count in TERMS_BY_LENGTH.items():
            pool = sorted(t for t in terms if len(t) == length and t not in taken)
            extra = INITIALS if length == 4 else 0
            picked = rng.sample(pool, min(len(pool), count + extra))
            drawn += [("policy", t) for t in picked[:count]]
            drawn += [("initials", t) for t in picked[count:]]
            taken.update(picked)
        pool = sorted(c for c in clauses if c not in taken)
        drawn += [("sentence", c) for c in rng.sample(pool, min(len(pool), CLAUSES))]
        for kind, text in drawn:
            print(f"{kind}|unseen|{text}|{source}")


if __name__ == "__main__":
    main()
