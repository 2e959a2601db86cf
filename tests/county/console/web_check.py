#!/usr/bin/python3
"""Static checks of the console's pages (county/console/web), no browser needed:

1. every message key app.js uses (t('key'), families t('prefix_' + id), and the key names it
   passes around in tables of [value, 'key'] pairs) exists in both MESSAGES.zh and MESSAGES.en, and both have the same keys;
2. nothing the CSP would block or that would turn report text into markup: no inline <script>
   body, no <style>, no style= or on…= attribute in index.html, and no innerHTML, outerHTML,
   insertAdjacentHTML, document.write, eval or new Function in app.js.

Usage: web_check.py WEB_DIR
"""
import re
import sys


def keys_of(catalogue, lang):
    m = re.search(r"\n  " + lang + r": \{\n(.*?)\n  \},", catalogue, re.S)
    if not m:
        raise SystemExit(f"FAILED: MESSAGES.{lang} not found in i18n.js")
    return set(re.findall(r"^\s+(\w+):", m.group(1), re.M))


def main():
    web = sys.argv[1]
    catalogue = open(web + "/i18n.js", encoding="utf-8").read()
    app = open(web + "/app.js", encoding="utf-8").read()
    html = open(web + "/index.html", encoding="utf-8").read()
    problems = []
    zh, en = keys_of(catalogue, "zh"), keys_of(catalogue, "en")
    for k in sorted(zh ^ en):
        problems.append(f"message {k!r} is in only one of zh/en")
    used = set(re.findall(r"\bt\('(\w+)'(?!\s*\+)", app))
    # t('status_' + id): a family of keys; each prefix must have keys in both languages.
    for prefix in set(re.findall(r"\bt\('(\w+)'\s*\+", app)):
        family = {k for k in zh | en if k.startswith(prefix)}
        if not family:
            problems.append(f"app.js uses messages {prefix!r}…, none in the catalogue")
        used |= family
    # Keys named in lookup tables: ['resolved', 'resultResolved'], {note: 'evNote'}, etc.
    used |= {k for k in re.findall(r"'(\w+)'", app) if k in zh or k in en}
    used |= set(re.findall(r"\[\s*'\w+'\s*,\s*'([a-z]\w*)'\s*\]", app))
    for k in sorted(used - zh):
        problems.append(f"app.js uses message {k!r}, missing from MESSAGES.zh")
    for k in sorted(used - en):
        problems.append(f"app.js uses message {k!r}, missing from MESSAGES.en")
    for pattern, what in [(r"<script(?![^>]*\bsrc=)[^>]*>", "an inline <script>"),
                          (r"<style", "a <style> element"),
                          (r"\sstyle\s*=", "a style= attribute"),
                          (r"\son[a-z]+\s*=", "an on…= handler attribute")]:
        if re.search(pattern, html, re.I):
            problems.append("index.html has " + what + " (blocked by the console's CSP)")
    for pattern in [r"\.innerHTML\b", r"\.outerHTML\b", r"insertAdjacentHTML", r"document\.write",
                    r"\beval\s*\(", r"\bnew Function\b", r"setTimeout\(\s*['\"]"]:
        if re.search(pattern, app):
            problems.append(f"app.js uses {pattern!r}: report text must reach the page as text only")
    for p in problems:
        print("FAILED:", p)
    if not problems:
        print(f"web check passed: {len(used)} message keys used, {len(zh)} in each language")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
