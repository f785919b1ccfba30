// The documents a map-of-the-field step reads from a collection: all of them,
// or the records a screening project included. Shared by the CLI and the server.
#pragma once

#include <string>
#include <vector>

#include "litrank/corpus.h"
#include "litrank/document.h"
#include "litrank/status.h"

namespace litrank::analysis {

/// Appends to *docs the collection's documents (by rowid), or with `project`
/// only those the screening project of the collection file `db_path` included
/// (in screening order); ids[i] is docs[i]'s source id, else its rowid;
/// `rowids_out` (may be null) gets each document's rowid.
/// Errors: NotFound (an unknown project), InvalidArgument (a project with no
/// included record), the store's.
Status ReadCollectionDocuments(Corpus& corpus, const std::string& db_path, const std::string& project,
                               std::vector<Document>* docs, std::vector<std::string>* ids,
                               std::vector<int64_t>* rowids_out = nullptr);

}  // namespace litrank::analysis
