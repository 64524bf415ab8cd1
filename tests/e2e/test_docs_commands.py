"""Every shell command the docs show runs here, as the text around it says, or says why it cannot.

README.md and docs/*.md are read for fenced ``sh``, ``bash``, ``console`` and ``shell`` blocks, so a
new block is found by itself. A block with ``<!-- illustrative: why -->`` on the line before its fence
is shown, not run (it needs an AWS account, or runs for minutes). Every other block runs:

- the one that runs ``python -m okaeri_dev`` starts this module's local stack, as a process, on free loopback
  ports; its banner is read from its output. The stack's clock is then set once to a Monday morning
  in June (``docs_monday``), so "three days on, the thanks mail goes out" does not depend on the day
  the test runs (an order on the eve of a long weekend ships later);
- each other block as one bash script (``set -euo pipefail``) from the checkout's root with the
  venv's bin first on ``PATH``: the docs' ports (8080, 5000, 2525) become the stack's, placeholders
  such as ``<the printed password>`` what the banner printed. It must exit 0 and show what its text
  promises: ``PROMISES`` holds one check per block, on what each command printed.

The banner's own commands run exactly as printed, and README's copy of the banner must match it.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
SHELL_LANGUAGES = frozenset({"sh", "bash", "console", "shell"})
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\s]*)")
MARKER = re.compile(r"^[ \t]*<!-- illustrative: (?P<reason>.*?) -->[ \t]*$")
STARTS_THE_STACK = re.compile(r"\s-m okaeri_dev(?:\s|$)")
PLACEHOLDER = re.compile(r"<[A-Za-z][^<>\n]*>")
DEFAULT_PORTS = {"port": 8080, "aws-port": 5000, "smtp-port": 2525}  # python -m okaeri_dev's options
BANNER_HEADER = "Okaeri ローカルスタック起動しました"
BIN = Path(sys.executable).parent  # the venv running these tests: .venv/bin in a checkout
TOKYO = ZoneInfo("Asia/Tokyo")
START_TIMEOUT_SECONDS = 120  # a cold interpreter importing moto on a busy 2-core machine
BLOCK_TIMEOUT_SECONDS = 120
STOP_TIMEOUT_SECONDS = 60
BANNER_QUIET_SECONDS = 1.0
PARSED = re.compile(r"2\.0\.0 OK (?P<key>inbound/demo/\S+) parsed")  # send_sample prints the SMTP answer
STEP_MARK, COMMAND_END = "\x1e", "\x1f"
# Before each command bash runs (not inside $(...)), a line naming it: what follows is its output.
TRACE = f'trap \'printf "\\n{STEP_MARK}%s{COMMAND_END}\\n" "$BASH_COMMAND"\' DEBUG'


# --- the docs' blocks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    doc: str  # path from the checkout's root
    line: int  # the opening fence's line
    language: str
    text: str  # without the fence's indentation
    illustrative: str | None  # the marker's reason

    @property
    def name(self) -> str:
        return f"{self.doc}:{self.line}"

    @property
    def commands(self) -> str:
        """The text without comment lines."""
        return "\n".join(line for line in self.text.splitlines() if not line.lstrip().startswith("#"))


def fenced_blocks(path: Path) -> list[Block]:
    """Every fenced block of a Markdown file (any language), with the marker on the line before it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    number = 0
    while number < len(lines):
        opening = FENCE.match(lines[number])
        if opening is None:
            number += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        body: list[str] = []
        end = number + 1
        while end < len(lines) and not re.match(
            rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", lines[end]
        ):
            body.append(lines[end].removeprefix(indent))
            end += 1
        marker = MARKER.match(lines[number - 1]) if number else None
        blocks.append(
            Block(
                doc=path.relative_to(ROOT).as_posix(),
                line=number + 1,
                language=opening["info"].lower(),
                text="\n".join(body),
                illustrative=marker["reason"] if marker else None,
            )
        )
        number = end + 1
    return blocks


def shell_blocks() -> list[Block]:
    return [block for doc in DOCS for block in fenced_blocks(doc) if block.language in SHELL_LANGUAGES]


def runnable_blocks() -> list[Block]:
    return [b for b in shell_blocks() if b.illustrative is None and not STARTS_THE_STACK.search(b.commands)]


