// Vectors in the corpus file besides the document embeddings: saved vector index
// snapshots (a header row per (model, dims) and the bytes in chunks of at most
// kVectorIndexChunkBytes) and the embeddings of long documents' passages.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "litrank/corpus.h"
#include "store/sql.h"

namespace litrank {

/// Reads the snapshot for (model, dims), checking that every chunk is present and
/// that their sizes add up to the recorded total (else Corruption).
StatusOr<std::optional<Corpus::SavedIndex>> ReadVectorSnapshot(sql::Db& db, const std::string& model,
                                                               uint32_t dims, bool with_data);
/// Replaces the snapshot for (model, dims) in one transaction, in chunks of at
/// most `chunk_bytes`.
Status WriteVectorSnapshot(sql::Db& db, const std::string& model, uint32_t dims, const Corpus::SavedIndex& index,
                           size_t chunk_bytes);

/// Corpus::PutPassageEmbeddings: deletes the model's rows of every document in
/// `passages`, then inserts them, in one transaction; a document whose windows are
/// no longer those of lex_passages (its text changed meanwhile) gets none.
Status WritePassageEmbeddings(sql::Db& db, const std::string& model, uint32_t dims,
                              const std::vector<StoredPassage>& passages, const std::vector<float>& vectors);
/// Corpus::ScanPassageEmbeddings; Corruption for a vector of the wrong size.
Status ReadPassageEmbeddings(sql::Db& db, const std::string& model,
                             const std::function<void(const StoredPassage&, const float*, uint32_t)>& fn);

}  // namespace litrank
