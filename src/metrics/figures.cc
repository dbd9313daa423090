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

namespace {

// The counters, in their order on the wire; Merge adds them, Encode and Decode walk them.
constexpr uint64_t Figures::*kCounters[] = {&Figures::starts,
                                            &Figures::start_failures,
                                            &Figures::exits_before_start,
                                            &Figures::playback_failures,
                                            &Figures::ended,
                                            &Figures::heartbeats,
                                            &Figures::played_ms,
                                            &Figures::stalled_ms,
                                            &Figures::top_ms,
                                            &Figures::stalls,
                                            &Figures::errors};

}  // namespace

void Figures::Merge(const Figures& o, bool with_viewers) {
  for (uint64_t Figures::*c : kCounters) this->*c += o.*c;
  bitrate_ms += o.bitrate_ms;
  vst_ms.Merge(o.vst_ms);
  latency_ms.Merge(o.latency_ms);
  if (with_viewers) viewers.Merge(o.viewers);
}

bool Figures::empty() const {
  for (uint64_t Figures::*c : kCounters) {
    if (this->*c) return false;
  }
  return vst_ms.empty() && latency_ms.empty() && viewers.empty();
}

std::string Figures::Encode() const {
  WireWriter w;
  for (uint64_t Figures::*c : kCounters) w.Varint(this->*c);
  w.Double(bitrate_ms);
  w.Bytes(vst_ms.Encode());
  w.Bytes(latency_ms.Encode());
  w.Bytes(viewers.Encode());
  return w.Take();
}

StatusOr<Figures> Figures::Decode(std::string_view bytes) {
  WireReader r(bytes);
  Figures f;
  for (uint64_t Figures::*c : kCounters) {
    if (!r.Varint(&(f.*c))) return InvalidArgument("figures: truncated");
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
