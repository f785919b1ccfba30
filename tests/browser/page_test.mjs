// Real-browser test of litrank's built-in web page (web/index.html).
//
// Starts nothing itself: point LITRANK_URL at a running `litrank serve` that has a reranker,
// an embedder, a collection "default" and --data-dir (tests/browser/run.sh sets one up).
//   LITRANK_URL=http://127.0.0.1:8080/ node page_test.mjs
// Env: LITRANK_SCREENSHOT (default /tmp/litrank-page.png), LITRANK_CHROMIUM (default
// /usr/bin/chromium), LITRANK_API_KEY (typed into the page's API-key field when set).
// Prints "N passed, M failed" last; exits non-zero on any failure.
import { chromium } from 'playwright-core';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = process.env.LITRANK_URL;
if (!base) {
  console.error('page_test: set LITRANK_URL to a running litrank server, e.g. http://127.0.0.1:8080/');
  process.exit(2);
}
const screenshot = process.env.LITRANK_SCREENSHOT || '/tmp/litrank-page.png';
const executablePath = process.env.LITRANK_CHROMIUM || '/usr/bin/chromium';
const TIMEOUT = 15000;

let passed = 0, failed = 0;
const started = Date.now();

function assert(cond, msg) { if (!cond) throw new Error(msg); }

let pageLoaded = false;
async function check(name, fn, { needsPage = true } = {}) {
  if (needsPage && !pageLoaded) {
    failed++;
    console.log(`FAIL ${name}: not run, the page did not load`);
    return;
  }
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e && e.message ? e.message.split('\n')[0] : e}`);
  }
}

// Reads the visible results of a list: [{score (data-score), shown (the number printed)}].
async function readResults(page, testid) {
  return page.locator(`[data-testid="${testid}"]`).evaluateAll((els) => els.map((e) => ({
    score: Number(e.dataset.score),
    shown: e.querySelector('[data-testid="score"]')?.textContent.trim() ?? '',
    text: e.textContent,
  })));
}

function nonIncreasing(scores) {
  for (let i = 1; i < scores.length; i++) if (!(scores[i] <= scores[i - 1])) return i;
  return -1;
}

const tmp = mkdtempSync(join(tmpdir(), 'litrank-page-'));
let browser;
try {
  browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
} catch (e) {
  console.error(`page_test: cannot launch ${executablePath}: ${e.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const context = await browser.newContext({ viewport: { width: 1180, height: 900 } });
const page = await context.newPage();
page.setDefaultTimeout(TIMEOUT);
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e.message));
// 4xx answers the test provokes on purpose log "Failed to load resource"; anything else counts.
page.on('console', (m) => {
  if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) pageErrors.push('console: ' + m.text());
});
page.on('response', (r) => { if (r.status() === 404) pageErrors.push('404 for ' + r.url()); });

const messageText = () => page.locator('[data-testid="message"]').textContent();

