// Keyword networks: normalisation, association strength (hand-derived), Leiden
// communities, thesaurus files, and every export read back by a standard parser
// (igraph for GraphML and Pajek, libxml2 for GEXF).
#include <gtest/gtest.h>
#include <igraph/igraph.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <nlohmann/json.hpp>

#include "litrank/keywords.h"
#include "process_util.h"

namespace litrank {
namespace {

Document Doc(std::vector<std::string> keywords) {
  Document d;
  d.title = "t";
  d.abstract = "a";
  d.keywords = std::move(keywords);
  return d;
}

/// Two fields: machine learning (a, b, c) and agronomy (d, e, f, g), with case
/// and plural variants that must fold together, and a keyword full of XML
/// specials in two documents.
std::vector<Document> TwoFields() {
  return {Doc({"Deep learning", "Neural networks", "Transformer"}),
          Doc({"deep learning", "neural network", "CNN", "R&D <\"methods\">"}),
          Doc({"Deep Learning", "Transformer", "CNN", "R&D <\"methods\">"}),
          Doc({"Soil", "Nitrogen", "Crop yield"}),
          Doc({"soil", "nitrogen", "crop yields"}),
          Doc({"Soil", "Crop yield", "Fertilizer"}),
          Doc({"Fertilizer", "Nitrogen"})};
}

std::map<std::string, size_t> Index(const KeywordNetwork& net) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < net.nodes.size(); ++i) index[net.nodes[i].label] = i;
  return index;
}

const KeywordEdge* FindEdge(const KeywordNetwork& net, size_t a, size_t b) {
  for (const KeywordEdge& e : net.edges) {
    if ((e.a == a && e.b == b) || (e.a == b && e.b == a)) return &e;
  }
  return nullptr;
}

TEST(KeywordNetwork, FoldsVariantsCountsCooccurrencesAndAssociation) {
  StatusOr<KeywordNetwork> net = BuildKeywordNetwork(TwoFields(), KeywordNetworkOptions{});
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  auto ix = Index(*net);
  ASSERT_EQ(net->nodes.size(), 9u);  // 4 + 4 + the R&D keyword; plurals and case folded
  EXPECT_TRUE(ix.count("neural network") && ix.count("crop yield") && !ix.count("neural networks"));
  EXPECT_EQ(net->nodes[ix["soil"]].occurrences, 3u);
  // Agronomy by hand: soil–crop 3 (d, e, f), soil–nitrogen 2, nitrogen–crop 2,
  // soil–fertilizer 1, crop–fertilizer 1, fertilizer–nitrogen 1: soil's total
  // link strength 6, crop's 6. All co-occurrences: agronomy 10 + machine learning
  // (deep–neural 2, deep–transformer 2, deep–cnn 2, neural–transformer 1,
  // neural–cnn 1, transformer–cnn 1, R&D–deep 2, R&D–cnn 2, R&D–transformer 1,
  // R&D–neural 1) 15 = m = 25.
  const KeywordEdge* e = FindEdge(*net, ix["soil"], ix["crop yield"]);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->cooccurrences, 3u);
  EXPECT_EQ(net->nodes[ix["soil"]].total_link_strength, 6u);
  EXPECT_NEAR(e->association, 2.0 * 25 * 3 / (6.0 * 6.0), 1e-12);
  EXPECT_EQ(FindEdge(*net, ix["soil"], ix["deep learning"]), nullptr);
  // Two communities, one per field.
  EXPECT_EQ(net->clusters, 2);
  for (const char* k : {"crop yield", "nitrogen", "fertilizer"}) {
    EXPECT_EQ(net->nodes[ix[k]].cluster, net->nodes[ix["soil"]].cluster) << k;
  }
  for (const char* k : {"neural network", "transformer", "cnn"}) {
    EXPECT_EQ(net->nodes[ix[k]].cluster, net->nodes[ix["deep learning"]].cluster) << k;
  }
  EXPECT_NE(net->nodes[ix["soil"]].cluster, net->nodes[ix["deep learning"]].cluster);
  EXPECT_GT(net->modularity, 0.3);
  // Same seed, same network.
  StatusOr<KeywordNetwork> again = BuildKeywordNetwork(TwoFields(), KeywordNetworkOptions{});
  ASSERT_TRUE(again.ok());
  for (size_t i = 0; i < net->nodes.size(); ++i) {
    EXPECT_EQ(again->nodes[i].cluster, net->nodes[i].cluster);
    EXPECT_EQ(again->nodes[i].x, net->nodes[i].x);
  }
}

