// Every message that crosses a process boundary (src/contract/): any bytes give a value whose
// fields are inside their documented ranges, or a clear error; a value read and written again
// reads back the same.
#include <cstdint>
#include <string>

#include "contract/device.h"
#include "contract/edge_registration.h"
#include "contract/edge_status.h"
#include "contract/error.h"
#include "contract/faults.h"
#include "contract/qoe.h"
#include "contract/steering.h"
#include "core/event_config.h"
#include "fuzz_check.h"

using namespace onair::contract;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (auto b = ParseQoeBatch(text); b.ok()) {
    FUZZ_CHECK(!b->session.empty() && onair::IsSafeName(b->event));
    FUZZ_CHECK(b->events.size() <= kMaxEventsPerBatch);
    for (const QoeEvent& e : b->events) FUZZ_CHECK(e.ttff_ms <= 3'600'000);
    FUZZ_CHECK(ParseQoeBatch(WriteQoeBatch(*b)).ok());
  } else {
    FUZZ_CHECK(!b.status().message().empty());
  }
  if (auto d = ParseDevice(text); d.ok()) {
    FUZZ_CHECK(!d->id.empty() && d->id.size() <= 128 && d->max_bitrate >= 0);
    FUZZ_CHECK(WriteDevice(*ParseDevice(WriteDevice(*d))) == WriteDevice(*d));
  }
  if (auto s = ParseEdgeStatus(text); s.ok()) {
    FUZZ_CHECK(s->connections >= 0 && s->egress_bps >= 0 && s->cache_hit_ratio >= 0 &&
               s->cache_hit_ratio <= 1 && !s->state.empty());
    FUZZ_CHECK(ParseEdgeStatus(WriteEdgeStatus(*s)).ok());
  }
  if (auto r = ParseEdgeRegistration(text); r.ok()) {
    FUZZ_CHECK(!r->base_url.empty() && r->base_url.back() != '/' && r->max_connections >= 0);
    FUZZ_CHECK(ParseEdgeRegistration(WriteEdgeRegistration(*r)).ok());
  }
  if (auto s = ParseSteering(text); s.ok()) {
    FUZZ_CHECK(s->ttl_s >= 1 && s->ttl_s <= 3600 && s->cap_max_bitrate >= 0);
    FUZZ_CHECK(ParseSteering(WriteSteering(*s)).ok());
  }
  if (auto f = ParseFaults(text); f.ok()) {
    FUZZ_CHECK(f->size() <= 64);
    for (const FaultSpec& r : *f) FUZZ_CHECK(r.share > 0 && r.share <= 1);
    FUZZ_CHECK(WriteFaults(*ParseFaults(WriteFaults(*f))) == WriteFaults(*f));
  }
  (void)ReadError(text);
  FUZZ_CHECK(ReadError(WriteError(text)).ok());
  return 0;
}
