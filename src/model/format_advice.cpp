#include "ggml-cpu.h"
#include "litrank/model_info.h"

namespace litrank {

FormatAdvice RecommendedCpuWeightFormat() {
  if (ggml_cpu_has_avx512_bf16() || ggml_cpu_has_amx_int8()) {
    return {"BF16", "this CPU multiplies bf16 natively: BF16 is the model's own precision (lossless) and the fastest"};
  }
  return {"Q8_0", "this CPU has no native bf16 matrix instructions: Q8_0 is near-lossless, at least as fast as BF16 here "
                  "and half its size (Q4_K_M/Q4_0 can be faster but lose some quality)"};
}

}  // namespace litrank
