// ReadCollectionDocuments: rowids (all, or a project's included) → documents.
#include "analysis/collection_documents.h"

#include "litrank/screening.h"

namespace litrank::analysis {

Status ReadCollectionDocuments(Corpus& corpus, const std::string& db_path, const std::string& project,
                               std::vector<Document>* docs, std::vector<std::string>* ids,
                               std::vector<int64_t>* rowids_out) {
  std::vector<int64_t> rowids;
  if (project.empty()) {
    LITRANK_RETURN_IF_ERROR(corpus.FilterRowids(DocumentFilter{}, &rowids));
  } else {
    auto p = ScreeningProject::Open(db_path, project);
    if (!p.ok()) return p.status();
    LITRANK_RETURN_IF_ERROR((*p)->Decided(ScreenDecision::kInclude, &rowids));
    if (rowids.empty()) return Status::InvalidArgument("screening project " + project + " has no included records yet");
  }
  std::vector<StoredDocument> stored;
  LITRANK_RETURN_IF_ERROR(corpus.GetMany(rowids, &stored));
  for (StoredDocument& d : stored) {
    ids->push_back(d.doc.id.empty() ? std::to_string(d.rowid) : d.doc.id);
    if (rowids_out != nullptr) rowids_out->push_back(d.rowid);
    docs->push_back(std::move(d.doc));
  }
  return Status::Ok();
}

}  // namespace litrank::analysis