try {
  await check('page loads and shows server status from /health', async () => {
    const res = await page.goto(base, { waitUntil: 'load' });
    assert(res && res.ok(), `GET ${base} answered ${res && res.status()}`);
    assert((await page.title()).includes('litrank'), `unexpected title "${await page.title()}"`);
    for (const id of ['rerank-query', 'search-query', 'upload-file']) {
      assert(await page.locator('#' + id).count() === 1,
        `the page has no #${id}: is the binary built from the current web/index.html?`);
    }
    if (process.env.LITRANK_API_KEY) {
      await page.fill('#api-key', process.env.LITRANK_API_KEY);
      await page.dispatchEvent('#api-key', 'change');
    }
    await page.waitForSelector('[data-testid="status"][data-state="ok"]');
    const status = await page.textContent('#status');
    assert(/reranker/i.test(status), `status line lacks the reranker: "${status}"`);
    pageLoaded = true;
  }, { needsPage: false });

  await check('rerank playground: ranked list in non-increasing score order', async () => {
    const docs = [
      'Cross-encoders read the query and the document together and output a relevance score.',
      'The recipe calls for two cups of flour and a pinch of salt.',
      'BM25 is a lexical ranking function based on term frequency and document length.',
      '深度学习在医学图像分割中的应用。',
      'Rerankers reorder the candidates of a first-stage retriever.',
    ];
    await page.click('#tab-rerank');
    await page.fill('#rerank-query', 'neural reranking of search results');
    await page.fill('#rerank-docs', docs.join('\n') + '\n\n');  // blank lines are ignored
    // Ctrl+Enter in the textarea submits.
    await page.focus('#rerank-docs');
    await page.keyboard.press('Control+Enter');
    await page.waitForSelector('[data-testid="rerank-result"]');
    const rs = await readResults(page, 'rerank-result');
    assert(rs.length === docs.length, `expected ${docs.length} results, got ${rs.length}`);
    assert(rs.every((r) => Number.isFinite(r.score)), 'a result has no numeric data-score');
    assert(rs.every((r) => /^\d+\.\d+$/.test(r.shown)), `scores not shown as numbers: ${rs.map((r) => r.shown)}`);
    const bad = nonIncreasing(rs.map((r) => r.score));
    assert(bad < 0, `score order breaks at position ${bad}: ${rs.map((r) => r.score)}`);
    for (const d of docs) assert(rs.some((r) => r.text.includes(d)), `document missing from the results: "${d}"`);
    const bars = await page.locator('[data-testid="rerank-result"] .bar > span').count();
    assert(bars === docs.length, `expected ${docs.length} score bars, got ${bars}`);

    // top n cuts the list.
    await page.fill('#rerank-topn', '2');
    await page.click('#rerank-submit');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="rerank-result"]').length === 2);
    const top = await readResults(page, 'rerank-result');
    assert(Math.abs(top[0].score - rs[0].score) < 1e-9, `top_n=2 changed the best result: ${top[0].score} vs ${rs[0].score}`);
    await page.fill('#rerank-topn', '');
  });

  await check('rerank playground: empty query shows the API error', async () => {
    await page.fill('#rerank-query', '');
    await page.fill('#rerank-docs', 'some document');
    await page.click('#rerank-submit');
    await page.waitForSelector('[data-testid="message"]:not([hidden])');
    const msg = (await messageText()).trim();
    assert(/query/i.test(msg), `error message does not mention the query: "${msg}"`);
    // A successful request clears it again.
    await page.fill('#rerank-query', 'documents');
    await page.click('#rerank-submit');
    await page.waitForSelector('[data-testid="message"]', { state: 'hidden' });
  });

  await check('corpus search on "default" with explain shows results and each stage', async () => {
    await page.click('#tab-search');
    await page.waitForSelector('#search-collection option[value="default"]', { state: 'attached' });
    await page.selectOption('#search-collection', 'default');
    await page.check('#search-explain');
    await page.fill('#search-query', 'cross-encoder reranking of scientific abstracts');
    await page.fill('#search-topk', '5');
    await page.press('#search-query', 'Enter');  // Enter submits
    await page.waitForSelector('[data-testid="search-result"]');
    const rs = await readResults(page, 'search-result');
    assert(rs.length >= 1 && rs.length <= 5, `expected 1-5 results, got ${rs.length}`);
    const bad = nonIncreasing(rs.map((r) => r.score));
    assert(bad < 0, `search score order breaks at position ${bad}: ${rs.map((r) => r.score)}`);
    const tables = await page.locator('[data-testid="search-result"] [data-testid="explain"]').count();
    assert(tables === rs.length, `expected an explain table per result, got ${tables} for ${rs.length}`);
    // The trace has a rerank row with a rank and score on every result, and BM25 found at least one.
    const rerankRows = await page.locator('[data-testid="explain"] tr[data-stage="rerank"][data-rank]').count();
    assert(rerankRows === rs.length, `rerank stage missing from the trace (${rerankRows}/${rs.length})`);
    const bm25Rows = await page.locator('[data-testid="explain"] tr[data-stage="bm25"][data-rank]').count();
    assert(bm25Rows >= 1, 'no result shows a BM25 rank');
    const summary = await page.textContent('[data-testid="search-summary"]');
    assert(/bm25/.test(summary) && /rerank/.test(summary), `summary lacks the stages: "${summary}"`);

    // Filters and stage toggles reach the server: BM25 only, Chinese, no explain.
    await page.uncheck('#search-dense');
    await page.uncheck('#search-rerank');
    await page.uncheck('#search-explain');
    await page.selectOption('#search-language', 'zh');
    await page.fill('#search-query', '深度学习');
    await page.click('#search-submit');
    await page.waitForFunction(() => {
      const s = document.querySelector('[data-testid="search-summary"]');
      return s && !/rerank/.test(s.textContent) && !document.querySelector('#search-submit').disabled;
    });
    const zh = await readResults(page, 'search-result');
    const expl = await page.locator('[data-testid="search-result"] [data-testid="explain"]').count();
    assert(expl === 0, 'explain table shown with explain off');
    const langs = await page.locator('[data-testid="search-result"] .badge').allTextContents();
    assert(langs.filter((l) => l === 'en').length === 0, `language filter zh returned English results (${zh.length} results)`);
    // Restore for the screenshot.
    await page.check('#search-dense');
    await page.check('#search-rerank');
    await page.check('#search-explain');
    await page.selectOption('#search-language', '');
  });

  await check('upload a RIS file into a new collection shows the summary', async () => {
    const ris = join(tmp, 'upload.ris');
    writeFileSync(ris, [
      'TY  - JOUR', 'TI  - Listwise reranking with large language models', 'AU  - Doe, Jane', 'PY  - 2024',
      'AB  - We rerank candidate abstracts with a language model prompted to judge relevance.', 'KW  - reranking', 'ER  - ', '',
      'TY  - JOUR', 'TI  - 基于深度学习的文献检索', 'PY  - 2023', 'AB  - 本文研究深度学习在学术文献检索中的应用。', 'ER  - ', '',
    ].join('\n'));
    const name = 'browser_' + Date.now().toString(36);
    await page.click('#tab-upload');
    await page.fill('#upload-collection', name);
    await page.setInputFiles('#upload-file', ris);
    await page.click('#upload-submit');
    await page.waitForSelector('[data-testid="upload-summary"]:not([hidden]) [data-testid="upload-added"]');
    const added = Number(await page.getAttribute('[data-testid="upload-added"]', 'data-value'));
    assert(added >= 1, `summary says added=${added}`);
    const text = await page.textContent('[data-testid="upload-summary"]');
    assert(text.includes(name), `summary does not name the collection ${name}`);
    // The new collection appears in the search picker.
    await page.waitForSelector(`#search-collection option[value="${name}"]`, { state: 'attached' });
    // An invalid name shows the server's error.
    await page.fill('#upload-collection', 'bad name!');
    await page.click('#upload-submit');
    await page.waitForSelector('[data-testid="message"]:not([hidden])');
    const msg = (await messageText()).trim();
    assert(/name/i.test(msg), `no error for an invalid collection name: "${msg}"`);
    await page.click('#message-close');
    await page.fill('#upload-collection', name);
  });

  await check('screening tab: start a project, decide with keys and buttons, progress follows', async () => {
    await page.click('#tab-screen');
    await page.selectOption('#screen-collection', 'default');
    await page.fill('#screen-project', 'browser');
    await page.fill('#screen-question', 'cross-encoder reranking of scientific abstracts');
    await page.click('#screen-start');
    await page.waitForSelector('[data-testid="screen-title"]');
    // No label yet: the BM25 prior of the question puts the matching sample paper first.
    const title = await page.textContent('[data-testid="screen-title"]');
    assert(/Cross-Encoder Reranking/.test(title), `first record is "${title}"`);
    assert(await page.locator('[data-testid="screen-record"] mark').count() > 0, 'question terms are not highlighted');
    const first = await page.getAttribute('[data-testid="screen-title"]', 'data-id');
    await page.locator('[data-testid="screen-record"]').click();  // focus outside any input
    await page.keyboard.press('i');
    await page.waitForSelector('[data-testid="screen-included"][data-value="1"]');
    const second = await page.getAttribute('[data-testid="screen-title"]', 'data-id');
    assert(second !== first, 'the labelled record is shown again');
    await page.click('#screen-exclude');
    await page.waitForFunction(() => /screened 2 \//.test(document.querySelector('[data-testid="screen-progress"]').textContent));
    const third = await page.getAttribute('[data-testid="screen-title"]', 'data-id');
    assert(third !== second && third !== first, 'a decided record came back');
    const stopping = await page.textContent('[data-testid="screen-stopping"]');
    assert(/Estimated relevant records not yet found/.test(stopping), `no stopping estimate: "${stopping}"`);
    // Starting the same project again resumes it (409 from the API is not an error).
    await page.click('#screen-start');
    await page.waitForFunction(() => /screened 2 \//.test(document.querySelector('[data-testid="screen-progress"]').textContent));
    assert(await page.isHidden('[data-testid="message"]'), 'resuming showed an error');
    await page.screenshot({ path: screenshot.replace(/\.png$/, '') + '-screening.png', fullPage: true });
  });

  await check('map tab: topics, trends, keywords, assessment, citations and a review report with progress', async () => {
    await page.click('#tab-map');
    await page.selectOption('#map-collection', 'default');
    await page.fill('#map-k', '3');
    await page.click('[data-testid="map-topics"]');
    await page.waitForSelector('[data-testid="map-topics-table"]');
    const topicRows = await page.locator('[data-testid="map-topics-table"] tr').count();
    assert(topicRows === 4, `expected a header and 3 topics, got ${topicRows} rows`);
    await page.click('[data-testid="map-trends"]');
    await page.waitForSelector('[data-testid="map-bursts-table"]');
    await page.click('[data-testid="map-keywords"]');
    await page.waitForSelector('[data-testid="map-network"]');
    const loaded = await page.locator('[data-testid="map-network"]').evaluate((img) =>
      img.decode().then(() => img.naturalWidth > 0, () => false));
    assert(loaded, 'the keyword network SVG does not render');
    await page.click('[data-testid="map-assess"]');
    await page.waitForSelector('[data-testid="map-assess-table"]');
    const assessed = await page.locator('[data-testid="map-assess-table"] tr').count();
    assert(assessed > 10, `too few assessed papers shown: ${assessed - 1}`);
    assert(/judgements/.test(await page.textContent('#map-results')), 'the assessment does not say its scores are judgements');
    await page.fill('#map-draft', 'Cross-encoders improve the ranking of scientific abstracts. Dense retrieval helps recall.');
    await page.click('#map-cite');
    await page.waitForSelector('[data-testid="map-cite-sentence"]');
    assert(await page.locator('[data-testid="map-cite-sentence"]').count() === 2, 'expected two draft sentences');
    await page.fill('#map-question', 'reranking scientific abstracts');
    await page.click('#map-review');
    await page.waitForSelector('[data-testid="map-report-link"]', { timeout: 60000 });
    const progress = await page.textContent('[data-testid="map-progress-text"]');
    assert(/^done/.test(progress), `the progress line does not end in done: "${progress}"`);
    const href = await page.getAttribute('[data-testid="map-report-link"]', 'href');
    const report = await page.evaluate(async (u) => (await fetch(u)).text(), href);
    assert(/<html/.test(report) && /reranking scientific abstracts/.test(report), 'the report is not the review of the question');
    assert(await page.isHidden('[data-testid="message"]'), 'the map tab showed an error');
    await page.screenshot({ path: screenshot.replace(/\.png$/, '') + '-map.png', fullPage: true });
  });

  await check('extract tab: pasted documents, one row each with the schema\'s fields, CSV export', async () => {
    await page.click('#tab-extract');
    await page.fill('#extract-docs', 'Statins lower LDL cholesterol in 300 older adults.\n\nSilicon anodes fade under fast charging.');
    await page.fill('#extract-max', '200');
    await page.click('#extract-submit');
    await page.waitForSelector('[data-testid="extract-table"]');
    assert(await page.locator('[data-testid="extract-row"]').count() === 2, 'expected one row per non-empty line');
    const header = await page.textContent('[data-testid="extract-table"] tr');
    for (const f of ['problem', 'method', 'results', 'data_contribution']) assert(header.includes(f), `no column ${f}: ${header}`);
    const href = await page.getAttribute('[data-testid="extract-csv"]', 'href');
    const csv = await page.evaluate(async (u) => (await fetch(u)).text(), href);
    assert(csv.split('\n')[0].startsWith('index,complete,problem'), `CSV header: ${csv.split('\n')[0]}`);
    assert(csv.trim().split('\n').length === 3, 'CSV rows');
    // Merging by the model is asked for in the request; the server answers as before.
    await page.selectOption('#extract-merge', 'model');
    const [mergeReq, mergeRes] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith('/v1/extract')),
      page.waitForResponse((r) => r.url().endsWith('/v1/extract')),
      page.click('#extract-submit')]);
    assert(JSON.parse(mergeReq.postData()).merge === 'model', `request without merge: ${mergeReq.postData()}`);
    assert(mergeRes.status() === 200, `merge request answered ${mergeRes.status()}`);
    await page.selectOption('#extract-merge', 'rule');
    // A schema that is not JSON is the page's own error, not a request.
    await page.fill('#extract-schema', '{not json');
    await page.click('#extract-submit');
    await page.waitForSelector('[data-testid="message"]:not([hidden])');
    assert(/not JSON/.test(await page.textContent('[data-testid="message"]')), 'no schema error shown');
    await page.click('#message-close');
    await page.fill('#extract-schema', '');
  });

  await check('no JavaScript errors on the page', async () => {
    assert(pageErrors.length === 0, pageErrors.join(' | '));
  }, { needsPage: false });

  // Screenshot of the search tab with explain traces (the richest view).
  await check(`screenshot of the search tab to ${screenshot}`, async () => {
    await page.click('#tab-search');
    await page.selectOption('#search-collection', 'default');
    await page.fill('#search-query', 'cross-encoder reranking of scientific abstracts');
    await page.fill('#search-topk', '3');
    await page.click('#search-submit');
    await page.waitForFunction(() => !document.querySelector('#search-submit').disabled);
    await page.waitForSelector('[data-testid="search-result"]');
    await page.screenshot({ path: screenshot, fullPage: true });
  });
} catch (e) {
  failed++;
  console.log(`FAIL unexpected: ${e.message}`);
} finally {
  await browser.close();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`page_test: ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
