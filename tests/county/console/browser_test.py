#!/usr/bin/python3
"""The county office console in a real browser (headless Chromium through chromedriver).

Everything is made by the real programs: a county (`minsheng-county init`), a kiosk provisioned
from it, reports submitted with `minsheng-kiosk submit` and carried over by USB export and
`minsheng-county import`, a supervisor and a clerk (`minsheng-county user add`), then
`minsheng-county console --listen 127.0.0.1:0`, with `minsheng-county serve` as the intake server
the kiosk uploaded to. The browser then logs in, finds a case by a word of its text, assigns it,
adds an internal note, replies and closes it; the kiosk's own look-up (the forwarder asking the
intake server) then shows the reply and never the note. It checks the statistics and the
printable weekly table, and that a clerk is refused the audit log and the settings. Every page
is screenshotted into the artefact folder, and any SEVERE browser console entry (a script error,
a CSP violation, an unexpected failed request) fails the test.

TLS: the console's certificate is first verified in Python against this county's own CA
(DIR/tls/ca.pem, host name 127.0.0.1 included), and then exactly that certificate's public key is
pinned in Chromium with --ignore-certificate-errors-spki-list. Chromium has no per-profile CA
option in headless mode without NSS tools, and --ignore-certificate-errors or acceptInsecureCerts
would accept any certificate at all; the pin accepts only the key Python just verified.

Waits are explicit (WebDriverWait on an element or a condition); nothing sleeps, and nothing
passes or fails on how long a step took. Debian's /usr/bin/python3 runs it (python3-selenium).

Usage: browser_test.py --county BIN --kiosk BIN --artifacts DIR [--chromium BIN --chromedriver BIN]
"""

import argparse
import base64
import hashlib
import json
import os
import re
import selectors
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

WAIT_SECONDS = 30  # the longest any single step may take before the test gives up on it
SEARCH_WORD = "紫藤补习班"  # only the first report contains it
HOSTILE_TEXT = '<img src=x onerror="console.error(\'xss\')"><script>console.error("xss")</script>'
NOTE_TEXT = "内部备注：已电话核实 NOTE-ONLY-7f3a"
REPLY_TEXT = "您好，经核查该机构已停止违规收费，并已退还费用。感谢您的反映。"
SUPERVISOR, CLERK = "zhang.wei", "li.na"
# Calls the pages make that the console does not serve yet: the page must then show a clear
# error (checked), and their 404 is the one failed request allowed. Once one is served, the test
# checks what it shows instead; take it off this list then, so a 404 fails again.
NOT_YET_SERVED = set()
PASSWORD = "correct horse battery staple 民声"


class Failure(Exception):
    pass


def check(condition, what):
    if not condition:
        raise Failure(what)


def run(args, stdin=None, what=None):
    r = subprocess.run(args, input=stdin, capture_output=True, text=True)
    if r.returncode != 0:
        raise Failure(f"{what or args[1]} failed ({r.returncode}): {r.stderr.strip()} {r.stdout.strip()}")
    return r.stdout


