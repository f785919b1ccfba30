#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/seeds/<harness>/ from the test suite's fixtures.

The unit tests write their fixtures inline; the representative ones are copied
here (same bytes: BOMs, CRLF, invalid UTF-8, unbalanced braces, unterminated
quotes...) so the fuzzers start from inputs that reach deep into each reader.
Run it again after changing a fixture; the files it writes are committed.
"""
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = os.path.join(HERE, "seeds")

# tests/ingest_ris_bibtex_test.cpp
RIS_FULL = (
    b"\xEF\xBB\xBFTY  - JOUR\r\nTI  - Dense   retrieval\r\n  for literature search\r\n"
    b"AU  - Smith, Jane\r\nAU  - Doe, John\r\nAB  - We study ranking.\r\nPY  - 2021/05/03/\r\n"
    b"JO  - Journal of Tests\r\nDO  - https://doi.org/10.1000/ABC.1\r\nKW  - retrieval\r\n"
    b"KW  - ranking; search\r\nLA  - English\r\nUR  - https://example.org/paper\r\nID  - rec1\r\n"
    b"VL  - 12\r\nER  - \r\n\r\nTY  - CONF\r\nT1  - Second paper\r\nN2  - Its abstract.\r\n"
    b"Y1  - 1999\r\nA1  - Roe, R.\r\nER  -\r\n")
RIS_BAD = (
    b"TY  - JOUR\nAU  - Nobody\nPY  - 2000\nER  - \n"
    b"TY  - JOUR\nTI  - Bad \xC3\x28 bytes\nER  - \n"
    b"TY  - JOUR\nTI  - Fine\nTY  - JOUR\nTI  - No ER at end\n")
# tests/screen_project_test.cpp: ASReview's RIS notes
RIS_LABELS = (
    b"TY  - JOUR\nTI  - Included one\nN1  - ASReview_relevant\nER  - \n"
    b"TY  - JOUR\nTI  - Excluded one\nN1  - ASReview_irrelevant\nLB  - 0\nER  - \n")

BIB_FULL = (
    b"% exported by hand\n"
    b"@string{jot = \"Journal of \" # \"Tests\"}\n"
    b"@comment{ignore {this} }\n"
    b"@preamble{\"\\newcommand{\\x}{y}\"}\n"
    b"@Article{smith2020,\n"
    b"  title = {A {Nested {Brace}} Title on G{\\\"o}del and Erd\\H{o}s},\n"
    b"  author = {M{\\\"u}ller, J{\\\"o}rg and {\\'E}mile Zola and {Barnes and Noble}},\n"
    b"  journal = jot,\n  year = 2020,\n  month = mar,\n  doi = {10.1000/XYZ},\n"
    b"  keywords = {ranking; search, retrieval},\n"
    b"  abstract = \"Costs 5\\% less \\& pages 1--2 with {\\c c}a and \\ss{} and na{\\\"i}ve\",\n"
    b"  url = {https://example.org/a_b},\n  langid = {english},\n  pages = {1--2}\n}\n"
    b"@inproceedings(conf99, title = \"Conference paper\", booktitle = {Proc. of Things}, date = {1999-06-01})\n")
BIB_BAD = (
    b"@article{bad,\n  title = {Never {closed},\n  year = 2001\n"
    b"@article{good,\n  title = {Good one}\n}\n"
    b"@article{syntax, title = {x} year = 2}\n"
    b"@article{notitle, year = 2002}\n"
    b"@book{last, title = {Unclosed at end}\n")
LATEX = (b"\\'e\\`a\\^o\\~n\\=a\\.z\\u{g}\\v{s}\\k{a}\\r{a} {\\\"a} \\\"{o} \\'{\\i} \\o{} \\AE{} \\L "
         b"\\o x \\emph{Deep} learning---now $x$ \\# \\_ \\{\\} caf\xC3\xA9 a~b")

# tests/ingest_table_test.cpp (first byte of a table seed: bit 0 TSV, bit 1 named columns, bit 2 keep textless)
CSV_ASREVIEW = (
    b"\xEF\xBB\xBFRecord_ID,Title,Abstract,Publication_Year,Authors,DOI,Keywords,Journal,Language,URL,"
    b"Cited_By_Count,Included,notes\r\n"
    b"r1,\"Ranking, \"\"quoted\"\" and\nmulti-line\",An  abstract.,2019.0,\"Smith, J.; Doe, A.\","
    b"doi:10.1/AB,\"a; b\",J. Tests,eng,https://x.org,12,1,keep me\r\n"
    b"r2,Only title,,,,,,,,,,0,\r\n")
CSV_SYNERGY = (
    b"doi,title,abstract,label_included\n"
    b"https://doi.org/10.1055/S-0036-1571310,Innovative Therapies,\"In recent years, advances.\",1\n"
    b",No DOI here,Some abstract,0\n")
CSV_UNTERMINATED = b"title,abstract,year\n\"open quote,never closed,2001\nsecond,row,2002\nthird,\"x\"y,2003\n"
TSV = b"key\theadline\tbody\twhen\nk1\tThe headline\tThe body\t2001-02-03\n"
TSV_NAMED = b"title\tabstract\tyear\nA title\tAn abstract\t1999\n\tonly abstract\t\n"

# tests/ingest_json_test.cpp
JSONL = (
    b'{"pmid": 123, "title": " A  title ", "content": "Body text.", "date": "2018-04-01",'
    b' "authors": [{"name": "Smith, J."}, "Doe, A.", {"given": "Ann", "family": "Lee"}],'
    b' "doi": "https://doi.org/10.5/X", "keywords": "alpha; beta", "lang": "zh-CN",'
    b' "journal": "Venue", "url": "https://u", "cited_by_count": "7", "label": 1, "review": "R"}\n'
    b'{"id": "b", "title": ["Crossref style"], "abstract": "x", "year": 2005, "author": "One Author",'
    b' "keywords": ["k1", "k2", "k1"], "n_citation": 3}\n')
JSONL_BAD = (b'{"title": "ok 1"}\n{"title": "broken"\n\n{"title": {"x": 1}}\n'
             b'{"title": "bad \xC3"}\n{"year": 2000}\n{"text": "ok 2"}\n')
BEIR = (b'{"_id": "4983", "title": "Microstructural development", "text": "Alterations of the brain.", '
        b'"metadata": {"pubmed": "1"}}\n{"_id": "5836", "title": "", "text": "Only text", "metadata": {}}\n')
ARXIV = (
    b'{"id": "0704.0001", "submitter": "Pavel Nadolsky", "authors": "C. Bal\\\\\'azs, E. L. Berger, and P. M. Nadolsky",'
    b' "title": "Calculation of prompt\\n  diphoton production", "comments": "37 pages",'
    b' "journal-ref": "Phys.Rev.D76:013009,2007", "doi": "10.1103/PhysRevD.76.013009",'
    b' "categories": "hep-ph cs.LG", "abstract": "  A fully differential\\ncalculation.\\n",'
    b' "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}], "update_date": "2008-11-13",'
    b' "authors_parsed": [["Bal\xC3\xA1zs", "C.", ""], ["Berger", "E. L.", ""], ["Nadolsky", "P. M.", "Jr"]]}\n'
    b'{"id": "0704.0002", "authors": "A. One and B. Two", "title": "T", "abstract": "A", '
    b'"categories": "math.CO", "update_date": "2009-01-02"}\n')

# tests/ingest_pubmed_test.cpp
PUBMED_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2024//EN" '
    b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_240101.dtd">\n<PubmedArticleSet>\n')


def article(pmid, title, body, after=b"", data=b""):
    return (b'<PubmedArticle>\n<MedlineCitation Status="MEDLINE">\n<PMID Version="1">' + pmid +
            b'</PMID>\n<Article PubModel="Print">\n<ArticleTitle>' + title + b"</ArticleTitle>\n" + body +
            b"</Article>\n" + after + b"</MedlineCitation>\n" + data + b"</PubmedArticle>\n")


PUBMED_FULL = (
    PUBMED_HEAD +
    article(b"10024335", b"Effects of <i>ACE</i> blockade &amp; statins.",
            b"<Journal><JournalIssue><PubDate><Year>1999</Year><Month>Jan</Month></PubDate></JournalIssue>"
            b"<Title>Hypertension</Title></Journal>\n"
            b'<ELocationID EIdType="pii">X1</ELocationID><ELocationID EIdType="doi">10.1161/01.HYP.33.1</ELocationID>\n'
            b'<Abstract><AbstractText Label="BACKGROUND">Why it matters.</AbstractText>\n'
            b'<AbstractText Label="RESULTS">It  worked.</AbstractText></Abstract>\n'
            b"<AuthorList><Author><LastName>Sposito</LastName><ForeName>Andrei C</ForeName></Author>"
            b"<Author><LastName>Mansur</LastName><Initials>AP</Initials></Author>"
            b"<Author><CollectiveName>The Trial Group</CollectiveName></Author></AuthorList>\n"
            b"<Language>eng</Language>\n"
            b"<PublicationTypeList><PublicationType>Clinical Trial</PublicationType></PublicationTypeList>\n",
            b'<MeshHeadingList><MeshHeading><DescriptorName UI="D1">Hypertension</DescriptorName></MeshHeading>'
            b'<MeshHeading><DescriptorName UI="D2">Humans</DescriptorName></MeshHeading></MeshHeadingList>\n'
            b'<KeywordList Owner="NOTNLM"><Keyword>statins</Keyword></KeywordList>\n') +
    article(b"2", b"Second", b"<Journal><JournalIssue><PubDate><MedlineDate>1998 Dec-1999 Jan</MedlineDate>"
                             b"</PubDate></JournalIssue></Journal><Abstract><AbstractText>Plain.</AbstractText></Abstract>\n",
            b"", b'<PubmedData><ArticleIdList><ArticleId IdType="pubmed">2</ArticleId>'
                 b'<ArticleId IdType="doi">10.9/ZZ</ArticleId></ArticleIdList></PubmedData>\n') +
    b"</PubmedArticleSet>\n")
PUBMED_EMPTY = PUBMED_HEAD + article(b"1", b"", b"") + article(b"2", b"Kept", b"") + b"</PubmedArticleSet>\n"
PUBMED_BROKEN = (PUBMED_HEAD + article(b"1", b"Good 1", b"") +
                 b"<PubmedArticle><MedlineCitation><PMID>2</PMID>\n<Article><ArticleTitle>Broken</Title>\n"
                 b"</Article></MedlineCitation></PubmedArticle>\n</PubmedArticleSet>\n")
MEDLINE_SET = (b"<MedlineCitationSet>\n<MedlineCitation><PMID>7</PMID><Article><ArticleTitle>Old style</ArticleTitle>"
               b"</Article></MedlineCitation>\n</MedlineCitationSet>\n")

# tests/document_reader_test.cpp
DOC_JSONL = (b'{"id": "a", "text": "  Dense retrieval works.  "}\n{"id": "b", "text": "Second", "title": "ignored"}\n'
             b'{"_id": "c", "title": "T", "abstract": "A"}\n{"contents": "pyserini"}\nnot json\n')
DOC_CSV = b"\xEF\xBB\xBFid,text\r\n1,\"quoted, with comma\"\r\n2,\"multi\r\nline \"\"q\"\"\"\r\n3,\"unterminated\n4,plain\n"
DOC_LINES = b"first line\n\n  second  \r\nthird \xC3\x28 invalid\n"

# tests/server_api_test.cpp, tests/server_collections_test.cpp
API = [
    {"model": "rerank-english-v3.0", "query": "What is the capital of the United States?",
     "documents": ["Carson City is the capital city of the American state of Nevada.",
                   "Washington, D.C. is the capital of the United States."], "top_n": 3},
    {"model": "jina-reranker-v2-base-multilingual", "query": "Organic skincare", "top_n": 2,
     "documents": ["Organic skincare for sensitive skin.", {"text": "New makeup trends."}],
     "return_documents": True, "instruction": "Judge relevance", "max_tokens_per_doc": 64},
    {"query": "What is Deep Learning?", "texts": ["Deep Learning is not...", "Deep learning is..."],
     "raw_scores": True, "return_text": True, "truncate": False},
    {"model": "BAAI/bge-reranker-v2-m3", "text_1": "What is the capital of France?",
     "text_2": ["The capital of Brazil is Brasilia.", "The capital of France is Paris."]},
    {"text_1": ["q1", "q2"], "text_2": ["d1", "d2"]},
    {"input": ["The food was delicious", "second"], "model": "text-embedding-3-small",
     "encoding_format": "float", "dimensions": 256},
    {"input": [[1, 2, 3], [4, 5]], "encoding_format": "base64", "input_type": "query", "task": "Find papers"},
    {"query": "graph neural networks", "explain": True, "top_k": 5, "bm25_candidates": 100,
     "dense_candidates": 50, "rerank_candidates": 20, "bm25_k1": 0.9, "bm25_b": 0.4, "rrf_k": 60,
     "bm25": True, "dense": False, "rerank": True, "dims": 128, "year_from": 2015, "year_to": 2024,
     "keywords": ["cardiology"], "languages": ["en", "zh"], "threshold": 0.5, "instruction": "x",
     "return_text": False},
    {"query": "q", "documents": ["d"], "truncate": True, "truncation_direction": "right", "max_length": 512},
    {"documents": [{"title": "T", "abstract": "A", "year": 2020, "authors": ["A, B"], "doi": "10.1/x",
                    "keywords": "k1; k2", "venue": "V", "language": "en", "id": "1", "url": "u", "citations": 3},
                   {"text": "only text"}, {"year": 1}]},
    [{"title": "bare array"}],
]

# tests/screen_*_test.cpp: labels as files bring them (extra_json of a record)
LABELS = [
    {"label_included": 1}, {"included": "0"}, {"label": "yes"}, {"LB": "ASReview_relevant"},
    {"N1": ["note", "ASReview_irrelevant"]}, {"label_included": -1, "included": 1.0},
    {"label": True}, {"label": "maybe"}, {"N1": "ASReview_not_seen"},
]


def write(harness, name, data):
    d = os.path.join(SEEDS, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    shutil.rmtree(SEEDS, ignore_errors=True)
    for n, d in [("full.ris", RIS_FULL), ("bad.ris", RIS_BAD), ("labels.ris", RIS_LABELS)]:
        write("ris", n, d)
    for n, d in [("full.bib", BIB_FULL), ("bad.bib", BIB_BAD), ("latex.txt", LATEX)]:
        write("bibtex", n, d)
    for n, d in [("asreview.csv", b"\x00" + CSV_ASREVIEW), ("synergy.csv", b"\x04" + CSV_SYNERGY),
                 ("unterminated.csv", b"\x02" + CSV_UNTERMINATED), ("plain.tsv", b"\x01" + TSV),
                 ("named.tsv", b"\x07" + TSV_NAMED)]:
        write("table", n, d)
    for n, d in [("generic.jsonl", JSONL), ("bad.jsonl", JSONL_BAD), ("beir.jsonl", BEIR), ("arxiv.jsonl", ARXIV)]:
        write("jsonl", n, d)
    for n, d in [("full.xml", PUBMED_FULL), ("empty.xml", PUBMED_EMPTY), ("broken.xml", PUBMED_BROKEN),
                 ("medline.xml", MEDLINE_SET)]:
        write("pubmed", n, d)
    for n, d in [("ris", RIS_FULL), ("bib", BIB_FULL), ("xml", PUBMED_FULL), ("beir", BEIR), ("arxiv", ARXIV),
                 ("jsonl", JSONL), ("lines", DOC_LINES)]:
        write("ingest_auto", n, d)
    for n, d in [("docs.jsonl", DOC_JSONL), ("docs.csv", DOC_CSV), ("docs.txt", DOC_LINES), ("docs.tsv", TSV)]:
        write("document_reader", n, d)
    for i, body in enumerate(API):
        write("api_requests", "body%02d.json" % i, json.dumps(body, ensure_ascii=False).encode())
    for i, extra in enumerate(LABELS):
        write("screen_labels", "extra%02d.json" % i, json.dumps(extra).encode())


if __name__ == "__main__":
    main()
