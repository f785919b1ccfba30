// PubMed/MEDLINE XML (efetch output, baseline and update files), streamed
// with libxml2's xmlTextReader: each <PubmedArticle> subtree is expanded,
// mapped and dropped, so memory holds one article.
//
// Hostile files: no DTD is loaded (the DOCTYPE's URL is never fetched), no
// network, entities are never substituted, and a file whose prolog declares
// anything (an internal DTD subset: <!ENTITY ...>, the "billion laughs") is
// refused before libxml2 parses it; libxml2's own limits stay on (no
// XML_PARSE_HUGE: 10 MB text nodes, its entity amplification check), and
// elements may nest kMaxXmlDepth deep.
#include <libxml/xmlreader.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <utility>

#include "ingest/json_util.h"
#include "ingest/readers.h"

namespace litrank::ingest {
namespace {

bool Is(const xmlNode* n, const char* name) {
  return n != nullptr && n->type == XML_ELEMENT_NODE && std::strcmp(reinterpret_cast<const char*>(n->name), name) == 0;
}

// First child element called `name`, or nullptr.
const xmlNode* Child(const xmlNode* n, const char* name) {
  for (const xmlNode* c = n != nullptr ? n->children : nullptr; c != nullptr; c = c->next) {
    if (Is(c, name)) return c;
  }
  return nullptr;
}

// Follows a path of child names ("Article/Journal/Title").
const xmlNode* Path(const xmlNode* n, std::initializer_list<const char*> names) {
  for (const char* name : names) n = Child(n, name);
  return n;
}

// All text inside `n` (inline markup like <i> and <sup> flattened); "" for null.
std::string Text(const xmlNode* n) {
  if (n == nullptr) return "";
  xmlChar* content = xmlNodeGetContent(n);
  std::string out = content != nullptr ? reinterpret_cast<const char*>(content) : "";
  xmlFree(content);
  return out;
}

std::string Attr(const xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  std::string out = v != nullptr ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return out;
}

// Calls fn(child) for every child element of `n` called `name`.
template <typename Fn>
void ForEach(const xmlNode* n, const char* name, Fn&& fn) {
  for (const xmlNode* c = n != nullptr ? n->children : nullptr; c != nullptr; c = c->next) {
    if (Is(c, name)) fn(c);
  }
}

// Abstract sections joined, labelled ones as "LABEL: text".
std::string AbstractText(const xmlNode* abstract) {
  std::string out;
  ForEach(abstract, "AbstractText", [&](const xmlNode* t) {
    const std::string label = Attr(t, "Label");
    const std::string text = Text(t);
    if (!out.empty()) out += ' ';
    out += label.empty() ? text : label + ": " + text;
  });
  return out;
}

// Maps a <MedlineCitation> (and the <PubmedData> beside it, may be null).
Document MapCitation(const xmlNode* citation, const xmlNode* pubmed_data) {
  Document doc;
  doc.id = Text(Child(citation, "PMID"));
  const xmlNode* article = Child(citation, "Article");
  doc.title = Text(Child(article, "ArticleTitle"));
  if (doc.title.empty()) doc.title = Text(Child(article, "VernacularTitle"));
  doc.abstract = AbstractText(Child(article, "Abstract"));
  const xmlNode* journal = Child(article, "Journal");
  const xmlNode* pub_date = Path(journal, {"JournalIssue", "PubDate"});
  doc.year = ParseYear(Text(Child(pub_date, "Year")));
  if (doc.year == 0) doc.year = ParseYear(Text(Child(pub_date, "MedlineDate")));
  if (doc.year == 0) doc.year = ParseYear(Text(Path(article, {"ArticleDate", "Year"})));
  doc.venue = Text(Child(journal, "Title"));
  ForEach(Child(article, "AuthorList"), "Author", [&](const xmlNode* a) {
    if (const xmlNode* collective = Child(a, "CollectiveName")) return doc.authors.push_back(Text(collective));
    std::string name = Text(Child(a, "LastName"));
    std::string given = Text(Child(a, "ForeName"));
    if (given.empty()) given = Text(Child(a, "Initials"));
    if (!given.empty()) name += (name.empty() ? "" : ", ") + given;
    doc.authors.push_back(std::move(name));
  });
  ForEach(article, "ELocationID", [&](const xmlNode* e) {
    if (doc.doi.empty() && Attr(e, "EIdType") == "doi") doc.doi = Text(e);
  });
  ForEach(Child(pubmed_data, "ArticleIdList"), "ArticleId", [&](const xmlNode* e) {
    if (doc.doi.empty() && Attr(e, "IdType") == "doi") doc.doi = Text(e);
  });
  ForEach(citation, "KeywordList", [&](const xmlNode* list) {
    ForEach(list, "Keyword", [&](const xmlNode* k) { doc.keywords.push_back(Text(k)); });
  });
  nlohmann::json mesh = nlohmann::json::array();
  ForEach(Child(citation, "MeshHeadingList"), "MeshHeading", [&](const xmlNode* h) {
    const std::string descriptor = Text(Child(h, "DescriptorName"));
    doc.keywords.push_back(descriptor);
    mesh.push_back(descriptor);
  });
  doc.language = Text(Child(article, "Language"));
  nlohmann::json extra = nlohmann::json::object();
  if (!mesh.empty()) extra["mesh"] = std::move(mesh);
  nlohmann::json types = nlohmann::json::array();
  ForEach(Child(article, "PublicationTypeList"), "PublicationType",
          [&](const xmlNode* t) { types.push_back(Text(t)); });
  if (!types.empty()) extra["publication_types"] = std::move(types);
  // Cited works (PubMed Central's reference lists): their PMIDs, else DOIs.
  nlohmann::json references = nlohmann::json::array();
  ForEach(Child(pubmed_data, "ReferenceList"), "Reference", [&](const xmlNode* r) {
    std::string pmid, doi;
    ForEach(Child(r, "ArticleIdList"), "ArticleId", [&](const xmlNode* e) {
      const std::string type = Attr(e, "IdType");
      if (type == "pubmed" && pmid.empty()) pmid = Text(e);
      if (type == "doi" && doi.empty()) doi = Text(e);
    });
    if (!pmid.empty() || !doi.empty()) references.push_back(pmid.empty() ? doi : pmid);
  });
  if (!references.empty()) extra["references"] = std::move(references);
  doc.extra_json = DumpJson(extra);
  return doc;
}

// Collects libxml2's messages for the reader; keeps the first error.
struct ErrorSink {
  std::string message;
  int line = 0;
  static void Handle(void* arg, const char* msg, xmlParserSeverities severity, xmlTextReaderLocatorPtr loc) {
    auto* self = static_cast<ErrorSink*>(arg);
    if (!self->message.empty() || severity == XML_PARSER_SEVERITY_WARNING ||
        severity == XML_PARSER_SEVERITY_VALIDITY_WARNING) {
      return;
    }
    self->message = msg != nullptr ? msg : "unknown error";
    while (!self->message.empty() && (self->message.back() == '\n' || self->message.back() == ' ')) {
      self->message.pop_back();
    }
    self->line = xmlTextReaderLocatorLineNumber(loc);
  }
};

using ReaderPtr = std::unique_ptr<xmlTextReader, decltype(&xmlFreeTextReader)>;

// PubMed nests elements about 8 deep; anything near this is not PubMed.
constexpr int kMaxXmlDepth = 64;
// The prolog (XML declaration, DOCTYPE, comments) must end within this many bytes.
constexpr size_t kMaxPrologBytes = 64u << 10;

// Refuses a prolog with an internal DTD subset ("<!DOCTYPE x [ ... ]>"), where
// entities are declared; PubMed's DOCTYPE names an external DTD only.
Status CheckProlog(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot open " + path);
  std::string head(kMaxPrologBytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  if (head.find('\0') != std::string::npos) {  // UTF-16/32 would hide declarations from the scan below
    return Status::InvalidArgument(path + ": not UTF-8 XML (PubMed XML is UTF-8)");
  }
  // The root element starts at the first '<' that opens neither "<?" nor "<!".
  size_t root = std::string::npos;
  for (size_t at = head.find('<'); at != std::string::npos; at = head.find('<', at + 1)) {
    if (at + 1 < head.size() && head[at + 1] != '?' && head[at + 1] != '!') {
      root = at;
      break;
    }
  }
  const std::string_view prolog = std::string_view(head).substr(0, root);
  const size_t doctype = prolog.find("<!DOCTYPE");
  if (prolog.find("<!ENTITY") != std::string_view::npos ||
      (doctype != std::string_view::npos && prolog.find('[', doctype) != std::string_view::npos)) {
    return Status::InvalidArgument(path + ": the XML declares a DTD of its own (<!DOCTYPE ... [ ... ]>, e.g. entities); "
                                   "PubMed XML has none, and such files are refused (entity expansion attacks)");
  }
  if (root == std::string::npos && head.size() == kMaxPrologBytes) {
    return Status::InvalidArgument(path + ": no root element in the first 64 KiB; not PubMed XML");
  }
  return Status::Ok();
}

}  // namespace

Status ReadPubmedXml(const std::string& path, ProgressMeter& meter, RecordContext& ctx) {
  LITRANK_RETURN_IF_ERROR(CheckProlog(path));
  // No XML_PARSE_NOENT / DTDLOAD / DTDATTR / XINCLUDE / HUGE: see the top of the file.
  ReaderPtr reader(xmlReaderForFile(path.c_str(), nullptr, XML_PARSE_NONET), xmlFreeTextReader);
  if (!reader) return Status::IOError("cannot open " + path + " as XML");
  ErrorSink errors;
  xmlTextReaderSetErrorHandler(reader.get(), &ErrorSink::Handle, &errors);
  bool seen_root = false;
  int ret = xmlTextReaderRead(reader.get());
  while (ret == 1) {
    const int type = xmlTextReaderNodeType(reader.get());
    if (type == XML_READER_TYPE_ENTITY_REFERENCE || type == XML_READER_TYPE_ENTITY) {
      return Status::InvalidArgument(path + ": the XML uses entities of its own; they are not expanded");
    }
    if (xmlTextReaderDepth(reader.get()) > kMaxXmlDepth) {
      return Status::InvalidArgument(path + ": elements nested deeper than " + std::to_string(kMaxXmlDepth) +
                                     " levels; not PubMed XML");
    }
    if (type != XML_READER_TYPE_ELEMENT) {
      ret = xmlTextReaderRead(reader.get());
      continue;
    }
    const std::string name = reinterpret_cast<const char*>(xmlTextReaderConstLocalName(reader.get()));
    if (!seen_root) {
      seen_root = true;
      if (name != "PubmedArticleSet" && name != "MedlineCitationSet" && name != "PubmedArticle") {
        return Status::Corruption(path + " is not PubMed XML: root element is <" + name + ">");
      }
    }
    if (name != "PubmedArticle" && name != "MedlineCitation" && name != "PubmedBookArticle") {
      ret = xmlTextReaderRead(reader.get());
      continue;
    }
    const xmlNode* node = xmlTextReaderExpand(reader.get());
    if (node == nullptr) {  // malformed inside the article: reported below
      ret = -1;
      break;
    }
    const size_t line = static_cast<size_t>(xmlGetLineNo(node));
    if (name == "PubmedBookArticle") {
      ctx.Skip(line, "PubmedBookArticle (book chapters) not supported");
    } else {
      const bool wrapped = name == "PubmedArticle";
      Document doc = MapCitation(wrapped ? Child(node, "MedlineCitation") : node,
                                 wrapped ? Child(node, "PubmedData") : nullptr);
      LITRANK_RETURN_IF_ERROR(ctx.Emit(std::move(doc), line));
    }
    meter.Update(static_cast<uint64_t>(xmlTextReaderByteConsumed(reader.get())));
    ret = xmlTextReaderNext(reader.get());  // past the subtree; the article is freed
  }
  if (ret < 0 || !errors.message.empty()) {
    const std::string what = errors.message.empty() ? "malformed XML" : errors.message;
    return Status::Corruption(ctx.Where(static_cast<size_t>(errors.line)) + "malformed XML, reading stopped: " + what);
  }
  if (!seen_root) return Status::Corruption(path + " is not PubMed XML: no root element");
  return Status::Ok();
}

}  // namespace litrank::ingest