TEST(KeywordNetwork, ThesaurusReplacesAndDrops) {
  const std::string path = (std::filesystem::temp_directory_path() / ("litrank_thes_" + std::to_string(::getpid()))).string();
  std::ofstream(path) << "label\treplace by\nCNN\tconvolutional neural network\nR&D <\"methods\">\t\n";
  KeywordNetworkOptions o;
  ASSERT_TRUE(LoadThesaurus(path, &o.thesaurus).ok());
  StatusOr<KeywordNetwork> net = BuildKeywordNetwork(TwoFields(), o);
  ASSERT_TRUE(net.ok());
  auto ix = Index(*net);
  EXPECT_TRUE(ix.count("convolutional neural network"));
  EXPECT_FALSE(ix.count("cnn"));
  EXPECT_FALSE(ix.count("r&d <\"methods\">"));
  std::ofstream(path) << "label,replace by\ncnn,x\n";
  Status st = LoadThesaurus(path, &o.thesaurus);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find(":1:"), std::string::npos) << st.message();
  std::ofstream(path) << "label\treplace by\ncnn\tx\nno tab here\n";
  st = LoadThesaurus(path, &o.thesaurus);
  EXPECT_NE(st.message().find(":3:"), std::string::npos) << st.message();
  std::ofstream(path).close();
  EXPECT_EQ(LoadThesaurus(path, &o.thesaurus).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(LoadThesaurus(path + ".missing", &o.thesaurus).code(), Status::Code::kNotFound);
  std::filesystem::remove(path);
}

TEST(KeywordNetwork, WordsStandInWhenRecordsCarryNoKeywords) {
  std::vector<Document> docs;
  for (int i = 0; i < 6; ++i) {
    Document d;
    d.abstract = i < 3 ? "protein folding kinetics study" : "graphene transistor fabrication study";
    docs.push_back(d);
  }
  docs.push_back(Doc({}));  // one record with neither keywords nor extra words
  StatusOr<KeywordNetwork> net = BuildKeywordNetwork(docs, KeywordNetworkOptions{});
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  EXPECT_TRUE(net->from_text);
  auto ix = Index(*net);
  EXPECT_TRUE(ix.count("protein") && ix.count("graphene"));
  EXPECT_FALSE(ix.count("study")) << "a word in more than half the documents names nothing";
}

TEST(KeywordNetwork, BadInputIsAnError) {
  EXPECT_EQ(BuildKeywordNetwork({}, KeywordNetworkOptions{}).status().code(), Status::Code::kInvalidArgument);
  KeywordNetworkOptions o;
  o.min_occurrences = 100;
  const Status st = BuildKeywordNetwork(TwoFields(), o).status();
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("100 or more"), std::string::npos) << st.message();
}

// ---- exports read back -----------------------------------------------------

class KeywordExports : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("litrank_kw_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto net = BuildKeywordNetwork(TwoFields(), KeywordNetworkOptions{});
    ASSERT_TRUE(net.ok());
    net_ = std::move(*net);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const char* name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
  KeywordNetwork net_;
};

/// Vertex and edge counts of a file igraph reads.
std::pair<long, long> IgraphCounts(const std::string& path, bool graphml) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return {-1, -1};
  igraph_t g;
  const igraph_error_t rc = graphml ? igraph_read_graph_graphml(&g, f, 0) : igraph_read_graph_pajek(&g, f);
  std::fclose(f);
  if (rc != IGRAPH_SUCCESS) return {-2, -2};
  const std::pair<long, long> counts = {static_cast<long>(igraph_vcount(&g)), static_cast<long>(igraph_ecount(&g))};
  igraph_destroy(&g);
  return counts;
}

TEST_F(KeywordExports, GraphmlAndPajekRoundTripThroughIgraph) {
  ASSERT_TRUE(WriteGraphml(net_, Path("k.graphml")).ok());
  ASSERT_TRUE(WritePajek(net_, Path("k.net")).ok());
  const std::pair<long, long> expected = {static_cast<long>(net_.nodes.size()), static_cast<long>(net_.edges.size())};
  EXPECT_EQ(IgraphCounts(Path("k.graphml"), true), expected);
  EXPECT_EQ(IgraphCounts(Path("k.net"), false), expected);
}

