// PDF: one record per file, read with MuPDF's structured text. MuPDF throws with
// setjmp/longjmp, so only MuPDF calls run inside fz_try; the C++ that walks the
// text runs outside it, on pages MuPDF has finished building.
#include <mupdf/fitz.h>

#include <algorithm>
#include <cstring>
#include <cctype>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ingest/json_util.h"
#include "ingest/readers.h"
#include "util/ascii.h"
#include "util/utf8.h"

namespace litrank::ingest {
namespace {

constexpr int kMaxPages = 2000;
constexpr size_t kMaxTextBytes = size_t{64} << 20;
constexpr size_t kAbstractStandIn = 4000;  // bytes of body used as the abstract when none is marked

struct Line {
  std::string text;
  float size = 0;  // largest glyph size on the line
  int page = 0;
};
using Block = std::vector<Line>;

void Quiet(void*, const char*) {}

/// The blocks of one page's structured text, lines in MuPDF's order.
void Walk(fz_stext_page* text, int page, std::vector<Block>* blocks, size_t* bytes) {
  for (fz_stext_block* b = text->first_block; b != nullptr; b = b->next) {
    if (b->type != FZ_STEXT_BLOCK_TEXT) continue;
    Block block;
    for (fz_stext_line* l = b->u.t.first_line; l != nullptr; l = l->next) {
      Line line;
      line.page = page;
      for (fz_stext_char* c = l->first_char; c != nullptr; c = c->next) {
        char utf8[FZ_UTFMAX];
        const int n = fz_runetochar(utf8, c->c);
        line.text.append(utf8, static_cast<size_t>(n));
        line.size = std::max(line.size, c->size);
      }
      const std::string_view trimmed = Trim(line.text);
      if (trimmed.empty()) continue;
      line.text = std::string(trimmed);
      *bytes += line.text.size();
      block.push_back(std::move(line));
    }
    if (!block.empty()) blocks->push_back(std::move(block));
  }
}

/// A block's lines as one paragraph: a line ending in a hyphen before a
/// lower-case letter is joined without it ("inter-\nval" → "interval").
std::string Paragraph(const Block& b) {
  std::string out;
  for (const Line& l : b) {
    if (!out.empty()) {
      if (out.back() == '-' && !l.text.empty() && std::islower(static_cast<unsigned char>(l.text[0]))) {
        out.pop_back();
      } else {
        out += ' ';
      }
    }
    out += l.text;
  }
  return out;
}

/// A section heading: short, no final period, and numbered ("2", "2.1", "II.")
/// or one of the usual names.
bool IsHeading(const std::string& p) {
  if (p.size() > 80 || p.empty() || p.back() == '.') return false;
  static const std::regex kNumbered(R"(^(\d+(\.\d+)*\.?|[IVX]+\.)\s+\S.*)");
  static const std::regex kNamed(
      R"(^(abstract|introduction|background|related work|methods?|materials and methods|results|discussion|conclusions?|acknowledge?ments?|references|bibliography|keywords|appendix)\s*:?$)",
      std::regex::icase);
  return std::regex_match(p, kNumbered) || std::regex_match(p, kNamed) || p == "摘要" || p == "参考文献" ||
         p == "引言" || p == "结论";
}

bool IsReferencesHeading(const std::string& p) {
  std::string lower = Lower(p);
  while (!lower.empty() && !std::isalpha(static_cast<unsigned char>(lower[0])) && (lower[0] & 0x80) == 0) lower.erase(0, 1);
  return lower == "references" || lower == "bibliography" || lower == "参考文献" || lower == "works cited";
}

/// "Abstract", "ABSTRACT:", "Abstract—", "摘要" at the start of a paragraph: the
/// length of that label (with what follows it), or 0.
size_t AbstractLabel(const std::string& p) {
  if (p.rfind("摘要", 0) == 0) return std::string("摘要").size();
  if (p.size() < 8 || Lower(p.substr(0, 8)) != "abstract") return 0;
  size_t at = 8;
  while (at < p.size() && (p[at] == ':' || p[at] == '.' || p[at] == ' ' || p[at] == '-')) ++at;
  if (p.compare(at, 3, "\xE2\x80\x94") == 0) at += 3;  // an em dash
  return at;
}

/// DOIs written in a reference string.
std::vector<std::string> Dois(const std::string& text) {
  // A line may wrap right after the prefix's slash ("10.1234/" + "brain.42").
  static const std::regex kWrapped(R"((10\.\d{4,9}/)\s+)");
  const std::string s = std::regex_replace(text, kWrapped, "$1");
  // Bounded: libstdc++'s regex recurses once per matched character.
  static const std::regex kDoi(R"(10\.\d{4,9}/[^\s,;]{1,200})");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), kDoi); it != std::sregex_iterator(); ++it) {
    std::string d = it->str();
    while (!d.empty() && (d.back() == '.' || d.back() == ')' || d.back() == ']')) d.pop_back();
    out.push_back(Lower(d));
  }
  return out;
}

