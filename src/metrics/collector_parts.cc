// The wire form of a collector's seconds (Collector::Drain, Collector::Absorb): what the
// collectors publish to NATS and the aggregator merges (docs/metrics.md, "Collectors and the
// aggregator").
//
// A part: 'C', version 1, the event's name, the QoE events its figures came from, the number
// of entries, then the entries, each one slice of one second: the second (zigzag), a slot (0 the
// event's total, 1-5 a dimension, 6 an error kind), the slice's name (empty for the total) and
// its value, length first (Figures::Encode, or an error kind's count as a varint). Each entry
// merges on its own, so a part splits between any two.
#include <simdjson.h>

#include <algorithm>

#include "core/event_config.h"
#include "metrics/collector.h"
#include "metrics/wire.h"

namespace onair::metrics {

namespace {

constexpr char kMagic = 'C';
constexpr char kVersion = 1;
constexpr uint64_t kTotal = 0;
constexpr uint64_t kErrorKind = kDimensions + 1;
constexpr size_t kMostName = 1024;

struct Entry {
  int64_t second = 0;
  uint64_t slot = 0;
  std::string_view name;
  Figures figures;     // slots 0..kDimensions
  uint64_t count = 0;  // kErrorKind
};

class PartWriter {
 public:
  PartWriter(std::vector<std::string>* out, const std::string& event, uint64_t events,
             size_t max_bytes)
      : out_(out), event_(event), events_(events), max_bytes_(max_bytes) {}
  ~PartWriter() { Flush(); }

  void Entry(int64_t second, uint64_t slot, std::string_view name, std::string_view value) {
    WireWriter w;
    w.Signed(second);
    w.Varint(slot);
    w.Bytes(name);
    w.Bytes(value);
    const std::string entry = w.Take();
    if (!body_.empty() && body_.size() + entry.size() > max_bytes_) Flush();
    body_ += entry;
    ++entries_;
  }

 private:
  void Flush() {
    if (body_.empty()) return;
    WireWriter w;
    w.Raw(std::string_view(&kMagic, 1));
    w.Raw(std::string_view(&kVersion, 1));
    w.Bytes(event_);
    w.Varint(events_);
    w.Varint(entries_);
    w.Raw(body_);
    out_->push_back(w.Take());
    events_ = 0;  // counted once, in the event's first part
    body_.clear();
    entries_ = 0;
  }

  std::vector<std::string>* out_;
  const std::string& event_;
  uint64_t events_;
  size_t max_bytes_;
  std::string body_;
  uint64_t entries_ = 0;
};

StatusOr<Entry> ReadEntry(WireReader& r) {
  Entry e;
  std::string_view value;
  if (!r.Signed(&e.second) || !r.Varint(&e.slot) || !r.Bytes(&e.name)) {
    return InvalidArgument("part: truncated entry");
  }
  if (e.slot > kErrorKind) return InvalidArgument("part: unknown slot");
  // Names end up in JSON: UTF-8 without control characters, as a QoE batch brings them.
  if ((e.slot == kTotal) != e.name.empty() || e.name.size() > kMostName ||
      !simdjson::validate_utf8(e.name.data(), e.name.size()) ||
      std::any_of(e.name.begin(), e.name.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return InvalidArgument("part: bad slice name");
  }
  if (!r.Bytes(&value)) return InvalidArgument("part: truncated value");
  if (e.slot == kErrorKind) {
    WireReader count(value);
    if (!count.Varint(&e.count) || !count.done()) return InvalidArgument("part: bad count");
    return e;
  }
  auto f = Figures::Decode(value);
  if (!f.ok()) return f.status();
  e.figures = std::move(*f);
  return e;
}

}  // namespace

std::vector<std::string> Collector::Drain(size_t max_bytes) {
  std::vector<std::string> out;
  for (const auto& [name, ev] : events_) {
    std::vector<std::string> parts;
    {
      PartWriter w(&parts, name, ev.added, max_bytes);
      for (const auto& [s, second] : ev.open) {
        w.Entry(s, kTotal, "", second.total.Encode());
        for (size_t d = 0; d < kDimensions; ++d) {
          const auto& by = second.by[d];
          for (size_t id = 0; id < by.size(); ++id) {
            if (by[id].empty()) continue;
            w.Entry(s, d + 1, ev.values[d].names[id], by[id].Encode());
          }
        }
        for (size_t k = 0; k < second.errors_by_kind.size(); ++k) {
          if (second.errors_by_kind[k] == 0) continue;
          WireWriter count;
          count.Varint(second.errors_by_kind[k]);
          w.Entry(s, kErrorKind, ev.kinds.names[k], count.Take());
        }
      }
    }
    std::move(parts.begin(), parts.end(), std::back_inserter(out));
  }
  events_.clear();
  return out;
}

StatusOr<Absorbed> Collector::Absorb(std::string_view part, UtcMicros now) {
  std::string_view event;
  uint64_t events = 0, count = 0;
  if (part.size() < 2 || part[0] != kMagic || part[1] != kVersion) {
    return InvalidArgument("part: not a collector's part (or a newer version)");
  }
  WireReader r(part.substr(2));
  if (!r.Bytes(&event) || !r.Varint(&events) || !r.Varint(&count)) {
    return InvalidArgument("part: truncated head");
  }
  const std::string name(event);
  if (!IsSafeName(name)) return InvalidArgument("part: bad event name");
  if (events > (uint64_t{1} << 40)) return InvalidArgument("part: event count out of range");
  std::vector<Entry> entries;
  while (!r.done()) {
    auto e = ReadEntry(r);
    if (!e.ok()) return e.status();
    entries.push_back(std::move(*e));
  }
  if (entries.size() != count) return InvalidArgument("part: truncated (entries missing)");
  // Read whole: now applied.
  Absorbed out;
  Event* found = EventFor(name);
  if (!found) {
    out.refused = true;
    return out;
  }
  Event& ev = *found;
  out.events = events;
  ev.added += events;
  const int64_t now_s = SecondOf(now);
  for (Entry& e : entries) {
    Second* second = SecondFor(ev, e.second, now_s, &out.late, &out.early);
    if (!second) continue;
    const std::string slice(e.name);
    if (e.slot == kTotal) {
      second->total.Merge(e.figures);
    } else if (e.slot == kErrorKind) {
      const auto k = static_cast<size_t>(ev.kinds.IdOf(slice, o_.error_kinds));
      if (second->errors_by_kind.size() <= k) second->errors_by_kind.resize(k + 1);
      second->errors_by_kind[k] += e.count;
    } else {
      const size_t d = e.slot - 1;
      const auto id = static_cast<size_t>(ev.values[d].IdOf(slice, o_.values_per_dimension));
      std::vector<Figures>& by = second->by[d];
      if (by.size() <= id) by.resize(id + 1);
      by[id].Merge(e.figures);
    }
  }
  return out;
}

}  // namespace onair::metrics