TEST_F(KeywordExports, GexfIsWellFormedXmlWithEveryNodeAndEdge) {
  ASSERT_TRUE(WriteGexf(net_, Path("k.gexf")).ok());
  xmlDocPtr doc = xmlReadFile(Path("k.gexf").c_str(), nullptr, XML_PARSE_NONET | XML_PARSE_NOERROR);
  ASSERT_NE(doc, nullptr) << "GEXF does not parse";
  size_t nodes = 0, edges = 0;
  bool specials = false;
  std::function<void(xmlNodePtr)> walk = [&](xmlNodePtr n) {
    for (; n != nullptr; n = n->next) {
      if (n->type == XML_ELEMENT_NODE) {
        const std::string name = reinterpret_cast<const char*>(n->name);
        if (name == "node") {
          ++nodes;
          xmlChar* label = xmlGetProp(n, BAD_CAST "label");
          if (label != nullptr && std::string(reinterpret_cast<char*>(label)) == "r&d <\"methods\">") specials = true;
          xmlFree(label);
        }
        if (name == "edge") ++edges;
        walk(n->children);
      }
    }
  };
  walk(xmlDocGetRootElement(doc));
  xmlFreeDoc(doc);
  EXPECT_EQ(nodes, net_.nodes.size());
  EXPECT_EQ(edges, net_.edges.size());
  EXPECT_TRUE(specials) << "the label with & < \" > comes back intact";
}

TEST_F(KeywordExports, VosviewerFilesAndSvg) {
  ASSERT_TRUE(WriteVosviewer(net_, Path("v_map.txt"), Path("v_network.txt")).ok());
  std::ifstream map(Path("v_map.txt")), network(Path("v_network.txt"));
  std::string line;
  std::getline(map, line);
  EXPECT_EQ(line, "id\tlabel\tx\ty\tcluster\tweight<Links>\tweight<Total link strength>\tweight<Occurrences>");
  size_t rows = 0, links = 0;
  while (std::getline(map, line)) {
    ++rows;
    EXPECT_EQ(std::count(line.begin(), line.end(), '\t'), 7) << line;
  }
  while (std::getline(network, line)) ++links;
  EXPECT_EQ(rows, net_.nodes.size());
  EXPECT_EQ(links, net_.edges.size());
  StatusOr<std::string> svg = DrawKeywordNetworkSvg(net_);
  ASSERT_TRUE(svg.ok()) << svg.status().ToString();
  EXPECT_NE(svg->find("<svg"), std::string::npos);
  for (const KeywordNode& n : net_.nodes) {
    if (n.label.find('&') == std::string::npos) {
      EXPECT_NE(svg->find(">" + n.label + "<"), std::string::npos) << n.label;
    }
  }
  xmlDocPtr doc = xmlReadMemory(svg->data(), static_cast<int>(svg->size()), "k.svg", nullptr, XML_PARSE_NONET | XML_PARSE_NOERROR);
  EXPECT_NE(doc, nullptr) << "the SVG is not well-formed XML";
  xmlFreeDoc(doc);
}

TEST_F(KeywordExports, CliWritesEveryFileAndRefusesABadThesaurus) {
  std::ofstream out(Path("papers.jsonl"));
  for (const Document& d : TwoFields()) out << nlohmann::json{{"title", d.title}, {"abstract", d.abstract}, {"keywords", d.keywords}}.dump() << "\n";
  out.close();
  const std::string bin = LITRANK_BINARY;
  auto r = testing::RunCommand(bin + " keywords --docs " + Path("papers.jsonl") + " --graphml " + Path("k.graphml") +
                               " --gexf " + Path("k.gexf") + " --pajek " + Path("k.net") + " --vosviewer " +
                               Path("v") + " --svg " + Path("k.svg") + " --json " + Path("k.json"), true);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* f : {"k.graphml", "k.gexf", "k.net", "v_map.txt", "v_network.txt", "k.svg", "k.json"}) {
    EXPECT_TRUE(std::filesystem::file_size(Path(f)) > 0) << f;
  }
  std::ifstream in(Path("k.json"));
  const nlohmann::json j = nlohmann::json::parse(in);
  EXPECT_EQ(j["nodes"].size(), net_.nodes.size());
  EXPECT_EQ(j["clusters"], 2);
  std::ofstream(Path("bad.txt")) << "not a thesaurus\n";
  r = testing::RunCommand(bin + " keywords --docs " + Path("papers.jsonl") + " --thesaurus " + Path("bad.txt"), true);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("replace by"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace litrank
