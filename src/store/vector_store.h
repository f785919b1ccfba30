// Saved vector index snapshots in the corpus file: a header row per (model,
// dims) and the bytes in chunks of at most kVectorIndexChunkBytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "litrank/corpus.h"
#include "store/sqlite.h"

namespace litrank {

/// Reads the snapshot for (model, dims), checking that every chunk is present and
/// that their sizes add up to the recorded total (else Corruption).
StatusOr<std::optional<Corpus::SavedIndex>> ReadVectorSnapshot(sql::Db& db, const std::string& model,
                                                               uint32_t dims, bool with_data);
/// Replaces the snapshot for (model, dims) in one transaction, in chunks of at
/// most `chunk_bytes`.
Status WriteVectorSnapshot(sql::Db& db, const std::string& model, uint32_t dims, const Corpus::SavedIndex& index,
                           size_t chunk_bytes);

}  // namespace litrank
