// Tests for text/language: the script-based DetectLanguage.
#include "text/language.h"

#include <gtest/gtest.h>

#include <string>

namespace litrank {
namespace {

TEST(TextLanguageTest, English) {
  EXPECT_EQ(DetectLanguage("Deep learning for medical image segmentation: a review"), "en");
  EXPECT_EQ(DetectLanguage("CRISPR"), "en");
  EXPECT_EQ(DetectLanguage("Caf\xC3\xA9 na\xC3\xAFve r\xC3\xA9sum\xC3\xA9"), "en");  // Latin with accents
}

TEST(TextLanguageTest, Chinese) {
  EXPECT_EQ(DetectLanguage("深度学习模型在医学图像分割中的应用"), "zh");
  EXPECT_EQ(DetectLanguage("深度學習模型在醫學影像分割中的應用"), "zh");  // traditional
}

TEST(TextLanguageTest, Japanese) {
  EXPECT_EQ(DetectLanguage("深層学習による医用画像のセグメンテーション"), "ja");
  EXPECT_EQ(DetectLanguage("こんにちは"), "ja");
  EXPECT_EQ(DetectLanguage("データベース"), "ja");
}

TEST(TextLanguageTest, Korean) {
  EXPECT_EQ(DetectLanguage("딥러닝을 이용한 의료 영상 분할"), "ko");
  EXPECT_EQ(DetectLanguage("韓國 의료 영상 분할 연구"), "ko");  // a little Hanja stays Korean
}

TEST(TextLanguageTest, MixedTextFollowsTheDominantScript) {
  // Chinese with English terms: Han characters carry the text.
  EXPECT_EQ(DetectLanguage("基于BERT和Transformer的文本分类方法研究"), "zh");
  EXPECT_EQ(DetectLanguage("本文提出一种基于 convolutional neural network 的医学图像分割方法"), "zh");
  // English citing one Chinese term.
  EXPECT_EQ(DetectLanguage("We study the notion of guanxi (关系) in Chinese business networks "
                           "and its effect on trust between firms"),
            "en");
  // Japanese with English terms.
  EXPECT_EQ(DetectLanguage("BERTを用いた文書分類"), "ja");
}

TEST(TextLanguageTest, UndeterminedWithoutLettersOrForOtherScripts) {
  EXPECT_EQ(DetectLanguage(""), "und");
  EXPECT_EQ(DetectLanguage("12345 !!! -- 3.14"), "und");
  EXPECT_EQ(DetectLanguage("Глубокое обучение для сегментации изображений"), "und");
  EXPECT_EQ(DetectLanguage("التعلم العميق"), "und");
}

TEST(TextLanguageTest, IllFormedBytesAreSkipped) {
  EXPECT_EQ(DetectLanguage("\xFF\xFE\xC0"), "und");
  EXPECT_EQ(DetectLanguage("deep\xFF learning\xE4\xB8"), "en");
  EXPECT_EQ(DetectLanguage("\xFF深度学习\xC0"), "zh");
}

}  // namespace
}  // namespace litrank
