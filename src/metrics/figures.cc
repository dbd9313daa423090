#include "metrics/figures.h"

#include "metrics/wire.h"

namespace onair::metrics {

using contract::QoeEvent;
using contract::QoeType;

void Figures::Add(const QoeEvent& e, uint64_t session_hash) {
  switch (e.type) {
    case QoeType::kStart:
      ++starts;
      if (e.ttff_ms >= 0) vst_ms.Add(e.ttff_ms);
      break;
    case QoeType::kEnd:
      if (e.started == 0) {
        ++(e.fatal == 1 ? start_failures : exits_before_start);
      } else if (e.started == 1) {
        ++(e.fatal == 1 ? playback_failures : ended);
      }
      break;
    case QoeType::kHeartbeat:
      ++heartbeats;
      viewers.AddHash(session_hash);
      if (e.played_ms > 0) {
        played_ms += static_cast<uint64_t>(e.played_ms);
        if (e.bitrate > 0)
          bitrate_ms += static_cast<double>(e.bitrate) * static_cast<double>(e.played_ms);
        if (e.top == 1) top_ms += static_cast<uint64_t>(e.played_ms);
      }
      if (e.stalled_ms > 0) stalled_ms += static_cast<uint64_t>(e.stalled_ms);
      if (e.latency_ms >= 0) latency_ms.Add(static_cast<double>(e.latency_ms));
      break;
    case QoeType::kRebuffer:
      ++stalls;
      break;
    case QoeType::kError:
      ++errors;
      break;
    default:
      break;
  }
}

void Figures::Merge(const Figures& o) {
  starts += o.starts;
  start_failures += o.start_failures;
  exits_before_start += o.exits_before_start;
  playback_failures += o.playback_failures;
  ended += o.ended;
  heartbeats += o.heartbeats;
  played_ms += o.played_ms;
  stalled_ms += o.stalled_ms;
  top_ms += o.top_ms;
  bitrate_ms += o.bitrate_ms;
  stalls += o.stalls;
  errors += o.errors;
  vst_ms.Merge(o.vst_ms);
  latency_ms.Merge(o.latency_ms);
  viewers.Merge(o.viewers);
}

std::string Figures::Encode() const {
  WireWriter w;
  for (uint64_t v : {starts, start_failures, exits_before_start, playback_failures, ended,
                     heartbeats, played_ms, stalled_ms, top_ms, stalls, errors}) {
    w.Varint(v);
  }
  w.Double(bitrate_ms);
  w.Bytes(vst_ms.Encode());
  w.Bytes(latency_ms.Encode());
  w.Bytes(viewers.Encode());
  return w.Take();
}

StatusOr<Figures> Figures::Decode(std::string_view bytes) {
  WireReader r(bytes);
  Figures f;
  for (uint64_t* v :
       {&f.starts, &f.start_failures, &f.exits_before_start, &f.playback_failures, &f.ended,
        &f.heartbeats, &f.played_ms, &f.stalled_ms, &f.top_ms, &f.stalls, &f.errors}) {
    if (!r.Varint(v)) return InvalidArgument("figures: truncated");
  }
  std::string_view vst, latency, viewers;
  if (!r.Double(&f.bitrate_ms) || f.bitrate_ms < 0 || !r.Bytes(&vst) || !r.Bytes(&latency) ||
      !r.Bytes(&viewers)) {
    return InvalidArgument("figures: truncated or out of range");
  }
  if (!r.done()) return InvalidArgument("figures: trailing bytes");
  auto q1 = Quantiles::Decode(vst);
  if (!q1.ok()) return q1.status();
  auto q2 = Quantiles::Decode(latency);
  if (!q2.ok()) return q2.status();
  auto u = UniqueCount::Decode(viewers);
  if (!u.ok()) return u.status();
  f.vst_ms = std::move(*q1);
  f.latency_ms = std::move(*q2);
  f.viewers = std::move(*u);
  return f;
}

}  // namespace onair::metrics
