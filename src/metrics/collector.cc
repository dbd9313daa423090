#include "metrics/collector.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "metrics/unique.h"

namespace onair::metrics {

namespace {

constexpr const char* kDimensionNames[kDimensions] = {"edge", "region", "device_type", "rendition",
                                                      "codec"};
constexpr const char* kOther = "other";

}  // namespace

const char* DimensionName(Dimension d) { return kDimensionNames[static_cast<int>(d)]; }

void to_json(nlohmann::json& j, const SecondNumbers& s) {
  j = s.total;
  j["t"] = FormatUtc(s.second * 1'000'000, false);
  j["second"] = s.second;
  j["final"] = s.final;
  nlohmann::json by = nlohmann::json::object();
  for (int d = 0; d < kDimensions; ++d) {
    nlohmann::json values = nlohmann::json::object();
    for (const auto& [name, n] : s.by[static_cast<size_t>(d)]) values[name] = n;
    by[DimensionName(static_cast<Dimension>(d))] = std::move(values);
  }
  j["by"] = std::move(by);
  j["errors_by_kind"] = s.errors_by_kind;
}

int Collector::Names::IdOf(const std::string& v, size_t most) {
  if (auto it = ids.find(v); it != ids.end()) return it->second;
  const std::string& name = names.size() < most ? v : kOther;
  if (auto it = ids.find(name); it != ids.end()) return it->second;
  const int id = static_cast<int>(names.size());
  names.push_back(name);
  ids.emplace(name, id);
  return id;
}

Collector::Event* Collector::EventFor(const std::string& event) {
  auto it = events_.find(event);
  if (it == events_.end()) {
    if (events_.size() >= o_.max_events) return nullptr;
    it = events_.emplace(event, Event{}).first;
  }
  return &it->second;
}

Collector::Second* Collector::SecondFor(Event& ev, int64_t s, int64_t now_s, bool* late,
                                        bool* early) {
  if (s < now_s - o_.late_s || (!ev.closed.empty() && s <= ev.closed.rbegin()->first)) {
    *late = true;
    return nullptr;
  }
  if (s > now_s + o_.early_s) {
    *early = true;
    return nullptr;
  }
  ev.first_s = std::min(ev.first_s, s);
  ev.last_s = std::max(ev.last_s, s);
  return &ev.open[s];
}

Ingested Collector::Add(const contract::QoeBatch& b, UtcMicros now) {
  Ingested out;
  Event* found = EventFor(b.event);
  if (!found) {
    out.refused = true;
    return out;
  }
  Event& ev = *found;
  const int64_t now_s = SecondOf(now);
  const uint64_t session = UniqueCount::Hash(b.session);
  const size_t most = o_.values_per_dimension;
  const int region = b.region.empty() ? -1 : ev.values[1].IdOf(b.region, most);
  const int device = b.device_type.empty() ? -1 : ev.values[2].IdOf(b.device_type, most);
  Second* second = nullptr;
  int64_t second_at = INT64_MIN;
  for (const contract::QoeEvent& e : b.events) {
    const int64_t s = SecondOf(e.at_us);
    if (s != second_at || !second) {
      bool late = false, early = false;
      second = SecondFor(ev, s, now_s, &late, &early);
      second_at = s;
      out.late += late;
      out.early += early;
      if (!second) continue;
    }
    second->total.Add(e, session);
    const int ids[kDimensions] = {e.edge.empty() ? -1 : ev.values[0].IdOf(e.edge, most), region,
                                  device,
                                  e.rendition.empty() ? -1 : ev.values[3].IdOf(e.rendition, most),
                                  e.codec.empty() ? -1 : ev.values[4].IdOf(e.codec, most)};
    for (int d = 0; d < kDimensions; ++d) {
      if (ids[d] < 0) continue;
      std::vector<Figures>& by = second->by[static_cast<size_t>(d)];
      if (by.size() <= static_cast<size_t>(ids[d])) by.resize(static_cast<size_t>(ids[d]) + 1);
      by[static_cast<size_t>(ids[d])].Add(e, session);
    }
    if (e.type == contract::QoeType::kError) {
      const auto k =
          static_cast<size_t>(ev.kinds.IdOf(e.kind.empty() ? "unknown" : e.kind, o_.error_kinds));
      if (second->errors_by_kind.size() <= k) second->errors_by_kind.resize(k + 1);
      ++second->errors_by_kind[k];
    }
    ++out.accepted;
  }
  ev.added += out.accepted;
  return out;
}

uint64_t Collector::ViewersAt(const Event& ev, int64_t s, int d, int id) const {
  UniqueCount u;
  for (auto it = ev.open.lower_bound(s - o_.viewer_window_s + 1);
       it != ev.open.end() && it->first <= s; ++it) {
    if (d < 0) {
      u.Merge(it->second.total.viewers);
    } else if (const auto& by = it->second.by[static_cast<size_t>(d)];
               static_cast<size_t>(id) < by.size()) {
      u.Merge(by[static_cast<size_t>(id)].viewers);
    }
  }
  return u.Estimate();
}

SecondNumbers Collector::SpanAt(const Event& ev, int64_t from_s, int64_t to_s) const {
  SecondNumbers n;
  n.second = to_s;
  // One second is read in place; a span of them is merged (without the viewer sketches: a
  // span's viewers are those of its last second's window).
  static const Second kEmpty;
  const Second* sec = &kEmpty;
  Second merged;
  if (from_s == to_s) {
    if (const auto it = ev.open.find(to_s); it != ev.open.end()) sec = &it->second;
  } else {
    for (auto it = ev.open.lower_bound(from_s); it != ev.open.end() && it->first <= to_s; ++it) {
      const Second& s = it->second;
      merged.total.Merge(s.total, false);
      for (size_t d = 0; d < kDimensions; ++d) {
        if (merged.by[d].size() < s.by[d].size()) merged.by[d].resize(s.by[d].size());
        for (size_t id = 0; id < s.by[d].size(); ++id) merged.by[d][id].Merge(s.by[d][id], false);
      }
      if (merged.errors_by_kind.size() < s.errors_by_kind.size()) {
        merged.errors_by_kind.resize(s.errors_by_kind.size());
      }
      for (size_t k = 0; k < s.errors_by_kind.size(); ++k) {
        merged.errors_by_kind[k] += s.errors_by_kind[k];
      }
    }
    sec = &merged;
  }
  n.total = NumbersOf(sec->total, ViewersAt(ev, to_s, -1, 0));
  static const Figures kNone;
  for (int d = 0; d < kDimensions; ++d) {
    const Names& names = ev.values[static_cast<size_t>(d)];
    const auto& by = sec->by[static_cast<size_t>(d)];
    for (size_t id = 0; id < names.names.size(); ++id) {
      const Figures& f = id < by.size() ? by[id] : kNone;
      const uint64_t viewers = ViewersAt(ev, to_s, d, static_cast<int>(id));
      if (viewers == 0 && f.attempts() == 0 && f.heartbeats == 0 && f.errors == 0) continue;
      n.by[static_cast<size_t>(d)][names.names[id]] = NumbersOf(f, viewers);
    }
  }
  for (size_t k = 0; k < sec->errors_by_kind.size(); ++k) {
    if (sec->errors_by_kind[k]) n.errors_by_kind[ev.kinds.names[k]] = sec->errors_by_kind[k];
  }
  return n;
}

void Collector::Close(UtcMicros now) {
  const int64_t now_s = SecondOf(now);
  const int64_t closing = now_s - o_.late_s;  // the seconds before it are out of reach
  for (auto it = events_.begin(); it != events_.end();) {
    Event& ev = it->second;
    if (ev.last_s == INT64_MIN) {  // every batch was late or early: nothing to keep
      it = events_.erase(it);
      continue;
    }
    // Every second from the first event on, until the viewer window after the last has
    // passed (the seconds between count the viewers of those before them).
    int64_t from = ev.closed.empty() ? ev.first_s : ev.closed.rbegin()->first + 1;
    from = std::max(from, closing - o_.keep_s);
    const int64_t to = std::min(closing, ev.last_s + o_.viewer_window_s);
    for (int64_t s = from; s < to; ++s) {
      SecondNumbers n = SpanAt(ev, s, s);
      n.final = true;
      ev.closed.emplace(s, std::move(n));
    }
    // Sketches stay for the viewer window of the seconds still to close.
    while (!ev.open.empty() && ev.open.begin()->first < closing - o_.viewer_window_s) {
      ev.open.erase(ev.open.begin());
    }
    while (!ev.closed.empty() && ev.closed.begin()->first < now_s - o_.keep_s) {
      ev.closed.erase(ev.closed.begin());
    }
    for (auto c = ev.closed.upper_bound(ev.bare_until);
         c != ev.closed.end() && c->first < now_s - o_.keep_breakdowns_s; ++c) {
      for (auto& m : c->second.by) m.clear();
      ev.bare_until = c->first;
    }
    if (ev.open.empty() && ev.last_s < now_s - o_.keep_s) {
      it = events_.erase(it);
    } else {
      ++it;
    }
  }
}

std::vector<SecondNumbers> Collector::Closed(const std::string& event, int64_t from_s) const {
  std::vector<SecondNumbers> out;
  const auto it = events_.find(event);
  if (it == events_.end()) return out;
  for (auto c = it->second.closed.lower_bound(from_s); c != it->second.closed.end(); ++c) {
    out.push_back(c->second);
  }
  return out;
}

std::vector<SecondNumbers> Collector::Series(const std::string& event, int64_t from_s,
                                             int64_t to_s) const {
  std::vector<SecondNumbers> out;
  const auto it = events_.find(event);
  if (it == events_.end()) return out;
  const Event& ev = it->second;
  for (auto c = ev.closed.lower_bound(from_s); c != ev.closed.end() && c->first <= to_s; ++c) {
    out.push_back(c->second);
  }
  // Then the open seconds after the closed ones (the closed ones' sketches stay a while).
  const int64_t open_from =
      ev.closed.empty() ? from_s : std::max(from_s, ev.closed.rbegin()->first + 1);
  for (auto o = ev.open.lower_bound(open_from); o != ev.open.end() && o->first <= to_s; ++o) {
    out.push_back(SpanAt(ev, o->first, o->first));
  }
  return out;
}

SecondNumbers Collector::Span(const std::string& event, int64_t from_s, int64_t to_s) const {
  const auto it = events_.find(event);
  if (it == events_.end()) return SecondNumbers{.second = to_s};
  return SpanAt(it->second, from_s, to_s);
}

uint64_t Collector::StartsAt(const std::string& event, int64_t s) const {
  const auto it = events_.find(event);
  if (it == events_.end()) return 0;
  if (const auto o = it->second.open.find(s); o != it->second.open.end()) {
    return o->second.total.starts;
  }
  const auto c = it->second.closed.find(s);
  return c == it->second.closed.end() ? 0 : c->second.total.starts;
}

uint64_t Collector::ViewersAt(const std::string& event, int64_t s) const {
  const auto it = events_.find(event);
  if (it == events_.end()) return 0;
  if (const auto c = it->second.closed.find(s); c != it->second.closed.end()) {
    return c->second.total.concurrent_viewers;
  }
  return ViewersAt(it->second, s, -1, 0);
}

std::vector<std::string> Collector::Events() const {
  std::vector<std::string> out;
  for (const auto& [name, ev] : events_) out.push_back(name);
  return out;
}

size_t Collector::open_seconds() const {
  size_t n = 0;
  for (const auto& [name, ev] : events_) n += ev.open.size();
  return n;
}

}  // namespace onair::metrics