class Site:
    """The county folder, the kiosk bundle and the reports, all made with the real programs."""

    def __init__(self, opts, tmp):
        self.county_bin, self.kiosk_bin = opts.county, opts.kiosk
        self.dir = os.path.join(tmp, "county")
        bundle, usb = os.path.join(tmp, "kiosk"), os.path.join(tmp, "usb")
        self.config = os.path.join(bundle, "kiosk.toml")
        self.socket = os.path.join(bundle, "data", "forwarder.sock")
        self.serve = self.forwarder = None
        run([self.county_bin, "init", "--dir", self.dir, "--no-passphrase", "--demo"])
        run([self.county_bin, "provision", "--dir", self.dir, "--kiosk-id", "yx-001", "--name",
             "阳光社区 1 号机", "--out", bundle])
        # A second kiosk that is set up but never switched on: the fleet page shows it as never
        # heard from, with the silent alarm.
        run([self.county_bin, "provision", "--dir", self.dir, "--kiosk-id", "yx-002", "--name",
             "阳光社区 2 号机", "--out", os.path.join(tmp, "kiosk-never")])
        first = self.example("complaint")
        first["description"] = SEARCH_WORD + "周六上午在居民楼里上数学课，每次收费 200 元。"
        self.receipt_code = self.submit("complaint", first)["receipt_code"]
        hostile = self.example("complaint")
        hostile["description"] = "另一所机构的问题 " + HOSTILE_TEXT
        self.submit("complaint", hostile)
        self.submit("survey", self.example("survey"))
        run([self.kiosk_bin, "outbox", "--config", self.config, "--export", usb])
        run([self.county_bin, "import", "--dir", self.dir, usb])
        # The intake server, which the kiosk uploads to and asks for look-ups, and the console
        # pulls from and pushes replies to (console --server).
        self.serve = Child([self.county_bin, "serve", "--dir", self.dir, "--listen", "127.0.0.1:0",
                            "--threads", "2"], r"listening on https://127\.0\.0\.1:(\d+)")
        self.server_url = "https://127.0.0.1:" + self.serve.match.group(1)
        point_at(self.config, self.server_url, "\n[sync]\nupload_delay_minutes = 0\n")
        run([self.kiosk_bin, "sync", "--config", self.config, "--once"], what="the kiosk's upload")
        password_file = os.path.join(tmp, "password.txt")
        with open(password_file, "w", encoding="utf-8") as f:
            f.write(PASSWORD + "\n")
        run([self.county_bin, "user", "add", "--dir", self.dir, "--name", SUPERVISOR, "--role",
             "supervisor", "--password-file", password_file])
        run([self.county_bin, "user", "add", "--dir", self.dir, "--name", CLERK, "--role", "clerk",
             "--password-file", password_file, "--user", SUPERVISOR])

    def example(self, form):
        return json.loads(run([self.kiosk_bin, "forms", "--config", self.config, "--example", form]))

    def submit(self, form, answers):
        return json.loads(run([self.kiosk_bin, "submit", "--config", self.config, "--form", form,
                               "--answers", "-", "--json"], stdin=json.dumps(answers, ensure_ascii=False)))

    def kiosk_lookup(self):
        """What the kiosk shows for the first report's receipt code: the forwarder's look-up over
        its local socket, as the touch window asks it, verified with the county signing key
        (None while the forwarder is starting)."""
        if self.forwarder is None:
            self.forwarder = start([self.kiosk_bin, "sync", "--config", self.config],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        key = None
        with open(os.path.join(os.path.dirname(self.config), "keys", "receipt-tag.key"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("key: "):
                    key = base64.b64decode(line[5:].strip())
        digits = self.receipt_code.replace("-", "")
        # crypto/receipt_code.hpp: BLAKE2b-256(key, "minsheng-receipt-v1:" || the 16 digits).
        tag = hashlib.blake2b(b"minsheng-receipt-v1:" + digits.encode(), key=key, digest_size=32).hexdigest()
        request = json.dumps({"op": "status", "tag": tag}) + "\n"

        def ask():
            if self.forwarder.poll() is not None:
                raise Failure("the forwarder stopped: " + self.forwarder.stderr.read().decode())
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.settimeout(WAIT_SECONDS)
                    s.connect(self.socket)
                    s.sendall(request.encode())
                    return json.loads(s.makefile(encoding="utf-8").readline())
            except (FileNotFoundError, ConnectionRefusedError):
                return None  # the forwarder has not bound its socket yet
        return ask()


    def case_json(self, ident):
        return json.loads(run([self.county_bin, "case", "show", "--dir", self.dir, ident, "--json",
                               "--user", SUPERVISOR]))


def point_at(toml, url, extra):
    """Rewrites the `url = "https://…"` line of a kiosk.toml and appends `extra`."""
    with open(toml, encoding="utf-8") as f:
        text = f.read()
    text, n = re.subn(r'\nurl = "https://[^"]*"', '\nurl = "' + url + '"', text)
    check(n == 1, f"{toml} has one url line")
    with open(toml, "w", encoding="utf-8") as f:
        f.write(text + extra)


def wait_for(probe, what):
    """Polls `probe` until it returns something other than None, for at most WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        value = probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise Failure("waited in vain for " + what)
        time.sleep(0.05)


STARTED = []  # every long-running child, stopped when the test ends however it ends


def start(args, **kwargs):
    process = subprocess.Popen(args, **kwargs)
    STARTED.append(process)
    return process


def stop_process(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Child:
    """A long-running program started with `args` that announces itself with a line matching
    `ready` on stdout (e.g. "console: https://127.0.0.1:PORT/")."""

    def __init__(self, args, ready):
        self.process = start(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.match = None
        seen = []
        sel = selectors.DefaultSelector()
        sel.register(self.process.stdout, selectors.EVENT_READ)
        while self.match is None:
            if not sel.select(timeout=WAIT_SECONDS):
                raise Failure(f"{args[1]} printed no line like {ready!r}; it printed: " + "".join(seen))
            line = self.process.stdout.readline()
            if not line:
                raise Failure(f"{args[1]} stopped: " + "".join(seen) + self.process.stderr.read())
            seen.append(line)
            self.match = re.search(ready, line)
        sel.close()


class Console:
    """`minsheng-county console` on a free port; its URL is read from its `console: URL` line."""

    def __init__(self, site):
        self.child = Child([site.county_bin, "console", "--dir", site.dir, "--listen", "127.0.0.1:0",
                            "--server", site.server_url],
                           r"^console: (https://127\.0\.0\.1:\d+/)\s*$")
        self.process = self.child.process
        self.url = self.child.match.group(1)
        self.ca = os.path.join(site.dir, "tls", "ca.pem")
        self.tls = ssl.create_default_context(cafile=self.ca)

    def pinned_spki(self):
        """Connects with the county CA as the only trust anchor (host name checked) and returns
        the base64 SHA-256 of the verified certificate's SubjectPublicKeyInfo."""
        host, port = re.match(r"https://([^:/]+):(\d+)/", self.url).groups()
        with socket.create_connection((host, int(port)), timeout=WAIT_SECONDS) as raw:
            with self.tls.wrap_socket(raw, server_hostname=host) as s:
                der = s.getpeercert(binary_form=True)
        pem = ssl.DER_cert_to_PEM_cert(der)
        pub = subprocess.run(["openssl", "x509", "-pubkey", "-noout"], input=pem.encode(),
                             capture_output=True, check=True).stdout
        spki = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=pub,
                              capture_output=True, check=True).stdout
        return base64.b64encode(hashlib.sha256(spki).digest()).decode()

    def stop(self):
        stop_process(self.process)


class Browser:
    def __init__(self, opts, console, profile, artifacts):
        options = webdriver.ChromeOptions()
        options.binary_location = opts.chromium
        for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--window-size=1280,800",
                     "--lang=zh-CN", "--user-data-dir=" + profile,
                     "--ignore-certificate-errors-spki-list=" + console.pinned_spki()]:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(opts.chromedriver), options=options)
        # The page itself 1280×800 (--window-size counts the window, not the page).
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False})
        self.base = console.url
        self.artifacts = artifacts
        self.pages = []

    def wait(self, condition, what):
        try:
            # A page re-renders after each action: an element seen a moment ago may be gone.
            return WebDriverWait(self.driver, WAIT_SECONDS,
                                 ignored_exceptions=[StaleElementReferenceException]).until(condition)
        except TimeoutException:
            self.driver.save_screenshot(os.path.join(self.artifacts, "failed.png"))
            raise Failure("waited in vain for " + what + " (screenshot: failed.png)")

    def css(self, selector):
        return self.wait(EC.visibility_of_element_located((By.CSS_SELECTOR, selector)), selector)

    def present(self, selector):
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def go(self, route, ready):
        self.driver.get(self.base + "#/" + route)
        return self.css(ready)

    def loaded(self, container):
        """Waits until `container` no longer shows the loading message."""
        self.css(container)
        self.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, container + " .msg-loading"),
                  container + " loaded")

    def screenshot(self, name):
        self.driver.save_screenshot(os.path.join(self.artifacts, "console-" + name + ".png"))

    def console_clean(self, page, allowed=()):
        """Fails on any SEVERE browser entry except failed requests listed in `allowed` as
        (path, status) — e.g. the 401 of /api/me before logging in — and the 404s of NOT_YET_SERVED."""
        bad = []
        for entry in self.driver.get_log("browser"):
            if entry["level"] != "SEVERE":
                continue
            m = re.search(r"(https://\S+?)(\?\S*)? - Failed to load resource: the server responded "
                          r"with a status of (\d+)", entry["message"])
            if m and entry.get("source") == "network":
                path = "/" + m.group(1).split("/", 3)[3]
                status = int(m.group(3))
                if (path, status) in allowed or (status == 404 and path in NOT_YET_SERVED):
                    continue
            bad.append(entry["message"])
        check(not bad, f"browser console errors on the {page} page: {bad}")
        self.pages.append(page)

    def served(self, path):
        """Whether the console answers `path` (a GET) with anything but 404."""
        status, _ = self.fetch("GET", path, csrf=False)
        check(status != 404 or path.split("?")[0] in NOT_YET_SERVED, f"{path} answers 404")
        return status != 404

    def fetch(self, method, path, body=None, csrf=True):
        """fetch() from inside the page (same cookie, same origin); returns (status, json)."""
        return self.driver.execute_async_script("""
            const [method, path, body, csrf, done] = arguments;
            (async () => {
              const headers = {'Content-Type': 'application/json'};
              if (csrf) {
                const me = await (await fetch('/api/me')).json();
                headers['X-CSRF-Token'] = me.csrf;
              }
              const r = await fetch(path, {method, headers, body: body === null ? undefined : JSON.stringify(body)});
              let data = null;
              try { data = await r.json(); } catch (e) {}
              done([r.status, data]);
            })().catch((e) => done([0, String(e)]));
            """, method, path, body, csrf)

    def login(self, user):
        self.driver.get(self.base)
        self.css("#login-user")
        self.console_clean("login", allowed={("/api/me", 401)})  # before logging in: 401
        self.css("#login-user").send_keys(user)
        self.css("#login-password").send_keys(PASSWORD)
        self.css("#login-submit").click()
        self.loaded("#case-results")
        check(user in self.css("#current-user").text, "the header names the logged-in user")

    def logout(self):
        self.css("#logout").click()
        self.css("#login-user")


