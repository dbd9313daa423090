#include "edge/timing.h"

namespace onair::edge {

EventTimings::Check EventTimings::Look(const LivePath& path, UtcMicros now, SteadyTime steady_now) {
  Check check;
  if (path.kind == LivePath::kNone) return check;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = events_.find(path.event);
  if (it == events_.end()) {
    if (events_.size() >= options_.max_events) Prune(steady_now);
    it = events_.emplace(path.event, Entry{}).first;
  }
  Entry& e = it->second;
  const bool stale = steady_now >= e.fresh_until;
  if (stale && !e.fetching) {
    e.fetching = true;
    check.fetch = true;
  }
  if (e.absent) {
    if (!stale) check.verdict = Verdict::kNoEvent;
    return check;
  }
  if (!e.known) return check;
  // A known timeline is used while a refresh is under way: it changes only when an operator
  // replaces the event.
  const Known& k = *e.known;
  if (!path.rendition.empty() && k.renditions.count(path.rendition) == 0) {
    check.verdict = Verdict::kNoRendition;
    return check;
  }
  if (path.kind != LivePath::kSegment) return check;
  // The origin holds a read from AST + (n−1)·D on (the segment is then the next one) and
  // answers "not yet" before; the edge says so itself until then, less the clock skew.
  const UtcMicros held_from = k.ast + (path.n - 1) * k.segment_us - options_.skew_us;
  if (now < held_from) {
    check.verdict = Verdict::kNotYet;
    check.ms = (held_from - now) / 1000;
    return check;
  }
  check.timeline = EpochTimeline(k.ast, k.segment_us);
  check.live = path.n >= check.timeline->SegmentNumberAt(now) - 3;
  return check;
}

std::optional<bool> EventTimings::LiveAt(const LivePath& path, UtcMicros now) const {
  if (path.kind != LivePath::kSegment)
    return path.kind == LivePath::kNone ? std::nullopt : std::optional(true);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = events_.find(path.event);
  if (it == events_.end() || !it->second.known) return std::nullopt;
  const Known& k = *it->second.known;
  return path.n >= EpochTimeline(k.ast, k.segment_us).SegmentNumberAt(now) - 3;
}

void EventTimings::Learned(const std::string& event, const EventConfig& config,
                           SteadyTime fresh_until) {
  Known k;
  k.ast = config.ast;
  k.segment_us = config.segment_us;
  for (const RenditionConfig& r : config.ladder) k.renditions.insert(r.name);
  k.renditions.insert(config.audio.name);
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = events_[event];
  e.known = std::move(k);
  e.absent = false;
  e.fetching = false;
  e.fresh_until = fresh_until;
}

void EventTimings::NoSuchEvent(const std::string& event, SteadyTime fresh_until) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = events_[event];
  e.known.reset();
  e.absent = true;
  e.fetching = false;
  e.fresh_until = fresh_until;
}

void EventTimings::FetchFailed(const std::string& event, SteadyTime retry_at) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = events_[event];
  e.fetching = false;
  e.absent = false;  // no longer known to be absent: reads go upstream
  e.fresh_until = retry_at;
}

size_t EventTimings::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_.size();
}

// Makes room: events not known to exist go first, then every entry not being fetched.
void EventTimings::Prune(SteadyTime now) {
  for (auto it = events_.begin(); it != events_.end();) {
    const bool idle = !it->second.fetching && (!it->second.known || now >= it->second.fresh_until);
    it = idle ? events_.erase(it) : std::next(it);
  }
  if (events_.size() < options_.max_events) return;
  for (auto it = events_.begin(); it != events_.end();) {
    it = it->second.fetching ? std::next(it) : events_.erase(it);
  }
}

}  // namespace onair::edge
