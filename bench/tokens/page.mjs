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
 * llmcost from nothing to the first full count of `text`: the WASM module, the vocabulary
 * asset and the glue are all requested at once (the module compiles while it downloads), then
 * the vocabulary is loaded and the text counted. Every phase is timed from the same start, so
 * `module` and `vocab_fetch` overlap.
 */
async function firstCount(text) {
  const start = performance.now();
  const since = () => performance.now() - start;
  const wasm = fetch('./pkg/cost_wasm_bg.wasm');
  let fetchMs = 0;
  const vocabBytes = bytesOf('o200k_base.vocab').then((bytes) => {
    fetchMs = since();
    return bytes;
  });
  const llmcost = await import('./pkg/cost_wasm.js');
  await llmcost.default({ module_or_path: wasm });
  const moduleMs = since();
  const vocab = await vocabBytes;
  const readyMs = since();
  const tokenizer = llmcost.Tokenizer.load('o200k_base', vocab);
  const loadMs = since() - readyMs;
  const count = tokenizer.count(text);
  const total = since();
  return {
    tokenizer,
    result: {
      first_count: count,
      first_count_ms: total,
      breakdown_ms: { module: moduleMs, vocab_fetch: fetchMs, vocab_load: loadMs,
        first_count: total - readyMs - loadMs },
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
