#include "screen/linear_model.h"

#include <linear.h>

#include <mutex>

namespace litrank::screen {
namespace {

void Quiet(const char*) {}

}  // namespace

struct LinearTrainer::Impl {
  std::vector<feature_node> nodes;
  std::vector<size_t> start;  // row r's nodes begin at nodes[start[r]]
  int n = 0;                  // features + the bias feature
};

LinearTrainer::LinearTrainer(const SparseRows& x) : impl_(new Impl) {
  static std::once_flag quiet;
  std::call_once(quiet, [] { set_print_string_function(&Quiet); });
  impl_->n = static_cast<int>(x.dims) + 1;
  impl_->nodes.reserve(x.cols.size() + 2 * x.rows());
  for (size_t r = 0; r < x.rows(); ++r) {
    impl_->start.push_back(impl_->nodes.size());
    for (size_t i = x.offsets[r]; i < x.offsets[r + 1]; ++i) {
      impl_->nodes.push_back({static_cast<int>(x.cols[i]) + 1, x.vals[i]});
    }
    impl_->nodes.push_back({impl_->n, 1.0});  // bias feature (as intercept_scaling=1)
    impl_->nodes.push_back({-1, 0});
  }
}

LinearTrainer::~LinearTrainer() { delete impl_; }

StatusOr<LinearModel> LinearTrainer::Train(const std::vector<uint32_t>& rows,
                                           const std::vector<bool>& relevant,
                                           const LinearOptions& options) const {
  if (rows.size() != relevant.size()) return Status::InvalidArgument("rows and labels differ in length");
  size_t positives = 0;
  for (bool r : relevant) positives += r ? 1 : 0;
  if (positives == 0 || positives == rows.size()) {
    return Status::InvalidArgument("training needs at least one relevant and one irrelevant record");
  }
  std::vector<double> y(rows.size());
  std::vector<feature_node*> xs(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i] >= impl_->start.size()) return Status::InvalidArgument("row out of range");
    y[i] = relevant[i] ? 1 : -1;
    xs[i] = &impl_->nodes[impl_->start[rows[i]]];
  }
  problem prob{};
  prob.l = static_cast<int>(rows.size());
  prob.n = impl_->n;
  prob.y = y.data();
  prob.x = xs.data();
  prob.bias = -1;  // the bias feature is already in every row

  int weight_label[2] = {1, -1};
  const double total = static_cast<double>(rows.size());
  double weight[2] = {1, 1};
  if (options.balanced) {
    weight[0] = total / (2.0 * positives);
    weight[1] = total / (2.0 * (rows.size() - positives));
  }
  parameter param{};
  param.solver_type = options.learner == Learner::kSvm ? L2R_L2LOSS_SVC_DUAL : L2R_LR_DUAL;
  param.C = options.c;
  param.eps = options.eps;
  param.nr_weight = 2;
  param.weight_label = weight_label;
  param.weight = weight;
  if (const char* err = check_parameter(&prob, &param)) return Status::InvalidArgument(err);

  model* m = train(&prob, &param);
  if (m == nullptr) return Status::Internal("liblinear could not train");
  // liblinear's decision value is for its first label, the first one it saw.
  const double sign = m->label[0] == 1 ? 1.0 : -1.0;
  LinearModel out;
  out.w.resize(impl_->n - 1);
  for (int j = 0; j < impl_->n - 1; ++j) out.w[j] = sign * m->w[j];
  out.bias = sign * m->w[impl_->n - 1];
  free_and_destroy_model(&m);
  return out;
}

}  // namespace litrank::screen