def rows(browser):
    return browser.present("#case-table tbody tr.case-row")


def supervisor_walk(b, site):
    """Returns the number (KIOSK-ID/SEQ) of the case it closed."""
    # Login page (before logging in /api/me answers 401: that one request is expected).
    b.driver.get(b.base)
    b.css("#login-user")
    b.screenshot("login")
    b.console_clean("login", allowed={("/api/me", 401)})

    # A wrong password is refused with a message, not a broken page.
    b.css("#login-user").send_keys(SUPERVISOR)
    b.css("#login-password").send_keys("wrong password")
    b.css("#login-submit").click()
    b.css("#login-status .msg-error")
    b.console_clean("login (wrong password)", allowed={("/api/me", 401), ("/api/session", 401)})

    b.login(SUPERVISOR)
    check(len(rows(b)) == 2, f"both reports are listed, found {len(rows(b))}")
    check(b.present("#nav-audit"), "a supervisor sees the audit page in the menu")
    # The hostile report is shown as text: its markup is in the excerpt, not in the DOM.
    check(not b.present("#case-table img") and not b.present("#case-table script"),
          "report text never becomes markup")
    check(any("onerror" in r.text for r in rows(b)), "the hostile text is shown as text")
    b.screenshot("cases")
    b.console_clean("case list")

    # Find the case by a word of its text.
    old = b.css("#case-table")
    search = b.css("#case-search")
    search.send_keys(SEARCH_WORD)
    b.css("#search-submit").click()
    b.wait(EC.staleness_of(old), "the list to reload after the search")
    b.loaded("#case-results")
    found = rows(b)
    check(len(found) == 1, f"the search for {SEARCH_WORD} finds exactly its case, found {len(found)}")
    case_id = found[0].get_attribute("data-case")
    b.console_clean("case search")

    # A word no report has: a clear empty state naming the filter.
    b.go("cases?q=" + "没有这个词", "#case-results")
    b.loaded("#case-results")
    empty = b.css("#no-match").text
    check("没有符合条件的案件" in empty, f"the empty state says so: {empty!r}")
    b.console_clean("empty search")

    # The case page: the report with the form's labels.
    b.go("case/" + case_id, "#case-facts")
    check(SEARCH_WORD in b.css("#case-report").text, "the case found by the word is the one that has it")

    # Assign to the clerk.
    Select(b.css("#assign-select")).select_by_value(CLERK)
    b.css("#assign-submit").click()
    b.wait(lambda d: CLERK in d.find_element(By.CSS_SELECTOR, "#fact-handler").text,
           "the case to show its new handler")

    # An internal note.
    b.css("#note-text").send_keys(NOTE_TEXT)
    b.css("#note-submit").click()
    b.wait(lambda d: NOTE_TEXT in d.find_element(By.CSS_SELECTOR, "#case-notes").text,
           "the note to appear among the internal notes")

    # The reply: a phone number is warned about live, the clean reply is previewed as the kiosk
    # will show it.
    reply = b.css("#reply-text")
    reply.clear()
    reply.send_keys("请拨打 13812345678 联系")
    status, _ = b.fetch("POST", "/api/reply-check", {"text": "x"})
    if status == 404:
        b.css("#reply-warnings .msg-error")  # not served: said so, the page goes on working
    else:
        b.css("#reply-warnings .warning-phone")
    reply.clear()
    reply.send_keys(REPLY_TEXT)
    b.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#reply-preview").text.endswith(REPLY_TEXT),
           "the preview to show the reply")
    if status != 404:
        b.css("#reply-warnings .msg-ok")

    # Accept, then close with the reply and a result.
    Select(b.css("#status-select")).select_by_value("accepted")
    b.css("#status-submit").click()
    b.wait(lambda d: "已受理" in d.find_element(By.CSS_SELECTOR, "#fact-status").text,
           "the status to become 已受理")
    Select(b.css("#status-select")).select_by_value("closed")
    check(b.css("#result-select").is_displayed(), "closing asks for a result")
    Select(b.css("#result-select")).select_by_value("resolved")
    b.css("#status-submit").click()
    b.wait(lambda d: "已办结" in d.find_element(By.CSS_SELECTOR, "#fact-status").text,
           "the status to become 已办结")
    check(REPLY_TEXT in b.css("#case-history").text, "the history has the public reply")
    b.screenshot("case")
    b.console_clean("case")

    # The kiosk look-up (the forwarder asking the intake server, the county signature verified)
    # shows the reply and the closed status once the console has pushed them — never the note.
    b.css("#pull-now").click()
    b.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#flash .msg"), "the pull to report")
    check(not b.present("#flash .msg-error"), "pull now: " + b.css("#flash").text)
    seen = wait_for(lambda: (lambda a: a if a and a.get("status") == "closed" else None)(site.kiosk_lookup()),
                    "the kiosk's look-up to show the case closed")
    check(seen.get("ok") and seen.get("verified"), f"the kiosk's look-up is verified: {seen}")
    check(seen.get("reply") == REPLY_TEXT, f"the kiosk shows the public reply: {seen}")
    check("NOTE-ONLY-7f3a" not in json.dumps(seen, ensure_ascii=False), "the kiosk never shows the note")
    b.console_clean("pull now")

    # The note is internal: in no public field of the case as the API gives it.
    status, data = b.fetch("GET", "/api/cases/" + case_id, csrf=False)
    check(status == 200, f"GET /api/cases/{case_id} answers 200, not {status}")
    case = data["case"]
    check(case["reply"] == REPLY_TEXT, "the case's public reply is what was sent")
    public = dict(case)
    public.pop("events", None)
    check("NOTE-ONLY-7f3a" not in json.dumps(public, ensure_ascii=False),
          "the internal note is in no public field")
    check(any(e["kind"] == "note" and e["text"] == NOTE_TEXT for e in case["events"]),
          "the note is among the events")

    # Without the CSRF token a POST is refused (403 csrf), and nothing is recorded.
    status, data = b.fetch("POST", f"/api/cases/{case_id}/notes", {"text": "forged"}, csrf=False)
    check(status == 403 and data and data.get("error") == "csrf",
          f"a POST without X-CSRF-Token is refused with 403 csrf, got {status} {data}")
    status, data = b.fetch("GET", "/api/cases/" + case_id, csrf=False)
    check(all(e.get("text") != "forged" for e in data["case"]["events"]), "the forged note was not kept")
    b.console_clean("CSRF check", allowed={(f"/api/cases/{case_id}/notes", 403)})

    # Statistics for this week (the default period), and the printable weekly table.
    b.go("stats", "#period-form")
    b.loaded("#stats-result")
    on_time = b.driver.execute_script("""
        const f = [...document.querySelectorAll('#stats-total .fact')].find((x) => x.querySelector('dt').textContent === '按时办结');
        return f ? f.querySelector('dd').textContent : null;""")
    check(on_time == "1", f"this week's statistics page shows 1 closed on time, not {on_time!r}")
    b.screenshot("stats")
    b.console_clean("statistics")
    weekly = b.css("#print-weekly").get_attribute("href")
    check(re.search(r"/print/weekly\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$", weekly),
          f"the weekly link names the period: {weekly}")
    status, stats = b.fetch("GET", "/api/stats?" + weekly.split("?", 1)[1], csrf=False)
    check(status == 200 and stats["total"]["closed_on_time"] == 1,
          f"this week's statistics count the case closed on time: {stats}")
    if b.served(weekly[len(b.base) - 1:]):
        b.driver.get(weekly)
        b.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "table")), "the weekly table")
        check_weekly_table(b)
        b.screenshot("print-weekly")
        b.console_clean("printable weekly table")

    for route, ready, api in [("surveys", "#survey-result", "/api/surveys"),
                              ("audit", "#audit-result", "/api/audit"),
                              ("users", "#users-result", "/api/users"),
                              ("calendar", "#calendar-result", "/api/calendar")]:
        b.go(route, ready)
        b.loaded(ready)
        if b.served(api):
            check(not b.present(ready + " .msg-error"), f"the {route} page shows no error: " + b.css(ready).text[:200])
        else:
            check(b.present(ready + " .msg-error"), f"the {route} page says its data is unavailable")
        if route == "audit":
            check(b.present("#audit-table"), "the supervisor sees the audit log")
        b.screenshot(route)
        b.console_clean(route)

    fleet_page(b)

    # Bulk: the other case accepted from the list, by ticking its box.
    b.go("cases", "#case-results")
    b.loaded("#case-results")
    other = [r for r in rows(b) if r.get_attribute("data-case") != case_id]
    check(len(other) == 1, "the list has the other case")
    other_id = other[0].get_attribute("data-case")
    other[0].find_element(By.CSS_SELECTOR, ".row-select").click()
    check("1" in b.css("#bulk-count").text, "the bulk bar counts the ticked case")
    Select(b.css("#bulk-action")).select_by_value("status")
    Select(b.css("#bulk-status")).select_by_value("accepted")
    b.css("#bulk-apply").click()
    b.css("#flash .msg-ok")
    b.wait(lambda d: "已受理" in d.find_element(By.CSS_SELECTOR, f'tr[data-case="{other_id}"]').text,
           "the ticked case to show 已受理")
    b.console_clean("bulk status")

    # English switch: the same page in English, remembered across a reload.
    b.go("cases", "#case-results")
    b.css("#lang-switch").click()
    b.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#nav-cases").text == "Cases", "English labels")
    b.driver.refresh()
    b.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#nav-cases").text == "Cases", "English kept")
    b.css("#lang-switch").click()
    b.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#nav-cases").text == "案件", "Chinese again")
    b.console_clean("language switch")
    b.logout()
    b.console_clean("logout", allowed={("/api/me", 401)})
    return case["number"]


