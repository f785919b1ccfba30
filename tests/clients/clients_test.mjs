// litrank serve driven by the real client libraries, as they are published on npm:
// Cohere's cohere-ai (CohereClient: POST /v1/rerank; CohereClientV2: POST /v2/rerank),
// OpenAI's openai (embeddings float and base64, models, typed errors), and Jina's
// request shape by plain fetch. Scores are checked against `litrank rerank` (the
// library, no server) on the same model.
//
// Starts nothing itself; tests/clients/run.sh starts a server with the tiny models and
//   --api-key $LITRANK_API_KEY --max-documents 8 --max-inputs 8 --max-length 512
// then runs: LITRANK_URL=http://127.0.0.1:PORT/ LITRANK_API_KEY=… LITRANK_BIN=build/litrank
//            LITRANK_RERANKER=tiny-reranker.gguf node clients_test.mjs
// Prints "N passed, M failed" last; exits non-zero on any failure.
import { CohereClient, CohereClientV2, CohereError, Cohere } from 'cohere-ai';
import OpenAI from 'openai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = (name) => {
  const v = process.env[name];
  if (!v) {
    console.error(`clients_test: set ${name} (see the header of this file)`);
    process.exit(2);
  }
  return v;
};
const base = env('LITRANK_URL').replace(/\/?$/, '/');
const key = env('LITRANK_API_KEY');
const litrank = env('LITRANK_BIN');
const rerankerModel = env('LITRANK_RERANKER');
// The limits run.sh starts the server with.
const MAX_DOCUMENTS = 8, MAX_INPUTS = 8, MAX_LENGTH = 512;

