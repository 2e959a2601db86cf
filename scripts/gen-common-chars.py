#!/usr/bin/env python3
"""Writes kiosk/core/data/common_chars.txt: the 3500 most frequent simplified characters, most
frequent first, for the handwriting pad's candidate order (kiosk/core/handwriting_recognizer.cpp).

Source: rime-essay (Debian package rime-essay, LGPL-3; /usr/share/rime-data/essay.txt), the
word list and weights of the Rime input methods. A character's frequency is the sum of the
weights of the essay words that contain it, after folding the essay's traditional characters
onto simplified ones with kiosk/core/data/t2s_chars.txt (OpenCC t2s). Only characters of GB 2312
are kept (those the handwriting model knows). 3500 is the size of the first tier of the
通用规范汉字表 (2013), the characters of everyday use.

Usage: scripts/gen-common-chars.py > kiosk/core/data/common_chars.txt
"""
import collections
import os

ESSAY = "/usr/share/rime-data/essay.txt"
T2S = os.path.join(os.path.dirname(__file__), "..", "kiosk", "core", "data", "t2s_chars.txt")
COUNT = 3500

t2s = {}
with open(T2S, encoding="utf-8") as f:
    for line in f:
        if not line.startswith("#") and "\t" in line:
            trad, simp = line.rstrip("\n").split("\t")
            t2s[trad] = simp

freq = collections.Counter()
with open(ESSAY, encoding="utf-8") as f:
    for line in f:
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 2:
            continue
        for ch in parts[0]:
            freq[t2s.get(ch, ch)] += int(parts[1])


def in_gb2312(ch):
    try:
        return "\u4e00" <= ch <= "\u9fff" and len(ch.encode("gb2312")) == 2
    except UnicodeEncodeError:
        return False


ranked = [ch for ch, _ in freq.most_common() if in_gb2312(ch)][:COUNT]
print("# The 3500 most frequent simplified characters, most frequent first, 50 a line; generated")
print("# by scripts/gen-common-chars.py from rime-essay's word weights. Do not edit by hand.")
for i in range(0, len(ranked), 50):
    print("".join(ranked[i:i + 50]))