def fleet_page(b):
    """The kiosk fleet: yx-001 (its forwarder sent a heartbeat) with the figures the API gives,
    no alarm; yx-002 never heard from, with the silent alarm; the hours chosen on the page."""
    check(b.present("#nav-kiosks"), "the menu links the kiosk page")
    b.css("#nav-kiosks").click()
    b.loaded("#fleet-result")
    status, fleet = b.fetch("GET", "/api/kiosks", csrf=False)
    check(status == 200, f"GET /api/kiosks answers 200, not {status}")
    check(fleet["server_ok"], f"the console reached the intake server: {fleet}")
    shown = {k["id"]: k for k in fleet["kiosks"]}
    check(set(shown) == {"yx-001", "yx-002"}, f"both enrolled kiosks are listed: {list(shown)}")
    heard = shown["yx-001"]
    check(heard["heartbeat"] and not heard["silent"], f"yx-001's heartbeat arrived: {heard}")
    row = b.css('#fleet-table tr.fleet-row[data-kiosk="yx-001"]')
    check("阳光社区 1 号机" in row.text, f"the row names the kiosk: {row.text!r}")
    software = row.find_element(By.CSS_SELECTOR, ".fleet-software").text
    check(software == heard["heartbeat"]["software_version"] and software,
          f"the row shows the software version the kiosk reported: {software!r}")
    backlog = row.find_element(By.CSS_SELECTOR, ".fleet-backlog").text
    check(backlog == str(heard["heartbeat"]["backlog"]), f"the row shows the backlog: {backlog!r}")
    check(shortened(heard["heartbeat"]["at"]) in row.find_element(By.CSS_SELECTOR, ".fleet-heartbeat").text,
          "the row shows the heartbeat's time")
    check(not row.find_elements(By.CSS_SELECTOR, ".fleet-silent"), "a kiosk just heard from raises no alarm")
    never = b.css('#fleet-table tr.fleet-row[data-kiosk="yx-002"]')
    check("从未收到心跳" in never.text, f"the never-heard kiosk says so: {never.text!r}")
    alarm = never.find_element(By.CSS_SELECTOR, ".fleet-silent").text
    check(alarm == "静默超过 24 小时", f"the silent alarm names the default hours: {alarm!r}")
    b.screenshot("kiosks")
    b.console_clean("kiosks")
    # The page's control chooses the hours; the alarm names them.
    hours = b.css("#fleet-silent-hours")
    hours.clear()
    hours.send_keys("2")
    old = b.css("#fleet-table")
    b.css("#fleet-submit").click()
    b.wait(EC.staleness_of(old), "the fleet to reload with the chosen hours")
    b.loaded("#fleet-result")
    check("silent_hours=2" in b.driver.current_url, "the chosen hours are kept in the address")
    alarm = b.css('#fleet-table tr.fleet-row[data-kiosk="yx-002"] .fleet-silent').text
    check(alarm == "静默超过 2 小时", f"the alarm names the chosen hours: {alarm!r}")
    b.console_clean("kiosks (2 hours)")


