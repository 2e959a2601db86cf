#!/usr/bin/env python3
"""Writes assets/rime/minsheng_policy.dict.yaml: the terms of the 双减 policy documents, weighted
so the kiosk's pinyin keyboard offers them first (and by their initials for 4-character terms).

Source: the policy documents given as arguments (plain UTF-8 text; the project's are the
shared seeds: notices and implementation plans of 2021-2024 by education offices, and the
“双减”改革每日快报). Words come from rime-essay (Debian package rime-essay, its essay.txt is
luna_pinyin's word list and weights):

  - the documents are split into essay words by the most probable segmentation (a unigram
    model on the essay's weights), so no word is a fragment across a word boundary (the 公室
    of 办公室);
  - a word of three or more characters that the segmentation finds at least MIN_WORD times,
    weighted by how often (TERM_WEIGHT × log2 count, at least its essay weight);
  - a two-character essay word found at least MIN_WORD2 times (监管 查处 补课), raised to
    WORD2_WEIGHT so it passes everyday homophones (不可) but keeps a higher essay weight;
    words with a function character (的 我 有 不 …) keep their essay weights;
  - a term of 3 to 8 characters made of two to four consecutive such words that occurs at
    least MIN_TERM times (校外+培训+机构, 专项+整治), or of two to four words with one-character
    words among them (家+校+沟通, 学科+类) that occurs at least MIN_TERM times and is not
    always part of a longer such run, weighted TERM_WEIGHT × (1 + log2 count)
    so the more frequent of two terms with the same initials comes first (培训机构 before
    培训监管); and every four-character pair of two-character words even once (明察+暗访),
    at PAIR_WEIGHT, the policy's four-character idiom that a parent may type by initials.
  - four characters made of a two-character policy word and the adjoining half of a longer
    word, if they occur at least MIN_TERM times (联合+执法 of 联合+执法检查), at PAIR_WEIGHT.
  Neither end of a word or term is a function character (的 和 等 …).

Every entry carries its code (scripts/rime_readings.py: luna_pinyin's words and readings
folded to simplified characters), because rime_deployer would spell a simplified character by
a rare traditional reading of its own (业 as qiu) and the term would not come by its initials.
Needs only Python and /usr/share/rime-data; the output is checked in.

Usage: scripts/gen-rime-policy-vocabulary.py SEED.txt... > assets/rime/minsheng_policy.dict.yaml
"""
import collections
import math
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rime_readings  # noqa: E402

ESSAY = "/usr/share/rime-data/essay.txt"
T2S = os.path.join(os.path.dirname(__file__), "..", "kiosk", "core", "data", "t2s_chars.txt")
MIN_WORD = 3
MIN_WORD2 = 2
MIN_TERM = 2
MIN_PAIR = 1
WORD_WEIGHT = 30000
WORD2_WEIGHT = 20000
TERM_WEIGHT = 100000
PAIR_WEIGHT = 60000
EDGE_STOP = set("的了和与及等对在是为各要将把被并或从向于以其之也就都而中上下一不个")
# Nor does a run with one-character words begin or end with a suffix or a verb's object marker.
LOOSE_EDGE_STOP = set("类化性期籍属涉由给至按经据拟共再已年全艺")
# Two-character words containing these are grammar, not terms: their essay weights stay.
FUNCTION_CHARS = set("的了和与及等是为将把被并或其之也就都而这那我你他她它们有没不")

# The essay is in traditional characters; the documents and the kiosk's output are simplified.
# kiosk/core/data/t2s_chars.txt (OpenCC's t2s, character by character) folds them.
t2s = {}
with open(T2S, encoding="utf-8") as f:
    for line in f:
        if not line.startswith("#") and "\t" in line:
            trad, simp = line.rstrip("\n").split("\t")
            t2s[trad] = simp

essay = {}
with open(ESSAY, encoding="utf-8") as f:
    for line in f:
        parts = line.rstrip("\n").split("\t")
        if len(parts) == 2:
            word = "".join(t2s.get(ch, ch) for ch in parts[0])
            essay[word] = max(essay.get(word, 0), int(parts[1]))

runs = []
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        runs += re.findall(r"[\u4e00-\u9fff]+", f.read())

total = sum(essay.values())


