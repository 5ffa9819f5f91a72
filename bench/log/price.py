"""Price a usage log with the Python libraries people use today, for `cargo xtask bench-log`.

usage: price.py LOG.jsonl RESULT.json

Each line of LOG is an `llmcost cost` request line whose usage is in its provider's own shape
(Anthropic, OpenAI chat, OpenAI responses, Gemini). For each library the loop a user would
write is timed: decode the line, take the token counts from the usage, price them, add up.
Imports and one warm-up call (which loads each library's price data) are not timed.

Both run offline, on the price data they ship: LiteLLM because LITELLM_LOCAL_MODEL_COST_MAP is
set before it is imported (otherwise it downloads its price map at import), genai-prices
because it only fetches prices when an `UpdatePrices` is started, which this never does.

Writes {"litellm": {...}, "genai_prices": {...}} with, for each, the version, records priced,
wall and CPU seconds, failed calls and the total in USD as text.
"""

import json
import os
import sys
import time
from datetime import datetime, timezone
from importlib.metadata import version

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

import genai_prices  # noqa: E402
import litellm  # noqa: E402

PROVIDERS = {"anthropic": "anthropic", "openai": "openai", "gemini": "google"}


def counts(request):
    """(provider, model, prompt tokens incl. cache, cache writes, cache reads, output incl. reasoning)."""
    u = request["usage"]
    model = request["model"]
    if "promptTokenCount" in u:
        output = u.get("candidatesTokenCount", 0) + u.get("thoughtsTokenCount", 0)
        return "gemini", model, u["promptTokenCount"], 0, u.get("cachedContentTokenCount", 0), output
    if "prompt_tokens" in u:
        cached = (u.get("prompt_tokens_details") or {}).get("cached_tokens", 0)
        return "openai", model, u["prompt_tokens"], 0, cached, u["completion_tokens"]
    if "input_tokens_details" in u:
        cached = (u.get("input_tokens_details") or {}).get("cached_tokens", 0)
        return "openai", model, u["input_tokens"], 0, cached, u["output_tokens"]
    written = u.get("cache_creation_input_tokens", 0)
    read = u.get("cache_read_input_tokens", 0)
    return "anthropic", model, u["input_tokens"] + written + read, written, read, u["output_tokens"]


def price_genai_prices(line, at):
    provider, model, prompt, written, read, output = counts(json.loads(line))
    usage = genai_prices.Usage(
        input_tokens=prompt, cache_write_tokens=written, cache_read_tokens=read, output_tokens=output
    )
    return genai_prices.calc_price(
        usage, model, provider_id=PROVIDERS[provider], genai_request_timestamp=at
    ).total_price


def price_litellm(line, at):
    _, model, prompt, written, read, output = counts(json.loads(line))
    prompt_cost, completion_cost = litellm.cost_per_token(
        model=model,
        prompt_tokens=prompt,
        completion_tokens=output,
        cache_creation_input_tokens=written,
        cache_read_input_tokens=read,
    )
    return prompt_cost + completion_cost


def timed(price, lines, at, zero):
    price(lines[0], at)  # warm-up: loads the library's price data
    failed = 0
    total = zero
    started, cpu_started = time.perf_counter(), time.process_time()
    for line in lines:
        try:
            total += price(line, at)
        except Exception:  # a call the library cannot price
            failed += 1
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "records": len(lines),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "failed": failed,
        "total_usd": str(total),
    }


def main():
    log, result = sys.argv[1], sys.argv[2]
    with open(log, encoding="utf-8") as f:
        lines = [line for line in f if line.strip()]
    at = datetime.fromisoformat(json.loads(lines[0])["at"]).replace(tzinfo=timezone.utc)
    from decimal import Decimal

    out = {
        "genai_prices": timed(price_genai_prices, lines, at, Decimal(0)),
        "litellm": timed(price_litellm, lines, at, 0.0),
    }
    out["genai_prices"]["version"] = version("genai-prices")
    out["litellm"]["version"] = version("litellm")
    for name, r in out.items():
        print(
            f"  {name}: {r['records']} records in {r['seconds']:.3f} s ({r['cpu_seconds']:.3f} s CPU),"
            f" total ${r['total_usd']}"
            f"{', %d failed' % r['failed'] if r['failed'] else ''}",
            file=sys.stderr,
        )
    with open(result, "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