# --- what the commands printed --------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """A script's commands in order, each with what it printed on stdout."""

    steps: tuple[tuple[str, str], ...]
    stderr: str

    @classmethod
    def of(cls, stdout: str, stderr: str) -> Run:
        steps = []
        for chunk in stdout.split(f"\n{STEP_MARK}")[1:]:
            command, _, printed = chunk.partition(f"{COMMAND_END}\n")
            steps.append((command, printed.strip()))
        return cls(tuple(steps), stderr)

    def outputs(self, fragment: str) -> list[str]:
        """What each command containing ``fragment`` printed, in order (at least one ran)."""
        found = [printed for command, printed in self.steps if fragment in command]
        assert found, f"no command with {fragment!r} ran: {[command for command, _ in self.steps]}"
        return found

    def output(self, fragment: str) -> str:
        return self.outputs(fragment)[0]

    def json(self, fragment: str) -> Any:
        printed = self.output(fragment)
        try:
            return json.loads(printed)
        except ValueError:
            pytest.fail(f"the command with {fragment!r} printed no JSON: {printed[:500]!r}")


def run_script(script: str, *, env: dict[str, str]) -> Run:
    """``script`` as one bash script, strict, from the checkout's root; it must exit 0."""
    try:
        done = subprocess.run(
            ["bash", "-c", f"set -euo pipefail\n{TRACE}\n{script}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=BLOCK_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running after {BLOCK_TIMEOUT_SECONDS} s (mark it illustrative?):\n{script}")
    run = Run.of(done.stdout, done.stderr)
    assert done.returncode == 0, (
        f"exit {done.returncode} at `{run.steps[-1][0] if run.steps else '?'}`\n--- script\n{script}\n"
        f"--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}"
    )
    return run


# --- the stack the docs' commands run against -----------------------------------------------------


@dataclass(frozen=True)
class DocsStack:
    ports: dict[str, int]  # python -m okaeri_dev's option → the port in use
    banner: list[str]
    env: dict[str, str]

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['port']}"

    @property
    def owner_password(self) -> str:
        for line in self.banner:
            found = re.fullmatch(r"\s+owner\s+owner@okaeri\.local\s+(\S+)", line)
            if found:
                return found[1]
        raise AssertionError(f"the banner names no owner login:\n{chr(10).join(self.banner)}")

    def try_it(self) -> list[str]:
        """The commands under the banner's last heading (試す / try it)."""
        last = max(number for number, line in enumerate(self.banner) if not line.strip())
        return [line.strip() for line in self.banner[last + 2 :]]

    def localize(self, text: str) -> str:
        """A docs block as it runs here: this venv, the stack's ports, the placeholders filled."""
        text = localize_venv(text)
        text = retarget(text, {option: (port, self.ports[option]) for option, port in DEFAULT_PORTS.items()})
        leftover = re.search(rf"\b(?:{'|'.join(map(str, DEFAULT_PORTS.values()))})\b", text)
        assert leftover is None, f"a default port in a form this test does not rewrite: {text!r}"
        fills = {"<the printed password>": self.owner_password}
        for placeholder, value in fills.items():
            assert "'" not in value, "a fill goes inside single quotes"
            text = text.replace(placeholder, value)
        unknown = PLACEHOLDER.search(text)
        assert unknown is None, f"a placeholder this test cannot fill: {unknown[0]} (known: {sorted(fills)})"
        return text


def localize_venv(text: str) -> str:
    venv = ROOT / ".venv" / "bin"
    return text if venv == BIN else text.replace(".venv/bin/", f"{BIN}/")


def retarget(text: str, moves: dict[str, tuple[int, int]]) -> str:
    """Each option's port ``old`` → ``new``, in URLs (``127.0.0.1:N``) and as ``--option N``."""
    for option, (old, new) in moves.items():
        text = re.sub(rf"(?<![\w-])--{option} {old}\b", f"--{option} {new}", text)
        text = re.sub(rf"\b(127\.0\.0\.1|localhost):{old}\b", rf"\g<1>:{new}", text)
    return text