/// Authors from the document information: split on ";", " and ", ",".
std::vector<std::string> SplitAuthors(const std::string& s) {
  std::string text;  // s with " and " and ';' turned into ','
  for (size_t i = 0; i < s.size();) {
    if (s.compare(i, 5, " and ") == 0) {
      text += ',';
      i += 5;
    } else {
      text += s[i] == ';' ? ',' : s[i];
      ++i;
    }
  }
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view name = Trim(std::string_view(text).substr(start, end - start));
    if (!name.empty()) out.emplace_back(name);
    start = end + 1;
  }
  return out;
}

/// Page `i` and its structured text (null when MuPDF cannot build it: a damaged
/// page is left out, the others are still read). The caller drops both.
fz_stext_page* LoadPageText(fz_context* ctx, fz_document* doc, int i, fz_page** page_out) {
  fz_page* volatile page = nullptr;
  fz_stext_page* volatile text = nullptr;
  fz_try(ctx) {
    page = fz_load_page(ctx, doc, i);
    text = fz_new_stext_page_from_page(ctx, page, nullptr);
  }
  fz_catch(ctx) {
    text = nullptr;
  }
  *page_out = page;
  return text;
}

/// Opens `path` and reads every page's text (and the title and author of the
/// document information). Errors, each naming the file: encrypted, unreadable.
Status ReadPages(const std::string& path, std::vector<Block>* blocks, std::string* title, std::string* author) {
  fz_context* ctx = fz_new_context(nullptr, nullptr, FZ_STORE_DEFAULT);
  if (ctx == nullptr) return Status::Internal("MuPDF could not start (out of memory?)");
  fz_set_warning_callback(ctx, Quiet, nullptr);
  fz_set_error_callback(ctx, Quiet, nullptr);
  fz_document* volatile doc = nullptr;
  volatile int pages = 0;
  volatile int locked = 0;
  char error[256] = "";
  char meta_title[1024] = "", meta_author[1024] = "";
  fz_try(ctx) {
    fz_register_document_handlers(ctx);
    doc = fz_open_document(ctx, path.c_str());
    if (fz_needs_password(ctx, doc) && !fz_authenticate_password(ctx, doc, "")) {
      locked = 1;
    } else {
      pages = fz_count_pages(ctx, doc);
      fz_lookup_metadata(ctx, doc, FZ_META_INFO_TITLE, meta_title, sizeof meta_title);
      fz_lookup_metadata(ctx, doc, FZ_META_INFO_AUTHOR, meta_author, sizeof meta_author);
    }
  }
  fz_catch(ctx) {
    fz_strlcpy(error, fz_caught_message(ctx), sizeof error);
  }
  Status st;
  if (error[0] != '\0') {
    st = Status::InvalidArgument(path + ": not a readable PDF (" + error + "); skipped");
  } else if (locked) {
    st = Status::InvalidArgument(path + ": the PDF is encrypted (it needs a password); skipped");
  } else {
    // MuPDF cuts long values at the buffer's end, perhaps inside a character.
    *title = std::string(meta_title, Utf8SafePrefix(meta_title, std::strlen(meta_title)));
    *author = std::string(meta_author, Utf8SafePrefix(meta_author, std::strlen(meta_author)));
    size_t bytes = 0;
    for (int i = 0; i < pages && i < kMaxPages && bytes < kMaxTextBytes; ++i) {
      fz_page* page = nullptr;
      fz_stext_page* text = LoadPageText(ctx, doc, i, &page);
      if (text != nullptr) Walk(text, i, blocks, &bytes);
      fz_drop_stext_page(ctx, text);
      fz_drop_page(ctx, page);
    }
  }
  fz_drop_document(ctx, doc);
  fz_drop_context(ctx);
  return st;
}

}  // namespace

