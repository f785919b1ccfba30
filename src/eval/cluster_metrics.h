// Agreement of a clustering with gold classes, with scikit-learn's conventions so
// figures compare with published ones: NMI (arithmetic-mean normalisation, natural
// log) and clustering accuracy (best one-to-one matching of clusters to classes,
// Hungarian algorithm).
#pragma once

#include <string>
#include <vector>

namespace litrank {

/// Normalised mutual information of two labelings of the same items:
/// MI(gold, predicted) / mean(H(gold), H(predicted)). 1 for identical
/// partitions (whatever the names), 1 when both have a single class, 0 for
/// independent ones and for empty input. Sizes must match (else 0).
double NormalizedMutualInformation(const std::vector<std::string>& gold, const std::vector<int>& predicted);

/// Share of items whose cluster maps to their class under the one-to-one
/// mapping of clusters to classes that maximises it (unmatched clusters count
/// as wrong). 0 for empty input or mismatched sizes.
double ClusteringAccuracy(const std::vector<std::string>& gold, const std::vector<int>& predicted);

}  // namespace litrank