def free_ports(count: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < count:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port not in DEFAULT_PORTS.values():
            ports.add(port)
    return sorted(ports)


def banner_excerpt() -> Block:
    """README's copy of the banner: the fenced block that begins with the banner's first line."""
    found = [b for b in fenced_blocks(ROOT / "README.md") if b.text.startswith(BANNER_HEADER)]
    assert len(found) == 1, "README.md shows the banner of `make dev` once"
    return found[0]


def read_banner(stdout: IO[str]) -> list[str]:
    """The banner from the stack's output: from its header until the output is quiet (it is printed
    in one write, and nothing follows on stdout until the stack stops)."""
    received: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in stdout:
            received.put(line.rstrip("\n"))
        received.put(None)

    threading.Thread(target=pump, name="docs-stack-stdout", daemon=True).start()
    seen: list[str] = []
    banner: list[str] = []
    while True:
        try:
            line = received.get(timeout=BANNER_QUIET_SECONDS if banner else START_TIMEOUT_SECONDS)
        except queue.Empty:
            if banner:
                return banner
            pytest.fail(f"no banner after {START_TIMEOUT_SECONDS} s:\n" + "\n".join(seen))
        if line is None:
            pytest.fail("python -m okaeri_dev stopped at its start:\n" + "\n".join(seen))
        seen.append(line)
        if banner or line.startswith(BANNER_HEADER):
            banner.append(line)


def docs_monday(today: date) -> datetime:
    """09:00 JST on the first Monday of June next year: no public holiday for the weeks the docs'
    clock moves cover, and always later than the stack's clock (which never goes back)."""
    first = date(today.year + 1, 6, 1)
    return datetime.combine(first + timedelta(days=-first.weekday() % 7), time(9), tzinfo=TOKYO)


@pytest.fixture(scope="module")
def docs_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DocsStack]:
    starts = [b for b in shell_blocks() if b.illustrative is None and STARTS_THE_STACK.search(b.commands)]
    assert len(starts) == 1, f"one docs block starts the stack, not {[b.name for b in starts]}"
    ports = dict(zip(DEFAULT_PORTS, free_ports(len(DEFAULT_PORTS)), strict=True))
    command = localize_venv(starts[0].commands.strip())
    command = retarget(command, {option: (port, ports[option]) for option, port in DEFAULT_PORTS.items()})
    assert "\n" not in command, f"{starts[0].name}: the stack starts with one command line"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    log = tmp_path_factory.mktemp("docs-stack") / "stderr.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            ["bash", "-c", f"exec {command}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    try:
        assert process.stdout is not None
        banner = read_banner(process.stdout)
        stack = DocsStack(ports=ports, banner=banner, env=env)
        monday = docs_monday(datetime.now(TOKYO).date())
        run_script(
            f'curl -sf -X POST {stack.gateway_url}/dev/clock -d \'{{"set": "{monday.isoformat()}"}}\'',
            env=env,
        )
        yield stack
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- what the text around each block promises ----------------------------------------------------


def parsed_keys(printed: str) -> list[str]:
    """The raw mail keys of send_sample's SMTP answers; every answer must say "parsed"."""
    answers = printed.splitlines()
    keys = [match["key"] for answer in answers if (match := PARSED.fullmatch(answer))]
    assert answers, "send_sample printed no SMTP answer"
    assert len(keys) == len(answers), f'an SMTP answer without "parsed": {answers}'
    return keys


def follow_one_order(run: Run, *, steps_sent: set[str]) -> dict[str, Any]:
    """send_sample → its order in the API → its mails fired by the clock move → in the outbox, to
    its buyer. ``steps_sent``: the scenario's steps the move sends. The order item, from the API."""
    (key,) = parsed_keys(run.output("okaeri_dev.send_sample"))
    orders = run.json("/api/shops/demo/orders")
    assert "items" in orders, f"not the order list (no token?): {orders}"
    (order,) = [item for item in orders["items"] if key in item["raw_keys"]]
    assert isinstance(order, dict)
    assert order["order"]["source"] == "rakuten"
    assert order["order"]["order_id"].startswith("400123-")
    fired = run.json("/dev/clock")["wake_ups"]
    sent = {wake["delivery"] for wake in fired if wake["status"] == "sent"}
    buyer = order["order"]["customer"]["email"]
    mails = [message for message in run.json("/dev/outbox")["messages"] if message["to"] == buyer]
    assert {message["tags"]["delivery"] for message in mails} <= sent, "sent by this clock move"
    assert {message["tags"]["delivery"].split(".")[1] for message in mails} == steps_sent, fired
    assert all(message["raw"].startswith("From: ") for message in mails)
    return order


def readme_one_order_by_hand(run: Run) -> None:
    order = follow_one_order(run, steps_sent={"thanks", "like", "love"})  # 30 days on: every mail
    planned = run.json("deliveries?status=scheduled")["items"]  # before the clock moved
    ours = [item for item in planned if item["order_key"] == f"rakuten#{order['order']['order_id']}"]
    assert sorted(item["step_id"] for item in ours) == ["like", "love", "thanks"]


def readme_command_line(run: Run) -> None:
    rakuten, masked = (json.loads(printed) for printed in run.outputs("okaeri parse"))
    expected = json.loads((ROOT / "tests/fixtures/mail/rakuten-utf8-qp.expected.json").read_text())
    assert rakuten["order_id"] == expected["order_id"]
    assert masked["source"] == "mask:kurashi"
    plan = run.json("okaeri plan")
    assert [(d["step"], d["send_at"]) for d in plan["deliveries"]] == [
        ("thanks", "2026-12-05T10:00:00+09:00"),
        ("like", "2026-12-19T19:00:00+09:00"),
        ("love", "2026-12-25T19:00:00+09:00"),
    ]
    mime = run.output("okaeri render")
    assert "\nTo: buyer@docomo.ne.jp\n" in mime
    assert 'charset="iso-2022-jp"' in mime  # a Japanese carrier address
    assert "MKN-5A-0001" in mime  # the pool's first code
    assert "List-Unsubscribe:" in mime
    lint = run.json("okaeri lint")
    assert (lint["ok"], lint["findings"]) == (True, [])