def segment(run):
    """The most probable split of run into essay words (a unigram model on essay weights;
    a character the essay does not know is a word of its own, at a low probability)."""
    best = [(0.0, 0)] + [(float("-inf"), 0)] * len(run)
    for end in range(1, len(run) + 1):
        for start in range(max(0, end - 8), end):
            w = run[start:end]
            if w in essay:
                p = math.log((essay[w] + 1) / total)
            elif len(w) == 1:
                p = math.log(1 / total)
            else:
                continue
            if best[start][0] + p > best[end][0]:
                best[end] = (best[start][0] + p, start)
    words, end = [], len(run)
    while end > 0:
        start = best[end][1]
        words.append(run[start:end])
        end = start
    return words[::-1]


words = collections.Counter()
terms = collections.Counter()
loose = collections.Counter()  # runs with one-character words: 家+校+沟通
straddles = collections.Counter()  # 联合执法 of 联合+执法检查
pairs = set()  # four-character terms made of two two-character words: 明察+暗访
for run in runs:
    seg = segment(run)
    for i, w in enumerate(seg):
        words[w] += 1
        if i + 1 < len(seg):
            nxt = seg[i + 1]
            if len(w) >= 4 and len(nxt) == 2:
                straddles[w[-2:] + nxt] += 1
            elif len(w) == 2 and len(nxt) >= 4:
                straddles[w + nxt[:2]] += 1
        # Runs of two to four consecutive words of two or more characters: 校外+培训+机构.
        for n in range(2, 5):
            group = seg[i:i + n]
            if len(group) < n:
                continue
            if all(len(g) >= 2 for g in group):
                terms["".join(group)] += 1
                if n == 2 and len(group[0]) == 2 and len(group[1]) == 2:
                    pairs.add("".join(group))
            elif any(len(g) >= 2 for g in group) and len("".join(group)) <= 6:
                # One-character words inside a term (家+校+沟通): only if it recurs.
                loose["".join(group)] += 1

def edges_ok(w):
    return w[0] not in EDGE_STOP and w[-1] not in EDGE_STOP


entries = {}
for w, c in words.items():
    if len(w) >= 3 and c >= MIN_WORD and edges_ok(w):
        entries[w] = max(essay[w], WORD_WEIGHT, int(TERM_WEIGHT * math.log2(c)))
    elif len(w) == 2 and c >= MIN_WORD2 and w in essay and edges_ok(w) \
            and not any(ch in FUNCTION_CHARS for ch in w):
        entries[w] = max(essay[w], WORD2_WEIGHT)
for t, c in terms.items():
    if 3 <= len(t) <= 8 and t not in essay and edges_ok(t) and (
            c >= MIN_TERM or (c >= MIN_PAIR and len(t) == 4 and t in pairs)):
        entries[t] = int(TERM_WEIGHT * (1 + math.log2(c))) if c >= MIN_TERM else PAIR_WEIGHT
# A run with one-character words is a term only where it is whole: not a piece of a longer
# run that occurs just as often (校沟通 is always 家校沟通, 严查非 always 严查非学科类).
longest = collections.Counter()  # text → the count of the most frequent longer run holding it
for t, c in list(terms.items()) + list(loose.items()):
    for a in range(len(t)):
        for b in range(a + 3, len(t) + 1):
            if b - a < len(t) and t[a:b] in loose:
                longest[t[a:b]] = max(longest[t[a:b]], c)
for t, c in loose.items():
    if 3 <= len(t) <= 6 and t not in essay and t not in entries and edges_ok(t) \
            and c >= MIN_TERM and longest[t] < c and t[0] not in LOOSE_EDGE_STOP \
            and t[-1] not in LOOSE_EDGE_STOP and not any(ch in FUNCTION_CHARS for ch in t):
        entries[t] = int(TERM_WEIGHT * (1 + math.log2(c)))

# Four characters made of a two-character policy word and the adjoining half of a longer
# word (联合+执法 of 联合+执法检查), if they recur.
halves = {w for w in entries if len(w) == 2}
for t, c in straddles.items():
    if c >= MIN_TERM and t[:2] in halves and t[2:] in halves and t not in entries \
            and t not in essay and edges_ok(t):
        entries[t] = PAIR_WEIGHT  # below the terms the segmentation finds whole

readings = rime_readings.Readings()
codes = {w: readings.code(w) for w in entries}

print("# Minsheng: the terms of the 双减 policy documents (scripts/gen-rime-policy-vocabulary.py;")
print("# generated, do not edit). Imported by minsheng_pinyin.dict.yaml.")
print("---\nname: minsheng_policy\nversion: \"2026.1\"\nsort: by_weight\nuse_preset_vocabulary: false\n...\n")
for s in sorted(entries, key=lambda w: (-entries[w], w)):
    if codes[s]:
        print(f"{s}\t{codes[s]}\t{entries[s]}")
