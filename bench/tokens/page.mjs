// The benchmark itself: loads each tokenizer, checks they agree, then measures MB/s.
const out = document.getElementById('out');
const log = (line) => { out.textContent += '\n' + line; };

async function bytesOf(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Counts `text` repeatedly for at least `minMs`, at least 3 times; MB/s over all runs. */
function steady(count, text, megabytes, minMs) {
  let runs = 0;
  let result = 0;
  const start = performance.now();
  do {
    result = count(text);
    runs += 1;
  } while (performance.now() - start < minMs || runs < 3);
  const seconds = (performance.now() - start) / 1000;
  return { count: result, runs, mb_per_s: (megabytes * runs) / seconds };
}

/**
 * llmcost's first full count of `text`, as the app does it: the page has loaded the WASM
 * module; a book is dropped; the vocabulary is fetched and loaded chunk by chunk as it
 * downloads (`TokenizerLoader`), then the text is counted. `first_count_ms` runs from the drop
 * (the figure the target is for); `from_start_ms` includes the module's fetch and compile.
 * `vocab_fetch` is the drop to the last byte of the vocabulary, `vocab_load` the time the page
 * spent loading chunks (mostly while the download went on) and `vocab_finish` what was left
 * after the last byte.
 */
async function firstCount(text) {
  const start = performance.now();
  const llmcost = await import('./pkg/cost_wasm.js');
  await llmcost.default({ module_or_path: fetch('./pkg/cost_wasm_bg.wasm') });
  const moduleMs = performance.now() - start;

  const drop = performance.now();
  const since = () => performance.now() - drop;
  const response = await fetch('o200k_base.vocab');
  if (!response.ok) throw new Error(`o200k_base.vocab: HTTP ${response.status}`);
  const loader = new llmcost.TokenizerLoader('o200k_base');
  const reader = response.body.getReader();
  let loadMs = 0;
  let chunks = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const t = performance.now();
    loader.push(value);
    loadMs += performance.now() - t;
    chunks += 1;
  }
  const fetchMs = since();
  const tokenizer = loader.finish();
  const finishMs = since() - fetchMs;
  const count = tokenizer.count(text);
  const total = since();
  return {
    tokenizer,
    result: {
      first_count: count,
      first_count_ms: total,
      from_start_ms: performance.now() - start,
      vocab_chunks: chunks,
      breakdown_ms: { module: moduleMs, vocab_fetch: fetchMs, vocab_load: loadMs,
        vocab_finish: finishMs, first_count: total - fetchMs - finishMs },
    },
  };
}

async function run() {
  const params = new URLSearchParams(location.search);
  const minMs = Number(params.get('ms') || 3000);
  const novel = await bytesOf('novel.txt');
  const text = new TextDecoder().decode(novel);
  const megabytes = novel.length / 1e6;
  const results = { bytes: novel.length, user_agent: navigator.userAgent, tokenizers: {} };

  const { tokenizer: ours, result } = await firstCount(text);
  if (params.has('cold')) {
    // One cold first count only: the driver repeats this page in fresh browsers.
    results.tokenizers.llmcost = result;
    window.__results = results;
    log('done');
    return;
  }
  results.tokenizers.llmcost = { ...result, ...steady((t) => ours.count(t), text, megabytes, minMs) };
  log(`llmcost: ${JSON.stringify(results.tokenizers.llmcost)}`);

  // gpt-tokenizer: its o200k table is a JS module.
  let start = performance.now();
  const gpt = await import('/node_modules/gpt-tokenizer/esm/encoding/o200k_base.js');
  let first = gpt.countTokens(text);
  results.tokenizers['gpt-tokenizer'] = { first_count: first, first_count_ms: performance.now() - start,
    ...steady((t) => gpt.countTokens(t), text, megabytes, minMs) };
  log(`gpt-tokenizer: ${JSON.stringify(results.tokenizers['gpt-tokenizer'])}`);

  // tiktoken (npm): its wasm-bindgen module and JSON ranks, wired by hand (no bundler).
  start = performance.now();
  const bg = await import('/node_modules/tiktoken/tiktoken_bg.js');
  const wasmBytes = await bytesOf('/node_modules/tiktoken/tiktoken_bg.wasm');
  const { instance } = await WebAssembly.instantiate(wasmBytes, { './tiktoken_bg.js': bg });
  bg.__wbg_set_wasm(instance.exports);
  const ranks = await (await fetch('/node_modules/tiktoken/encoders/o200k_base.json')).json();
  const encoder = new bg.Tiktoken(ranks.bpe_ranks, ranks.special_tokens, ranks.pat_str);
  first = encoder.encode_ordinary(text).length;
  results.tokenizers.tiktoken = { first_count: first, first_count_ms: performance.now() - start,
    ...steady((t) => encoder.encode_ordinary(t).length, text, megabytes, minMs) };
  log(`tiktoken: ${JSON.stringify(results.tokenizers.tiktoken)}`);
  encoder.free();

  window.__results = results;
  log('done');
}

run().catch((error) => {
  window.__error = String(error && error.stack || error);
  log(`error: ${window.__error}`);
});
