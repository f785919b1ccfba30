#!/usr/bin/env bash
# The whole test suite from a fresh Debian 12 machine: installs, builds, runs ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh "$@"
BUILD_DIR=${LITRANK_BUILD_DIR:-build}
if [ ! -d ../shared/datasets ]; then
  echo "litrank: ../shared/datasets is absent: tests that need the public datasets will skip" >&2
fi
(cd "$BUILD_DIR" && ctest --output-on-failure --timeout 900)
# The unit suites again under ASan + UBSan, in build-asan/ (see scripts/sanitize.sh;
# `scripts/sanitize.sh` alone runs every unit test): store, readers, scheduler, CLI,
# search and vectors, screening (with its tiny-model rerank tests) and the server. The
# model-heavy engine suites are left out of the sanitized run to stay well inside CI's
# 90 minutes; they run above, unsanitized.
# BillionLaughsThroughTheCli caps the child's address space (RLIMIT_AS), where ASan
# cannot reserve its shadow memory: it runs in the ordinary suite only.
suites='Corpus|ConcurrentWriters|CrashSafety|DocumentReader|Ingest|HostileInput|Ascii'
suites+='|RerankScheduler|Cli|Protocol|EvalMetrics|Search|Bm25|Fusion|Vector|Screen|Server'
suites+='|Cluster|Lsa|KMeans|FindTopics|TopicTerms|Bursts|Trends|Keyword|Review|Cite|Sentences'
suites+='|JsonSchema|MergeAnswers|Generator|Extract|Assess|CitationGraph|CriteriaFile|CleanPost|ReviewJobs'
# Both store back ends (the parametrized store suites, PostgreSQL's own), db copy, deployment.
suites+='|Backends/|TermVector|PostgresSql|DbCopy|PostgresDeploy|PoolJobs'
scripts/sanitize.sh -R "^($suites)" -E 'HostileInputTest.BillionLaughsThroughTheCli'
