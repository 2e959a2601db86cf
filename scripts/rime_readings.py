"""Pinyin codes for simplified Chinese words, from Debian's luna_pinyin readings.

rime_deployer spells a dictionary entry that has no code from luna_pinyin's character
readings, and luna_pinyin is written in traditional characters: for a simplified character
that is also a rare traditional one it takes that rare reading (业 → qiu, not ye), so the
entry is found by its full pinyin only by luck and never by its initials. The kiosk's
generated dictionaries therefore write every code themselves: luna_pinyin's words, folded to
simplified characters, spell the longest matching run (重点 zhong dian, 银行 yin hang) unless
they use a reading the character almost never has (不给 is bu gei, though luna_pinyin also
lists 不給 as bu ji); any other character takes the most frequent reading of the traditional characters it stands for
(业 ← 業 ye), or its own when it has none; where luna_pinyin gives no percentages, the reading
most of its words use (儿 er, not ren).
"""
import os

LUNA = "/usr/share/rime-data/luna_pinyin.dict.yaml"
ESSAY = "/usr/share/rime-data/essay.txt"
T2S = os.path.join(os.path.dirname(__file__), "..", "kiosk", "core", "data", "t2s_chars.txt")
LONGEST_WORD = 6
RARE_PERCENT = 1.0  # a character's reading below this share of its uses is a rarity


def _t2s():
    table = {}
    with open(T2S, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#") and "\t" in line:
                trad, simp = line.rstrip("\n").split("\t")
                table[trad] = simp
    return table


def _percent(field):
    """luna_pinyin's weight column: a percentage of the character's uses, absent means all."""
    if not field:
        return 100.0
    return float(field[:-1]) if field.endswith("%") else float(field)


class Readings:
    def __init__(self):
        t2s = _t2s()
        self.words = {}  # simplified word → (code, percent)
        own, folded = {}, {}  # simplified character → {syllable: percent}
        usage = {}  # (simplified character, syllable) → how many luna_pinyin words read it so
        body = False
        with open(LUNA, encoding="utf-8") as f:
            for line in f:
                if line.startswith("..."):
                    body = True
                    continue
                if not body or line.startswith("#"):
                    continue
                parts = line.rstrip("\n").split("\t")
                if len(parts) < 2 or not parts[1]:
                    continue
                text, code = parts[0], parts[1]
                pct = _percent(parts[2] if len(parts) > 2 else "")
                simp = "".join(t2s.get(ch, ch) for ch in text)
                if len(text) == 1:
                    target = folded if text in t2s and t2s[text] != text else own
                    slot = target.setdefault(simp, {})
                    slot[code] = max(slot.get(code, 0.0), pct)
                else:
                    if simp not in self.words or pct > self.words[simp][1]:
                        self.words[simp] = (code, pct)
                    syllables = code.split()
                    if len(syllables) == len(simp):
                        for ch, syllable in zip(simp, syllables):
                            usage[(ch, syllable)] = usage.get((ch, syllable), 0) + 1
        self.chars = {}
        self.readings = {}
        for ch in set(own) | set(folded):
            self.readings[ch] = {**own.get(ch, {}), **folded.get(ch, {})}
            # A character that stands for traditional ones reads as they do.
            readings = folded.get(ch) or own[ch]
            # Equal percentages (often none given): the reading most words use (兒 er, not ren).
            self.chars[ch] = max(readings, key=lambda s: (readings[s], usage.get((ch, s), 0)))

    def _plausible(self, word, code):
        """luna_pinyin also lists words under a reading almost never used (不給 as bu ji, with
        給 ji at 0.01 %): such a code is not how a parent types the word."""
        syllables = code.split()
        return len(syllables) != len(word) or all(
            self.readings.get(ch, {}).get(s, 100.0) >= RARE_PERCENT
            for ch, s in zip(word, syllables))

    def code(self, word):
        """The space-separated syllables of word, or None if a character has no reading."""
        out, i = [], 0
        while i < len(word):
            for n in range(min(LONGEST_WORD, len(word) - i), 1, -1):
                piece = word[i:i + n]
                if piece in self.words and self._plausible(piece, self.words[piece][0]):
                    out.append(self.words[piece][0])
                    i += n
                    break
            else:
                if word[i] not in self.chars:
                    return None
                out.append(self.chars[word[i]])
                i += 1
        return " ".join(out)


def common_words(readings, min_weight):
    """rime-essay's words of two or more characters with at least min_weight, simplified, by
    code: {code: [(word, weight)]} — the everyday words a new entry must not push down."""
    t2s = _t2s()
    by_code = {}
    with open(ESSAY, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 2 or len(parts[0]) < 2 or int(parts[1]) < min_weight:
                continue
            word = "".join(t2s.get(ch, ch) for ch in parts[0])
            code = readings.code(word)
            if code:
                by_code.setdefault(code, []).append((word, int(parts[1])))
    return by_code
