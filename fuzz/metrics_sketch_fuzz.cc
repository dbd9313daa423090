// The metrics service's sketches and per-second figures as collectors send them to the
// aggregator (over NATS): any bytes decode to a value that answers, merges and encodes to
// bytes that decode the same, or to a clear error.
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "metrics/figures.h"
#include "metrics/quantiles.h"
#include "metrics/unique.h"

using onair::metrics::Figures;
using onair::metrics::Quantiles;
using onair::metrics::UniqueCount;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  if (auto q = Quantiles::Decode(bytes); q.ok()) {
    const double p50 = q->Quantile(0.5), p99 = q->Quantile(0.99);
    FUZZ_CHECK(p50 >= 0 && p50 <= p99 && p99 <= Quantiles::kMaxValue);
    auto again = Quantiles::Decode(q->Encode());
    FUZZ_CHECK(again.ok() && again->SameAs(*q));
    Quantiles twice = *q;
    twice.Merge(*q);
    FUZZ_CHECK(twice.Quantile(0.5) >= 0 && twice.max() == q->max());
  } else {
    FUZZ_CHECK(!q.status().message().empty());
  }
  if (auto u = UniqueCount::Decode(bytes); u.ok()) {
    auto again = UniqueCount::Decode(u->Encode());
    FUZZ_CHECK(again.ok() && again->Estimate() == u->Estimate());
    UniqueCount twice = *u;
    twice.Merge(*u);
    FUZZ_CHECK(twice.Estimate() == u->Estimate());
  } else {
    FUZZ_CHECK(!u.status().message().empty());
  }
  if (auto f = Figures::Decode(bytes); f.ok()) {
    auto again = Figures::Decode(f->Encode());
    FUZZ_CHECK(again.ok() && again->Encode() == f->Encode());
    Figures twice = *f;
    twice.Merge(*f);
    FUZZ_CHECK(twice.viewers.Estimate() == f->viewers.Estimate());
  } else {
    FUZZ_CHECK(!f.status().message().empty());
  }
  return 0;
}