def local_stack_demo_data(run: Run) -> None:
    new, masked, yahoo = (parsed_keys(printed) for printed in run.outputs("okaeri_dev.send_sample"))
    assert (len(new), len(masked), len(yahoo)) == (1, 5, 1)
    moved = run.json("/dev/clock")
    thanks = [wake for wake in moved["wake_ups"] if wake["delivery"].startswith("demo.thanks.")]
    assert len(thanks) >= 6, moved["wake_ups"]
    assert all(wake["status"] == "sent" for wake in thanks), moved["wake_ups"]
    outbox = run.json("/dev/outbox")["messages"]
    relayed = [
        m for m in outbox if m["transport"].startswith("relay:") and m["to"].endswith("@pc.fw.rakuten.ne.jp")
    ]
    assert len(relayed) >= 5  # the masked buyers' mails went through the shop's relay


PROMISES: dict[tuple[str, str], Callable[[Run], None]] = {
    ("README.md", "okaeri_dev.token"): readme_one_order_by_hand,
    ("README.md", "okaeri parse"): readme_command_line,
    ("docs/local-stack.md", "--masked --count 5"): local_stack_demo_data,
}


def promise_of(block: Block) -> Callable[[Run], None] | None:
    found = [
        check for (doc, fragment), check in PROMISES.items() if doc == block.doc and fragment in block.text
    ]
    assert len(found) <= 1, f"{block.name}: more than one promise matches"
    return found[0] if found else None


# --- the tests ------------------------------------------------------------------------------------


def test_every_shell_block_runs_or_says_why_not() -> None:
    blocks = shell_blocks()
    assert blocks, "no shell block found: has the docs' layout changed?"
    for block in blocks:
        if block.illustrative is not None:
            assert len(block.illustrative.split()) >= 3, f"{block.name}: say why it is illustrative"
    for doc in DOCS:
        lines = doc.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            where = f"{doc.relative_to(ROOT)}:{number + 1}"
            if line.lstrip().startswith("<!--") and "illustrative" in line:
                assert MARKER.match(line), f"{where}: write it `<!-- illustrative: why -->`"
                following = FENCE.match(lines[number + 1]) if number + 1 < len(lines) else None
                misplaced = f"{where}: the marker belongs on the line before a shell block's fence"
                assert following, misplaced
                assert following["info"].lower() in SHELL_LANGUAGES, misplaced
    for block in runnable_blocks():
        assert promise_of(block), f"{block.name} runs here: add to PROMISES what its output must show"
    runnable = runnable_blocks()
    for name, fragment in PROMISES:
        assert [b for b in runnable if b.doc == name and fragment in b.text], (
            f"no block for {name}: {fragment}"
        )


@pytest.mark.parametrize("block", runnable_blocks(), ids=lambda block: block.name)
def test_the_block_runs_as_its_text_says(block: Block, docs_stack: DocsStack) -> None:
    run = run_script(docs_stack.localize(block.text), env=docs_stack.env)
    promise = promise_of(block)
    assert promise, f"{block.name}: add to PROMISES what its output must show"
    promise(run)


def test_the_banner_commands_run_as_printed(docs_stack: DocsStack) -> None:
    commands = docs_stack.try_it()
    script = "\n".join(commands)
    for option, port in docs_stack.ports.items():
        if option != "aws-port":  # the commands talk to the gateway and the SMTP port
            assert f"--{option} {port}" in script
    assert docs_stack.owner_password in script
    run = run_script(script, env=docs_stack.env)  # exactly as printed: nothing rewritten or filled
    follow_one_order(run, steps_sent={"thanks"})


def test_the_readme_shows_the_banner(docs_stack: DocsStack) -> None:
    """README's copy, at the default ports, is the banner; ``<…>`` stands for what differs per run."""
    excerpt = localize_venv(banner_excerpt().text).splitlines()
    banner = [
        retarget(line, {option: (docs_stack.ports[option], port) for option, port in DEFAULT_PORTS.items()})
        for line in docs_stack.banner
    ]
    assert len(excerpt) == len(banner), "README.md shows\n{}\nthe banner is\n{}".format(
        "\n".join(excerpt), "\n".join(banner)
    )
    for shown, printed in zip(excerpt, banner, strict=True):
        pattern = ".+?".join(re.escape(part) for part in PLACEHOLDER.split(shown))
        assert re.fullmatch(pattern, printed), f"README.md shows\n  {shown}\nthe banner prints\n  {printed}"
