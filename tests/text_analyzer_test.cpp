// Tests for text/analyzer: normalisation, segmentation, stopwords and stemming
// in English, Chinese, Japanese and Korean; robustness on bad input.
#include "text/analyzer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "util/utf8.h"

namespace litrank {
namespace {

using Terms = std::vector<std::string>;

// A fresh analyzer for `options`; fails the test when Create does.
std::unique_ptr<Analyzer> MakeAnalyzer(const AnalyzerOptions& options = {}) {
  auto analyzer = Analyzer::Create(options);
  EXPECT_TRUE(analyzer.ok()) << analyzer.status().ToString();
  return analyzer.ok() ? std::move(analyzer).value() : nullptr;
}

// The terms of `text` under `options`.
Terms Analyze(std::string_view text, const AnalyzerOptions& options = {}) {
  auto analyzer = MakeAnalyzer(options);
  Terms terms;
  if (analyzer != nullptr) analyzer->Analyze(text, &terms);
  return terms;
}

// Number of code points in valid UTF-8 `s`.
size_t CodePoints(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// Terms present in both lists.
std::set<std::string> Shared(const Terms& a, const Terms& b) {
  std::set<std::string> sa(a.begin(), a.end()), out;
  for (const auto& t : b) {
    if (sa.count(t) != 0) out.insert(t);
  }
  return out;
}

// The terms joined with " | ", for messages.
std::string Join(const Terms& terms) {
  std::string out;
  for (const auto& t : terms) out += (out.empty() ? "" : " | ") + t;
  return out;
}

// ---------------------------------------------------------------- English

TEST(TextAnalyzerTest, EnglishStemming) {
  EXPECT_EQ(Analyze("Running runners quickly classified"),
            (Terms{"run", "runner", "quick", "classifi"}));
  // Inflections of one word meet on one stem.
  EXPECT_EQ(Analyze("segmentation"), Analyze("segmentations"));
  EXPECT_EQ(Analyze("studies"), Analyze("study"));
}

TEST(TextAnalyzerTest, StemmingCanBeOffAndAlgorithmChosen) {
  AnalyzerOptions off;
  off.stem = false;
  EXPECT_EQ(Analyze("Running runners", off), (Terms{"running", "runners"}));
  AnalyzerOptions porter;
  porter.stemmer = "porter";
  // Porter and Snowball English differ on "generously" ("gener" vs "generous").
  EXPECT_EQ(Analyze("generously", porter), (Terms{"gener"}));
  EXPECT_EQ(Analyze("generously"), (Terms{"generous"}));
}

TEST(TextAnalyzerTest, UnknownStemmerIsInvalidArgument) {
  AnalyzerOptions options;
  options.stemmer = "klingon";
  auto analyzer = Analyzer::Create(options);
  ASSERT_FALSE(analyzer.ok());
  EXPECT_EQ(analyzer.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(analyzer.status().message().find("klingon"), std::string::npos);
  EXPECT_NE(analyzer.status().message().find("english"), std::string::npos);  // lists choices
}

TEST(TextAnalyzerTest, StopwordsDroppedOnlyWhenAsked) {
  EXPECT_EQ(Analyze("The effect of the drug on THE patients"),
            (Terms{"effect", "drug", "patient"}));
  AnalyzerOptions keep;
  keep.stopwords = false;
  EXPECT_EQ(Analyze("The effect of the drug", keep), (Terms{"the", "effect", "of", "the", "drug"}));
  // Words that are not in Lucene's 33-word set stay.
  EXPECT_EQ(Analyze("we were about"), (Terms{"we", "were", "about"}));
}

TEST(TextAnalyzerTest, PunctuationAndCase) {
  EXPECT_EQ(Analyze("Hello, WORLD!  (CRISPR/Cas9) -- \"deep\"; learning... ?"),
            (Terms{"hello", "world", "crispr", "cas9", "deep", "learn"}));
  EXPECT_TRUE(Analyze(" ,.;:!?()[]{}<>\"'-/\\|@#$%^&*_+= \t\n").empty());
}

TEST(TextAnalyzerTest, HyphenatedWordsSplitLikeIcu) {
  EXPECT_EQ(Analyze("state-of-the-art cross-encoder"), (Terms{"state", "art", "cross", "encod"}));
}

TEST(TextAnalyzerTest, NfkcFoldsFullWidthLigaturesAndCase) {
  EXPECT_EQ(Analyze("\xEF\xBC\xA7\xEF\xBC\xB0\xEF\xBC\xB5"), (Terms{"gpu"}));  // ＧＰＵ
  EXPECT_EQ(Analyze("\xEF\xAC\x81nite"), Analyze("finite"));                  // ﬁ ligature
  EXPECT_EQ(Analyze("e\xEF\xAC\x80" "ect"), Analyze("effect"));               // ﬀ ligature
  EXPECT_EQ(Analyze("Stra\xC3\x9F" "e"), Analyze("STRASSE"));                 // ß folds to ss
  EXPECT_EQ(Analyze("caf\xC3\xA9"), Analyze("cafe\xCC\x81"));                 // é composed/decomposed
  EXPECT_EQ(Analyze("\xEF\xBC\x92\xEF\xBC\x90\xEF\xBC\x92\xEF\xBC\x93"), (Terms{"2023"}));  // ２０２３
  EXPECT_EQ(Analyze("hyphen\xC2\xAD" "ation"), Analyze("hyphenation"));       // soft hyphen ignored
}

TEST(TextAnalyzerTest, NumbersKept) {
  EXPECT_EQ(Analyze("In 2023, 3.5% of 1,000 samples had IL-6 and covid19"),
            (Terms{"2023", "3.5", "1,000", "sampl", "had", "il", "6", "covid19"}));
}

TEST(TextAnalyzerTest, PossessivesDropped) {
  EXPECT_EQ(Analyze("Alzheimer's disease"), Analyze("Alzheimer disease"));
  EXPECT_EQ(Analyze("the patient\xE2\x80\x99s history"), Analyze("patient history"));  // ’s
  EXPECT_EQ(Analyze("PARKINSON'S"), Analyze("parkinson"));
  EXPECT_EQ(Analyze("it's"), Terms{});  // "it" is a stopword once "'s" is gone
  EXPECT_EQ(Analyze("don\xE2\x80\x99t"), Analyze("don't"));  // apostrophes meet
}

TEST(TextAnalyzerTest, AppendsAndReusesState) {
  auto analyzer = MakeAnalyzer();
  ASSERT_NE(analyzer, nullptr);
  Terms terms{"existing"};
  analyzer->Analyze("protein folding", &terms);
  analyzer->Analyze("", &terms);
  analyzer->Analyze("protein folding", &terms);
  EXPECT_EQ(terms, (Terms{"existing", "protein", "fold", "protein", "fold"}));
}

TEST(TextAnalyzerTest, EmptyAndBlankInput) {
  EXPECT_TRUE(Analyze("").empty());
  EXPECT_TRUE(Analyze("   \n\t  ").empty());
  EXPECT_TRUE(Analyze(std::string_view("\0\0", 2)).empty());
}

TEST(TextAnalyzerTest, OverlongWordsDropped) {
  const std::string blob(kMaxTermBytes + 1, 'x');
  EXPECT_EQ(Analyze("short " + blob + " words"), (Terms{"short", "word"}));
  const std::string longest(kMaxTermBytes, 'y');
  AnalyzerOptions plain;
  plain.stem = false;
  EXPECT_EQ(Analyze(longest, plain), Terms{longest});
}

// ---------------------------------------------------------------- Robustness

TEST(TextAnalyzerTest, InvalidUtf8BytesAreSeparators) {
  EXPECT_EQ(Analyze("graph\xFFneural \xE4\xB8 model\xC0\xAF" "s"),
            (Terms{"graph", "neural", "model", "s"}));
  EXPECT_EQ(Analyze("\xED\xA0\x80" "abc"), (Terms{"abc"}));  // surrogate
}

TEST(TextAnalyzerTest, RandomBytesNeverCrashAndGiveValidTerms) {
  auto analyzer = MakeAnalyzer();
  ASSERT_NE(analyzer, nullptr);
  std::mt19937 rng(12345);
  // Bytes drawn mostly from UTF-8 lead/continuation ranges and ASCII letters.
  const std::string alphabet =
      "ab z09.'-\xE4\xB8\xAD\xE6\x96\x87\x80\xBF\xC0\xC3\xE0\xED\xF0\xF4\xFF\xE3\x81\x82";
  size_t total_terms = 0;
  for (int round = 0; round < 2000; ++round) {
    std::string text(rng() % 64, ' ');
    for (auto& c : text) c = alphabet[rng() % alphabet.size()];
    Terms terms;
    analyzer->Analyze(text, &terms);
    total_terms += terms.size();
    for (const auto& t : terms) {
      ASSERT_FALSE(t.empty());
      ASSERT_TRUE(IsValidUtf8(t)) << "from input of " << text.size() << " bytes";
    }
  }
  EXPECT_GT(total_terms, 0u);
}

// ---------------------------------------------------------------- CJK

TEST(TextAnalyzerTest, ChineseIsSegmentedIntoWords) {
  const std::string text = "深度学习模型在医学图像分割中的应用";
  const Terms terms = Analyze(text);
  std::cout << "[ zh terms ] " << Join(terms) << "\n";
  ASSERT_GT(terms.size(), 1u);                      // not one term for the whole string
  EXPECT_LT(terms.size(), CodePoints(text));        // not one term per character
  const auto multi = std::count_if(terms.begin(), terms.end(),
                                   [](const std::string& t) { return CodePoints(t) >= 2; });
  EXPECT_GE(multi, 4);                              // 深度/学习/模型/医学/图像/分割/应用 ...
  std::string joined;
  for (const auto& t : terms) joined += t;
  // Only the particles 在/中/的 may go (they are words too, so nothing should).
  EXPECT_EQ(joined, text);
}

TEST(TextAnalyzerTest, ChineseQueryAndDocumentShareTerms) {
  const Terms doc = Analyze("深度学习模型在医学图像分割中的应用");
  const Terms query = Analyze("医学图像的自动分割方法");
  const auto shared = Shared(doc, query);
  EXPECT_GE(shared.size(), 2u) << "doc: " << Join(doc) << "\nquery: " << Join(query);
  const Terms unrelated = Analyze("股票市场价格波动预测");
  EXPECT_TRUE(Shared(doc, unrelated).empty()) << Join(unrelated);
}

TEST(TextAnalyzerTest, ChineseWordsAreNotStemmedOrStopped) {
  AnalyzerOptions raw;
  raw.stem = false;
  raw.stopwords = false;
  EXPECT_EQ(Analyze("神经网络", raw), Analyze("神经网络"));
}

TEST(TextAnalyzerTest, JapaneseProducesWords) {
  const std::string text = "深層学習による医用画像のセグメンテーション";
  const Terms terms = Analyze(text);
  std::cout << "[ ja terms ] " << Join(terms) << "\n";
  ASSERT_GT(terms.size(), 2u);
  EXPECT_LT(terms.size(), CodePoints(text));
  // The katakana loanword stays one word.
  EXPECT_NE(std::find(terms.begin(), terms.end(), "セグメンテーション"), terms.end());
  EXPECT_FALSE(Shared(terms, Analyze("医用画像の解析")).empty());
}

TEST(TextAnalyzerTest, KoreanProducesWords) {
  const Terms terms = Analyze("딥러닝을 이용한 의료 영상 분할");
  std::cout << "[ ko terms ] " << Join(terms) << "\n";
  ASSERT_GE(terms.size(), 4u);
  EXPECT_NE(std::find(terms.begin(), terms.end(), "의료"), terms.end());
  EXPECT_NE(std::find(terms.begin(), terms.end(), "영상"), terms.end());
}

TEST(TextAnalyzerTest, MixedChineseAndEnglish) {
  const Terms terms = Analyze("基于BERT的文本分类方法, using Transformers for ＮＬＰ");
  std::cout << "[ mixed terms ] " << Join(terms) << "\n";
  for (const char* expected : {"bert", "transform", "nlp", "文本", "分类"}) {
    EXPECT_NE(std::find(terms.begin(), terms.end(), expected), terms.end()) << expected;
  }
  EXPECT_EQ(std::find(terms.begin(), terms.end(), "for"), terms.end());  // stopword
}

}  // namespace
}  // namespace litrank