let passed = 0, failed = 0;
function assert(cond, msg) { if (!cond) throw new Error(msg); }
function near(a, b, tol, what) { assert(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (tolerance ${tol})`); }
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
  }
}
// The error `fn` throws; fails when it throws none.
async function thrown(fn) {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, got a result');
}

// P(yes) by document index from `litrank rerank` (the library in a process of its own).
const tmp = mkdtempSync(join(tmpdir(), 'litrank-clients-'));
function libraryScores(query, documents) {
  const file = join(tmp, 'docs.txt');
  writeFileSync(file, documents.join('\n') + '\n');
  const out = JSON.parse(execFileSync(litrank, ['rerank', '-m', rerankerModel, '-q', query, '--docs', file,
    '--doc-format', 'lines', '--format', 'json', '--threads', '2', '--no-progress'], { encoding: 'utf8' }));
  const scores = new Array(documents.length);
  for (const r of out.results) scores[r.index] = r.score;
  assert(scores.every((s) => typeof s === 'number'), 'litrank rerank scored every document');
  return scores;
}

// Results sorted best first, each index once, each score the library's (1e-3).
function expectRanked(results, expected, topN, scoreOf) {
  assert(results.length === topN, `${topN} results, got ${results.length}`);
  const order = expected.map((s, i) => i).sort((a, b) => expected[b] - expected[a] || a - b);
  const seen = new Set();
  results.forEach((r, rank) => {
    assert(Number.isInteger(r.index) && r.index >= 0 && r.index < expected.length, `index ${r.index} in range`);
    assert(!seen.has(r.index), `index ${r.index} returned once`);
    seen.add(r.index);
    near(scoreOf(r), expected[r.index], 1e-3, `score of document ${r.index}`);
    if (rank > 0) assert(scoreOf(results[rank - 1]) >= scoreOf(r), 'sorted best first');
    // The library's order, except where two scores tie within the tolerance.
    if (Math.abs(expected[order[rank]] - expected[r.index]) > 1e-3) {
      throw new Error(`rank ${rank}: document ${r.index}, the library ranks ${order[rank]} there`);
    }
  });
}

// Cohere's documentation example (CohereClient.rerank / CohereClientV2.rerank).
const cohereQuery = 'What is the capital of the United States?';
const cohereDocs = [
  'Carson City is the capital city of the American state of Nevada.',
  'The Commonwealth of the Northern Mariana Islands is a group of islands in the Pacific Ocean. Its capital is Saipan.',
  'Capitalization or capitalisation in English grammar is the use of a capital letter at the start of a word. English usage varies from capitalization in other languages.',
  'Washington, D.C. (also known as simply Washington or D.C., and officially as the District of Columbia) is the capital of the United States. It is a federal district.',
  'Capital punishment has existed in the United States since beforethe United States was a country. As of 2017, capital punishment is legal in 30 of the 50 states.',
];
const cohereExpected = libraryScores(cohereQuery, cohereDocs);

const coV1 = new CohereClient({ token: key, baseUrl: base, maxRetries: 0 });
const coV2 = new CohereClientV2({ token: key, baseUrl: base, maxRetries: 0 });

await check('cohere-ai CohereClient.rerank (v1): scores, order, topN, returnDocuments', async () => {
  const r = await coV1.rerank({ model: 'rerank-v3.5', query: cohereQuery, documents: cohereDocs.map((text) => ({ text })),
    topN: 3, returnDocuments: true });
  assert(typeof r.id === 'string' && r.id.length > 0, 'an id');
  expectRanked(r.results, cohereExpected, 3, (x) => x.relevanceScore);
  for (const x of r.results) assert(x.document && x.document.text === cohereDocs[x.index], `document ${x.index} returned as sent`);
  const plain = await coV1.rerank({ model: 'rerank-v3.5', query: cohereQuery, documents: cohereDocs });
  expectRanked(plain.results, cohereExpected, cohereDocs.length, (x) => x.relevanceScore);
  assert(plain.results.every((x) => x.document === undefined), 'no documents unless asked for');
});

await check('cohere-ai CohereClientV2.rerank (v2): scores, order, topN, meta', async () => {
  const r = await coV2.rerank({ model: 'rerank-v3.5', query: cohereQuery, documents: cohereDocs, topN: 2 });
  assert(typeof r.id === 'string' && r.id.length > 0, 'an id');
  expectRanked(r.results, cohereExpected, 2, (x) => x.relevanceScore);
  for (const x of r.results) assert(Object.keys(x).sort().join() === 'index,relevanceScore', `v2 result fields: ${Object.keys(x)}`);
  assert(r.meta.apiVersion.version === '2', `meta.apiVersion ${JSON.stringify(r.meta)}`);
  assert(r.meta.billedUnits.searchUnits === 1, `billed search units ${JSON.stringify(r.meta)}`);
  const all = await coV2.rerank({ model: 'rerank-v3.5', query: cohereQuery, documents: cohereDocs });
  expectRanked(all.results, cohereExpected, cohereDocs.length, (x) => x.relevanceScore);
});

await check('cohere-ai typed errors: 401 UnauthorizedError, 400 BadRequestError, 413 CohereError', async () => {
  const wrong = new CohereClientV2({ token: 'not-the-key', baseUrl: base, maxRetries: 0 });
  const e401 = await thrown(() => wrong.rerank({ model: 'm', query: 'q', documents: ['a'] }));
  assert(e401 instanceof Cohere.UnauthorizedError && e401.statusCode === 401, `401: ${e401}`);
  assert(e401.body.error.code === 'invalid_api_key', `401 body ${JSON.stringify(e401.body)}`);
  const e400 = await thrown(() => coV2.rerank({ model: 'm', query: 'q', documents: ['a'], maxTokensPerDoc: MAX_LENGTH + 1 }));
  assert(e400 instanceof Cohere.BadRequestError && e400.statusCode === 400, `400: ${e400}`);
  assert(e400.body.error.type === 'invalid_request_error', `400 body ${JSON.stringify(e400.body)}`);
  const many = Array.from({ length: MAX_DOCUMENTS + 1 }, (_, i) => `document ${i}`);
  const e413 = await thrown(() => coV1.rerank({ model: 'm', query: 'q', documents: many }));
  assert(e413 instanceof CohereError && e413.statusCode === 413, `413: ${e413}`);
  assert(e413.body.error.code === 'too_many_documents', `413 body ${JSON.stringify(e413.body)}`);
});

// Jina's API example, by plain HTTP as Jina documents it (no SDK).
await check('Jina request shape by fetch: scores, order, top_n, document.text, usage', async () => {
  const documents = [
    'Organic skincare for sensitive skin with aloe vera and chamomile.',
    'New makeup trends focus on bold colors and innovative techniques.',
    'Bio-Hautpflege für empfindliche Haut mit Aloe Vera und Kamille.',
    'Neue Make-up-Trends setzen auf kräftige Farben und innovative Techniken.',
    'Cuidado de la piel orgánico para piel sensible con aloe vera y manzanilla.',
    '针对敏感肌专门设计的天然有机护肤产品',
    '新的化妆趋势注重鲜艳的颜色和创新的技巧',
  ];
  const query = 'Organic skincare products for sensitive skin';
  const res = await fetch(base + 'v1/rerank', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: 'jina-reranker-v2-base-multilingual', query, top_n: 3, documents, return_documents: true }),
  });
  assert(res.status === 200, `status ${res.status}`);
  const body = await res.json();
  assert(body.model === 'jina-reranker-v2-base-multilingual', `model echoed: ${body.model}`);
  expectRanked(body.results, libraryScores(query, documents), 3, (x) => x.relevance_score);
  for (const x of body.results) assert(x.document.text === documents[x.index], `document ${x.index} returned as sent`);
  assert(Number.isInteger(body.usage.total_tokens) && body.usage.total_tokens > 0, `usage ${JSON.stringify(body.usage)}`);
});

const openai = new OpenAI({ apiKey: key, baseURL: base + 'v1', maxRetries: 0 });
const inputs = ['solid-state batteries', 'lithium plating at low temperature', '电池'];

await check('openai embeddings.create: float and base64 (decoded by the SDK) agree', async () => {
  const asFloat = await openai.embeddings.create({ model: 'qwen3-embedding', input: inputs, encoding_format: 'float' });
  // Without encoding_format the SDK asks for base64 and decodes it to numbers itself.
  const asDefault = await openai.embeddings.create({ model: 'qwen3-embedding', input: inputs });
  const asBase64 = await fetch(base + 'v1/embeddings', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: 'qwen3-embedding', input: inputs, encoding_format: 'base64' }),
  }).then((r) => r.json());
  assert(asFloat.object === 'list' && asFloat.data.length === inputs.length, 'one embedding per input');
  assert(asFloat.usage.prompt_tokens > 0, `usage ${JSON.stringify(asFloat.usage)}`);
  for (let i = 0; i < inputs.length; ++i) {
    const f = asFloat.data[i].embedding, d = asDefault.data[i].embedding;
    assert(asFloat.data[i].index === i && asDefault.data[i].index === i, 'data in input order');
    assert(Array.isArray(d) && typeof d[0] === 'number', 'the SDK decoded base64 to numbers');
    assert(typeof asBase64.data[i].embedding === 'string', 'the server sent base64 when asked');
    assert(f.length === d.length && f.length >= 32, `widths ${f.length} / ${d.length}`);
    f.forEach((x, j) => near(x, d[j], 1e-5, `input ${i} component ${j}`));
    near(Math.hypot(...f), 1, 1e-4, `norm of input ${i}`);
  }
});

await check('openai embeddings.create dimensions: the prefix, renormalised', async () => {
  const full = await openai.embeddings.create({ model: 'e', input: inputs[0], encoding_format: 'float' });
  const cut = await openai.embeddings.create({ model: 'e', input: inputs[0], dimensions: 32 });
  const prefix = full.data[0].embedding.slice(0, 32);
  const norm = Math.hypot(...prefix);
  assert(cut.data[0].embedding.length === 32, `32 dimensions, got ${cut.data[0].embedding.length}`);
  cut.data[0].embedding.forEach((x, j) => near(x, prefix[j] / norm, 1e-5, `component ${j}`));
});

await check('openai models.list: the reranker, the embedder and the generator', async () => {
  const models = [];
  for await (const m of openai.models.list()) models.push(m);
  const ids = models.map((m) => m.id).sort();
  assert(ids.join() === 'embedder,generator,reranker', `model ids ${ids}`);
  assert(models.every((m) => m.object === 'model' && m.owned_by === 'litrank'), JSON.stringify(models));
});

await check('openai chat.completions.create with response_format json_schema: parsed by the SDK', async () => {
  const schema = {
    type: 'object',
    properties: { topic: { type: 'string', maxLength: 30 }, year: { type: 'integer', minimum: 1900, maximum: 2100 } },
    required: ['topic', 'year'], additionalProperties: false,
  };
  const r = await openai.chat.completions.create({
    model: 'generator', max_tokens: 120, temperature: 0,
    messages: [{ role: 'system', content: 'Reply in JSON.' }, { role: 'user', content: 'Statins and dementia, 2019.' }],
    response_format: { type: 'json_schema', json_schema: { name: 'paper', strict: true, schema } },
  });
  assert(r.object === 'chat.completion' && r.choices.length === 1, JSON.stringify(r));
  const choice = r.choices[0];
  assert(choice.message.role === 'assistant', JSON.stringify(choice));
  assert(r.usage.total_tokens === r.usage.prompt_tokens + r.usage.completion_tokens, JSON.stringify(r.usage));
  if (choice.finish_reason === 'stop') {
    const value = JSON.parse(choice.message.content);
    assert(typeof value.topic === 'string' && Number.isInteger(value.year), choice.message.content);
    assert(value.year >= 1900 && value.year <= 2100, `year out of the schema's range: ${value.year}`);
  } else {
    assert(choice.finish_reason === 'length' && r.usage.completion_tokens === 120, JSON.stringify(choice));
  }
  const e400 = await thrown(() => openai.chat.completions.create({ model: 'g', stream: true, messages: [{ role: 'user', content: 'x' }] }));
  assert(e400 instanceof OpenAI.BadRequestError && e400.code === 'unsupported_stream', `stream: ${e400}`);
});

