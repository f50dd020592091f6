"""Load benchmark for the Telegram bot: many chats asking at once through the local Bot API server.

    .venv/bin/python benchmarks/telegram_load.py                 # both HTTP clients, limiter off then on
    .venv/bin/python benchmarks/telegram_load.py --limiter off --client httpx --repeat 5

The bot runs as the real `quoteqa telegram` process (its own core), once with PTB's httpx client
and once with the aiohttp one (QUOTEQA_HTTP_CLIENT), interleaved so both see the same machine
load; this process runs the fake Bot API server from tests/bot_api_server.py, pushes every
question at the same instant, and reads the answers back. It checks that every question got
exactly one answer in its own chat, then reports answers per second, latency percentiles, CPU
per answer, and the send rates Telegram would see, and a table of the clients side by side.
Exit status 0 when nothing was lost, duplicated or rejected, at most 30 messages went out in any
one second with the limiter on, and with it off at least one client reached 200 answers/s in
every run (the summary names which).
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
import importlib.util
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = [  # questions a reader of the seed article might ask; any text works for load
    "How many were extradited in February?",
    "Who did Mexico send to the United States?",
    "What has Trump threatened over immigration?",
    "What did The New York Times report on Friday?",
    "Who spoke on condition of anonymity?",
    "What did the Mexican government say on Tuesday?",
]
TELEGRAM_OVERALL_PER_SECOND = 30
TARGET_ANSWERS_PER_SECOND = 200  # with the rate limiter off (the bar)


def load_server_module():
    spec = importlib.util.spec_from_file_location("bot_api_server", REPO / "tests" / "bot_api_server.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc), for a shared machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def max_in_window(times: list[float], window: float) -> int:
    """The most events inside any `window`-second span."""
    times, best, start = sorted(times), 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def run_once(docs: Path, chats: int, per_chat: int, limiter: bool, client: str, timeout: float) -> dict:
    server_module = load_server_module()
    with tempfile.TemporaryDirectory(prefix="quoteqa-bench-") as tmp:
        return await _run_with(server_module, Path(tmp), docs, chats, per_chat, limiter, client, timeout)


async def _run_with(server_module, tmp: Path, docs: Path, chats: int, per_chat: int, limiter: bool,
                    client: str, timeout: float) -> dict:
    async with server_module.BotApiServer() as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "QUOTEQA_"))}
        env.update(NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost",
                   TELEGRAM_BOT_TOKEN=server.token, TELEGRAM_API_URL=server.url,
                   QUOTEQA_CACHE_DIR=str(tmp), QUOTEQA_RATE_LIMITER="1" if limiter else "0",
                   QUOTEQA_HTTP_CLIENT=client)
        script = Path(sys.executable).with_name("quoteqa")
        command = [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
        bot = await asyncio.create_subprocess_exec(*command, "telegram", "--docs", str(docs), env=env,
                                                   cwd=REPO, stderr=asyncio.subprocess.PIPE)
        try:
            await server.wait_until(lambda: server.calls_to("getUpdates"), timeout=60)
            users = [server.user(1000 + i, f"User{i}") for i in range(chats)]
            rooms = [server.private_chat(u) for u in users]
            asked: dict[tuple[int, int], float] = {}
            cpu_before, here_before = cpu_seconds(bot.pid), time.process_time()
            load = os.getloadavg()[0]  # other work on the machine: throughput depends on it
            pushed = time.monotonic()
            for round_ in range(per_chat):
                for i, (user, chat) in enumerate(zip(users, rooms)):
                    question = QUESTIONS[(i + round_) % len(QUESTIONS)]
                    message = server.send_text(chat, user, question)
                    asked[(chat["id"], message["message_id"])] = time.monotonic()
            total = chats * per_chat
            await server.wait_until(
                lambda: sum(c.method == "sendmessage" and c.status == 200 for c in server.calls) >= total,
                timeout=timeout)
            bot_cpu = cpu_seconds(bot.pid) - cpu_before
            server_cpu = time.process_time() - here_before  # the fake server and this client
            await asyncio.sleep(0.5)  # anything sent twice would show up now
        finally:
            bot.send_signal(signal.SIGINT)
            _, err = await asyncio.wait_for(bot.communicate(), 30)
        sends = [c for c in server.calls if c.method == "sendmessage" and c.status == 200]
        replies: dict[tuple[int, int], list[float]] = {}
        for call in sends:
            chat_id = int(call.params["chat_id"])
            reply_to = json.loads(call.params["reply_parameters"])["message_id"]
            replies.setdefault((chat_id, reply_to), []).append(call.at)
        lost = [k for k in asked if k not in replies]
        duplicated = [k for k, v in replies.items() if len(v) > 1]
        stray = [k for k in replies if k not in asked]
        latencies = [replies[k][0] - asked[k] for k in asked if k in replies]
        finished = max(t for v in replies.values() for t in v)
        chat_bound = [c for c in server.calls if c.method in ("sendmessage", "sendchataction")]
        per_chat_max = max(max_in_window([c.at for c in sends if c.params["chat_id"] == str(room["id"])], 1.0)
                           for room in rooms)
        return {
            "http_client": client, "rate_limiter": limiter, "chats": chats, "questions": total,
            "answered": len(latencies), "lost": len(lost), "duplicated": len(duplicated),
            "stray": len(stray), "errors": len(server.failed_calls()),
            "seconds": round(finished - pushed, 3),
            "answers_per_second": round(len(latencies) / (finished - pushed), 1),
            "latency_p50_ms": round(percentile(latencies, 50) * 1000, 1),
            "latency_p95_ms": round(percentile(latencies, 95) * 1000, 1),
            "bot_cpu_seconds": round(bot_cpu, 2),
            "load_average": round(load, 2),
            "answers_per_bot_cpu_second": round(len(latencies) / bot_cpu, 1) if bot_cpu else None,
            "server_cpu_seconds": round(server_cpu, 2),
            "requests_by_method": dict(Counter(c.method for c in server.calls if c.at >= pushed)),
            "max_messages_in_any_second": max_in_window([c.at for c in sends], 1.0),
            "max_requests_in_any_second": max_in_window([c.at for c in chat_bound], 1.0),
            "max_messages_per_chat_in_any_second": per_chat_max,
            "bot_exit_code": bot.returncode,
            "bot_stderr_tail": err.decode().strip().splitlines()[-3:],
        }


def report(result: dict) -> str:
    state = "on" if result["rate_limiter"] else "off"
    lines = [
        f"{result['http_client']}, rate limiter {state}: {result['answered']}/{result['questions']} answered "
        f"in {result['chats']} chats (lost {result['lost']}, duplicated {result['duplicated']}, "
        f"stray {result['stray']}, API errors {result['errors']}), bot exit code {result['bot_exit_code']}",
        f"  {result['answers_per_second']} answers/s over {result['seconds']} s; latency p50 "
        f"{result['latency_p50_ms']} ms, p95 {result['latency_p95_ms']} ms; bot used "
        f"{result['bot_cpu_seconds']} CPU s ({result['answers_per_bot_cpu_second']} answers per CPU second), "
        f"fake server and this client {result['server_cpu_seconds']} CPU s; load average {result['load_average']}",
        f"  busiest second: {result['max_messages_in_any_second']} messages, "
        f"{result['max_requests_in_any_second']} messages + chat actions; "
        f"busiest chat: {result['max_messages_per_chat_in_any_second']} messages in a second; requests: "
        + ", ".join(f"{n} {method}" for method, n in sorted(result["requests_by_method"].items())),
    ]
    return "\n".join(lines)


def span(values: list[float]) -> str:
    low, high = min(values), max(values)
    return f"{low:g}" if low == high else f"{low:g}–{high:g}"


def table(results: list[dict]) -> str:
    """One row per (client, limiter), ranges over the repeats: the clients side by side."""
    rows = ["| HTTP client | rate limiter | runs | answered | answers/s | p50 ms | p95 ms "
            "| bot CPU ms/answer | busiest second | load average |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    groups: dict[tuple[bool, str], list[dict]] = {}
    for result in results:
        groups.setdefault((result["rate_limiter"], result["http_client"]), []).append(result)
    for (limiter, client), runs in groups.items():
        answered = sum(r["answered"] for r in runs)
        faults = sum(r["lost"] + r["duplicated"] + r["stray"] + r["errors"] for r in runs)
        rows.append(
            f"| {client} | {'on' if limiter else 'off'} | {len(runs)} "
            f"| {answered}/{sum(r['questions'] for r in runs)}, {faults} lost/duplicated/errors "
            f"| {span([r['answers_per_second'] for r in runs])} "
            f"| {span([r['latency_p50_ms'] for r in runs])} | {span([r['latency_p95_ms'] for r in runs])} "
            f"| {span([round(1000 * r['bot_cpu_seconds'] / r['answered'], 1) for r in runs])} "
            f"| {span([r['max_messages_in_any_second'] for r in runs])} "
            f"| {span([r['load_average'] for r in runs])} |")
    return "\n".join(rows)


def verdict(results: list[dict]) -> tuple[bool, list[str]]:
    """Nothing lost, duplicated or rejected; within Telegram's limits with the limiter on;
    200 answers/s with it off, in every run, by at least one client (each is named)."""
    ok = all(r["lost"] == r["duplicated"] == r["stray"] == r["errors"] == r["bot_exit_code"] == 0
             for r in results)
    ok &= all(r["max_messages_in_any_second"] <= TELEGRAM_OVERALL_PER_SECOND
              for r in results if r["rate_limiter"])
    lines, fast_enough = [], False
    for client in dict.fromkeys(r["http_client"] for r in results):
        rates = [r["answers_per_second"] for r in results if r["http_client"] == client and not r["rate_limiter"]]
        if not rates:
            continue
        if min(rates) >= TARGET_ANSWERS_PER_SECOND:
            fast_enough = True
            lines.append(f"{client}: at least {TARGET_ANSWERS_PER_SECOND} answers/s in every run "
                         f"(slowest {min(rates):g})")
        else:
            lines.append(f"{client}: below {TARGET_ANSWERS_PER_SECOND} answers/s in {sum(r < TARGET_ANSWERS_PER_SECOND for r in rates)} "
                         f"of {len(rates)} runs (slowest {min(rates):g}, "
                         f"{TARGET_ANSWERS_PER_SECOND - min(rates):.0f} short)")
    if any(not r["rate_limiter"] for r in results):
        ok &= fast_enough
    return ok, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=Path, default=REPO / "seeds")
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--questions", type=int, default=4, help="questions per chat")
    parser.add_argument("--limiter", choices=("off", "on", "both"), default="both")
    parser.add_argument("--client", choices=("httpx", "aiohttp", "both"), default="both",
                        help="QUOTEQA_HTTP_CLIENT for the bot (default: both, side by side)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each configuration")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for all answers")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    modes = {"off": [False], "on": [True], "both": [False, True]}[args.limiter]
    clients = ["httpx", "aiohttp"] if args.client == "both" else [args.client]
    results = []
    for limiter in modes:
        for _ in range(args.repeat):
            for client in clients:  # interleaved, so both see the same machine load
                result = asyncio.run(run_once(args.docs, args.chats, args.questions, limiter, client,
                                              args.timeout))
                results.append(result)
                if not args.json:
                    print(report(result), flush=True)
    ok, lines = verdict(results)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print("\n" + table(results) + "\n\n" + "\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