def shortened(iso):
    """What the page shows of an ISO time: "2026-12-01 10:05"."""
    return iso[:10] + " " + iso[11:16]


def check_weekly_table(b):
    """The printable weekly table counts the closed case as closed on time: the column headed
    按时办结 holds 1 in the table's total row."""
    counts = b.driver.execute_script("""
        for (const table of document.querySelectorAll('table')) {
          const headRow = table.tHead ? table.tHead.rows[0] : table.rows[0];
          const heads = [...headRow.cells].map((th) => th.textContent);
          const col = heads.findIndex((h) => h.includes('按时办结'));
          if (col < 0) continue;
          const out = [];
          for (const tr of table.querySelectorAll('tr')) {
            const cells = [...tr.children].map((c) => c.textContent.trim());
            if (cells.length === heads.length && tr.querySelector('td')) out.push([cells[0], cells[col]]);
          }
          return out;
        }
        return null;""")
    check(counts, "the weekly table has a 按时办结 column")
    totals = [c for name, c in counts if "合计" in name or "总计" in name]
    check(totals and totals[-1] == "1", f"the weekly table's total row counts 1 closed on time: {counts}")


def clerk_walk(b):
    b.login(CLERK)
    check(not b.present("#nav-audit"), "a clerk does not see the audit page in the menu")
    check(not b.present("#nav-users"), "a clerk does not see the accounts page in the menu")
    b.go("audit", "#view")
    b.css("#view .msg-error")
    check(not b.present("#audit-table"), "a clerk's audit page shows no entries")
    status, data = b.fetch("GET", "/api/audit?limit=10", csrf=False)
    check(status == 403, f"GET /api/audit is 403 for a clerk, not {status}")
    status, before = b.fetch("GET", "/api/settings", csrf=False)
    check(status == 200, f"GET /api/settings answers a clerk, not {status}")
    lower = max(1, before["min_respondents"] - 1)
    status, data = b.fetch("POST", "/api/settings", {"min_respondents": lower})
    check(status == 403, f"POST /api/settings lowering the minimum is 403 for a clerk, not {status}")
    status, after = b.fetch("GET", "/api/settings", csrf=False)
    check(after["min_respondents"] == before["min_respondents"], "the minimum is unchanged")
    b.screenshot("clerk-audit")
    b.console_clean("clerk", allowed={("/api/audit", 403), ("/api/settings", 403)})
    # The clerk's case list: both cases.
    b.go("cases", "#case-results")
    b.loaded("#case-results")
    check(len(rows(b)) == 2, "the clerk's case list has both cases")
    b.console_clean("clerk's cases")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--county", required=True)
    p.add_argument("--kiosk", required=True)
    p.add_argument("--artifacts", required=True)
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    opts = p.parse_args()
    os.makedirs(opts.artifacts, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="minsheng-console-browser-")
    console = browser = None
    ok = False
    try:
        site = Site(opts, tmp)
        console = Console(site)
        browser = Browser(opts, console, os.path.join(tmp, "chromium-profile"), opts.artifacts)
        number = supervisor_walk(browser, site)
        clerk_walk(browser)
        pages = browser.pages
        browser.driver.quit()
        browser = None
        console.stop()
        # The ledger, read by the command line: the public reply is what was sent, the note is
        # only an internal event.
        shown = site.case_json(number)
        check(shown["reply"] == REPLY_TEXT, f"the ledger's public reply is the one sent: {shown.get('reply')!r}")
        check(shown["status"] == "closed", "the ledger has the case closed")
        internal = shown.pop("internal", [])
        check(any(e.get("text") == NOTE_TEXT for e in internal), "the ledger keeps the note as internal")
        check("NOTE-ONLY-7f3a" not in json.dumps(shown, ensure_ascii=False),
              "the ledger keeps the note out of the public fields")
        ok = True
        print("console browser test passed; pages checked:", ", ".join(pages))
    except Failure as e:
        print("FAILED:", e, file=sys.stderr)
    finally:
        if browser:
            browser.driver.quit()
        for process in reversed(STARTED):
            stop_process(process)
        if console and not ok:
            err = console.process.stderr.read()
            if err:
                print("console stderr:", err, file=sys.stderr)
        if ok:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("left for inspection:", tmp, file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