Status ReadPdf(const std::string& path, RecordContext& ctx) {
  std::vector<Block> blocks;
  std::string meta_title, meta_author;
  LITRANK_RETURN_IF_ERROR(ReadPages(path, &blocks, &meta_title, &meta_author));
  if (blocks.empty()) {
    return Status::InvalidArgument(path + ": the PDF has no text layer (a scan? run OCR first); skipped");
  }
  Document doc;
  // Title: the document information's, else the largest type on the first page.
  // That block is skipped as body text either way when it is the title.
  size_t first_body = 0;
  std::string largest_block;
  size_t largest_at = 0;
  {
    float largest = 0;
    for (const Block& b : blocks) {
      if (b.front().page != 0) break;
      for (const Line& l : b) largest = std::max(largest, l.size);
    }
    for (size_t i = 0; i < blocks.size() && blocks[i].front().page == 0; ++i) {
      if (blocks[i].front().size >= largest - 0.01f) {
        largest_block = Paragraph(blocks[i]);
        largest_at = i;
        break;
      }
    }
  }
  doc.title = std::string(Trim(meta_title));
  const bool meta_title_usable =
      !doc.title.empty() && Lower(doc.title) != "untitled" && doc.title.find(".doc") == std::string::npos;
  bool title_from_page = false;
  if (!meta_title_usable) {
    doc.title = largest_block;
    title_from_page = !largest_block.empty();
  }
  if (!largest_block.empty() && (title_from_page || Lower(largest_block) == Lower(doc.title))) {
    first_body = largest_at + 1;
    title_from_page = true;
  }
  // Paragraphs; the abstract, sections and references by their headings.
  std::vector<std::string> paragraphs;
  for (size_t i = first_body; i < blocks.size(); ++i) paragraphs.push_back(Paragraph(blocks[i]));
  if (doc.authors.empty() && title_from_page && !paragraphs.empty() && paragraphs[0].size() < 200 &&
      !IsHeading(paragraphs[0]) &&
      AbstractLabel(paragraphs[0]) == 0 && paragraphs[0].find(',') != std::string::npos) {
    doc.authors = SplitAuthors(paragraphs[0]);  // a byline under the title
  }
  nlohmann::json sections = nlohmann::json::array();
  nlohmann::json reference_strings = nlohmann::json::array(), references = nlohmann::json::array();
  std::string body, abstract;
  bool in_abstract = false, in_references = false;
  std::string heading;
  std::string section_text;
  auto close_section = [&] {
    if (!heading.empty() || !section_text.empty()) sections.push_back({{"heading", heading}, {"text", section_text}});
    section_text.clear();
  };
  for (const std::string& p : paragraphs) {
    if (const size_t label = AbstractLabel(p); label > 0 && abstract.empty()) {
      in_abstract = true;
      const std::string rest(Trim(std::string_view(p).substr(label)));
      if (!rest.empty()) abstract = rest;
      continue;
    }
    if (IsHeading(p)) {
      in_abstract = false;
      close_section();
      heading = p;
      in_references = IsReferencesHeading(p);
      continue;
    }
    if (in_abstract) {
      if (!abstract.empty()) abstract += ' ';
      abstract += p;
      continue;
    }
    if (in_references) {
      reference_strings.push_back(p);
      for (const std::string& d : Dois(p)) references.push_back(d);
      continue;
    }
    if (!section_text.empty()) section_text += '\n';
    section_text += p;
    if (!body.empty()) body += '\n';
    body += p;
  }
  close_section();
  // Without an abstract heading, the opening of the body stands in (the whole body is in full_text).
  doc.abstract = abstract.empty() ? body.substr(0, Utf8SafePrefix(body, kAbstractStandIn)) : abstract;
  // The paper's own DOI: the first one printed before the references.
  for (const std::string& p : paragraphs) {
    if (IsReferencesHeading(p)) break;
    if (std::vector<std::string> d = Dois(p); !d.empty()) {
      doc.doi = d.front();
      break;
    }
  }
  doc.id = std::filesystem::path(path).filename().string();
  nlohmann::json extra = nlohmann::json::object();
  extra["pages_with_text"] = blocks.back().front().page + 1;
  extra["sections"] = std::move(sections);
  if (!reference_strings.empty()) extra["reference_strings"] = std::move(reference_strings);
  if (!references.empty()) extra["references"] = std::move(references);
  extra["full_text"] = body;
  extra["abstract_detected"] = !abstract.empty();
  doc.extra_json = DumpJson(extra);
  return ctx.Emit(std::move(doc), 1);
}

}  // namespace litrank::ingest