await check('openai typed errors: 401, 400, 404, 413 with the server\'s codes', async () => {
  const wrong = new OpenAI({ apiKey: 'not-the-key', baseURL: base + 'v1', maxRetries: 0 });
  const e401 = await thrown(() => wrong.embeddings.create({ model: 'e', input: 'x' }));
  assert(e401 instanceof OpenAI.AuthenticationError && e401.status === 401 && e401.code === 'invalid_api_key', `401: ${e401}`);
  const e400 = await thrown(() => openai.embeddings.create({ model: 'e', input: 'x', encoding_format: 'hex' }));
  assert(e400 instanceof OpenAI.BadRequestError && e400.status === 400, `400: ${e400}`);
  assert(e400.type === 'invalid_request_error' && typeof e400.code === 'string', `400 fields ${e400.type} ${e400.code}`);
  const e404 = await thrown(() => openai.post('/no-such-route', { body: {} }));
  assert(e404 instanceof OpenAI.NotFoundError && e404.status === 404 && e404.code === 'not_found', `404: ${e404}`);
  const many = Array.from({ length: MAX_INPUTS + 1 }, (_, i) => `input ${i}`);
  const e413 = await thrown(() => openai.embeddings.create({ model: 'e', input: many }));
  // openai has no class of its own for 413: the base APIError carries status and code.
  assert(e413 instanceof OpenAI.APIError && e413.status === 413 && e413.code === 'too_many_inputs', `413: ${e413}`);
});

rmSync(tmp, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
