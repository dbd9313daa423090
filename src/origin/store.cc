#include "origin/store.h"

#include "core/log.h"
#include "media/cmaf_writer.h"
#include "origin/disk_store.h"
#include "origin/segment_check.h"

namespace onair::origin {

namespace {

const char* kReasons[4] = {"preferred", "fallback", "streaming", "better-defective"};

int ReasonIndex(const std::string& r) {
  for (int k = 0; k < 4; ++k) {
    if (r == kReasons[k]) return k;
  }
  return 0;
}

Offer OfferOf(const Slot& slot, int p, std::shared_ptr<Candidate>* chosen) {
  const auto& c = slot.complete[p];
  const auto& l = slot.latest[p];
  const bool writing = l && l->state() == Candidate::State::kGrowing;
  if (writing && (!c || !c->defects().empty())) {
    *chosen = l;
    return {true, false, {}};
  }
  if (c) {
    *chosen = c;
    return {true, true, c->defects()};
  }
  return {};
}

void WakeWaiters(Slot& slot) {
  for (auto& w : slot.waiters) {
    if (auto waiter = w.lock()) waiter->Wake();
  }
  slot.waiters.clear();
}

Slot* SlotOf(Track& track, int64_t n, bool create) {
  if (n == kInit) return &track.init;
  if (create) return &track.segments[n];
  auto it = track.segments.find(n);
  return it == track.segments.end() ? nullptr : &it->second;
}

void JoinInto(const std::vector<Candidate::Piece>& pieces, std::string* out) {
  out->clear();
  for (const auto& p : pieces) *out += *p;
}

std::string Joined(const std::vector<Candidate::Piece>& pieces) {
  size_t size = 0;
  for (const auto& p : pieces) size += p->size();
  std::string out;
  out.reserve(size);
  JoinInto(pieces, &out);
  return out;
}

}  // namespace

Store::Store(Clock* clock, MetricsRegistry* metrics, DiskStore* disk)
    : clock_(clock),
      disk_(disk),
      events_gauge_(metrics->gauge("onair_origin_events", "Events the origin serves.")),
      memory_gauge_(
          metrics->gauge("onair_origin_memory_bytes", "Bytes of segments held in memory.")) {
  for (int p = 0; p < 2; ++p) {
    for (int r = 0; r < 4; ++r) {
      choices_[p][r] = &metrics->counter(
          "onair_origin_candidate_choices_total",
          "Media segment reads by the pipeline whose candidate was served and why.",
          {{"pipeline", PipelineName(p)}, {"reason", kReasons[r]}});
    }
  }
}

Status Store::PutEvent(const EventConfig& config, const EventControl* control) {
  ONAIR_RETURN_IF_ERROR(ValidateEventConfig(config));
  std::shared_ptr<OriginEvent> ev;
  bool created = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = events_[config.event];
    created = !slot;
    if (created) slot = std::make_shared<OriginEvent>();
    ev = slot;
    events_gauge_.Set(static_cast<int64_t>(events_.size()));
  }
  std::lock_guard<std::mutex> lock(ev->mu);
  ev->config = config;
  if (control) {
    ev->control = *control;
  } else if (created) {
    ev->control.preferred = config.preferred_pipeline == "B" ? 1 : 0;
  }  // else: a replaced config keeps the operator's levers
  for (const auto& r : config.ladder) ev->tracks[r.name];
  ev->tracks[config.audio.name];
  if (disk_) disk_->SaveEvent(ev->config, ev->control);
  return Status::Ok();
}

std::shared_ptr<OriginEvent> Store::FindEvent(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = events_.find(name);
  return it == events_.end() ? nullptr : it->second;
}

std::vector<std::string> Store::EventNames() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> names;
  for (const auto& [name, ev] : events_) names.push_back(name);
  return names;
}

StatusOr<Store::Located> Store::Locate(const std::string& event,
                                       const std::string& rendition) const {
  auto ev = FindEvent(event);
  if (!ev) return NotFound("no event '" + event + "'");
  std::unique_lock<std::mutex> lock(ev->mu);
  auto t = ev->tracks.find(rendition);
  if (t == ev->tracks.end()) {
    return NotFound("event '" + event + "' has no rendition '" + rendition + "'");
  }
  return Located{std::move(ev), std::move(lock), &t->second};
}

Status Store::ChangeEvent(const std::string& event,
                          const std::function<Status(OriginEvent&)>& change) {
  auto ev = FindEvent(event);
  if (!ev) return NotFound("no event '" + event + "'");
  std::lock_guard<std::mutex> lock(ev->mu);
  ONAIR_RETURN_IF_ERROR(change(*ev));
  if (disk_) disk_->SaveEvent(ev->config, ev->control);
  return Status::Ok();
}

Status Store::SetPreferred(const std::string& event, int pipeline) {
  return ChangeEvent(event, [&](OriginEvent& ev) {
    ev.control.preferred = pipeline;
    return Status::Ok();
  });
}

Status Store::SetMasked(const std::string& event, int pipeline, bool masked) {
  return ChangeEvent(event, [&](OriginEvent& ev) {
    ev.control.masked[pipeline] = masked;
    return Status::Ok();
  });
}

StatusOr<int64_t> Store::Invalidate(const std::string& event, int64_t from, int64_t to,
                                    int pipeline) {
  if (from < 0 || to < from) return InvalidArgument("invalid range");
  int64_t version = 0;
  ONAIR_RETURN_IF_ERROR(ChangeEvent(event, [&](OriginEvent& ev) {
    for (auto& [name, track] : ev.tracks) {
      for (auto it = track.segments.lower_bound(from);
           it != track.segments.end() && it->first <= to; ++it) {
        for (int p = 0; p < 2; ++p) {
          if (pipeline >= 0 && p != pipeline) continue;
          if (disk_ && it->second.complete[p]) disk_->Remove(it->second.complete[p]);
          it->second.latest[p].reset();
          it->second.complete[p].reset();
        }
      }
    }
    version = ++ev.control.version;
    return Status::Ok();
  }));
  return version;
}

StatusOr<std::shared_ptr<Candidate>> Store::BeginWrite(const std::string& event,
                                                       const std::string& rendition, int64_t n,
                                                       int pipeline) {
  static std::atomic<uint64_t> next_id{static_cast<uint64_t>(SystemClock::Instance().Now())};
  auto at = Locate(event, rendition);
  if (!at.ok()) return at.status();
  auto candidate = std::make_shared<Candidate>(pipeline, next_id++);
  Slot* slot = SlotOf(*at->track, n, true);
  if (slot->latest[pipeline] && slot->latest[pipeline]->state() == Candidate::State::kGrowing) {
    slot->latest[pipeline]->Abort();  // a retry replaces an upload that never finished
  }
  slot->latest[pipeline] = candidate;
  WakeWaiters(*slot);
  return candidate;
}

std::vector<std::string> Store::FinishWrite(const std::string& event, const std::string& rendition,
                                            int64_t n, const std::shared_ptr<Candidate>& candidate,
                                            std::vector<std::string> defects) {
  const int p = candidate->pipeline();
  // The checks need the bytes in one piece: joined into a buffer each thread keeps, so that a
  // segment costs a copy and no fresh pages (a new 1 MiB allocation page-faults ~3 ms).
  thread_local std::string scratch;
  if (scratch.capacity() > 4 * static_cast<size_t>(candidate->size()) + (1 << 20)) {
    std::string().swap(scratch);  // not kept at the size of one huge upload
  }
  JoinInto(candidate->Read(0).pieces, &scratch);
  const std::string& bytes = scratch;
  auto at = Locate(event, rendition);
  if (!at.ok()) {  // the event went away during the upload
    candidate->Abort();
    return defects;
  }
  Track& track = *at->track;
  if (n == kInit) {
    const InitInfo info = CheckInit(bytes);
    if (info.valid) {
      track.timescale[p] = info.timescale;
      if (track.codecs.empty()) track.codecs = media::CodecStringFromInit(bytes);
    } else {
      Logger("origin")->warn("{}/{} init from {}: {}", event, rendition, PipelineName(p),
                             info.problem);
      defects.push_back("corrupt");
    }
  } else {
    for (const std::string& d :
         CheckMediaSegment(bytes, track.timescale[p], n, at->event->config.segment_us)) {
      defects.push_back(d);
    }
  }
  candidate->Complete(defects, clock_->Now());
  memory_bytes_ += candidate->size();
  memory_gauge_.Set(memory_bytes_);
  Slot* slot = SlotOf(track, n, true);
  if (slot->latest[p] == candidate) slot->complete[p] = candidate;
  WakeWaiters(*slot);
  if (disk_) disk_->Persist(event, rendition, n, candidate);
  return defects;
}

void Store::AbortWrite(const std::string& event, const std::string& rendition, int64_t n,
                       const std::shared_ptr<Candidate>& candidate) {
  candidate->Abort();
  auto at = Locate(event, rendition);
  if (!at.ok()) return;
  Slot* slot = SlotOf(*at->track, n, false);
  const int p = candidate->pipeline();
  if (slot && slot->latest[p] == candidate) slot->latest[p] = slot->complete[p];
}

void Store::Restore(const std::string& event, const std::string& rendition, int64_t n,
                    std::shared_ptr<Candidate> candidate, uint32_t timescale) {
  auto at = Locate(event, rendition);
  if (!at.ok()) return;
  Track& track = *at->track;
  const int p = candidate->pipeline();
  if (n == kInit) {
    track.timescale[p] = timescale;
    if (track.codecs.empty()) {
      track.codecs = media::CodecStringFromInit(Joined(candidate->LoadFromDisk()));
    }
  }
  Slot* slot = SlotOf(track, n, true);
  slot->latest[p] = candidate;
  slot->complete[p] = candidate;
}

StatusOr<Found> Store::Find(const std::string& event, const std::string& rendition, int64_t n,
                            const std::shared_ptr<net::Waiter>& waiter) {
  auto at = Locate(event, rendition);
  if (!at.ok()) return at.status();
  const OriginEvent& ev = *at->event;
  Found found;
  found.version = ev.control.version;
  Slot* slot = SlotOf(*at->track, n, waiter != nullptr);
  if (slot) {
    std::shared_ptr<Candidate> chosen[2];
    const Offer offers[2] = {OfferOf(*slot, 0, &chosen[0]), OfferOf(*slot, 1, &chosen[1])};
    found.selection = Select(offers, ev.control.preferred, ev.control.masked);
    if (found.selection.pipeline >= 0) {
      found.candidate = chosen[found.selection.pipeline];
      if (n != kInit)
        choices_[found.selection.pipeline][ReasonIndex(found.selection.reason)]->Inc();
      return found;
    }
    if (waiter) slot->waiters.push_back(waiter);
  }
  return found;
}

std::vector<int64_t> Store::WindowNumbers(const std::string& event, const std::string& rendition) {
  std::vector<int64_t> out;
  auto at = Locate(event, rendition);
  if (!at.ok()) return out;
  const EventConfig& c = at->event->config;
  const int64_t first = c.timeline().SegmentNumberAt(clock_->Now()) - c.window_us / c.segment_us;
  const auto& segments = at->track->segments;
  for (auto it = segments.lower_bound(first); it != segments.end(); ++it) {
    if (it->second.complete[0] || it->second.complete[1]) out.push_back(it->first);
  }
  return out;
}

std::string Store::Codecs(const std::string& event, const std::string& rendition) {
  auto at = Locate(event, rendition);
  return at.ok() ? at->track->codecs : "";
}

int64_t Store::Evict() {
  int64_t freed = 0;
  const UtcMicros now = clock_->Now();
  std::vector<std::shared_ptr<OriginEvent>> events;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [name, ev] : events_) events.push_back(ev);
  }
  for (auto& ev : events) {
    std::lock_guard<std::mutex> lock(ev->mu);
    const int64_t d = ev->config.segment_us;
    const int64_t now_n = ev->config.timeline().SegmentNumberAt(now);
    const int64_t keep_from = now_n - ev->config.window_us / d;
    const int64_t forget_before = now_n - 86'400'000'000LL / d;
    for (auto& [name, track] : ev->tracks) {
      for (auto it = track.segments.begin(); it != track.segments.end() && it->first < keep_from;) {
        Slot& slot = it->second;
        for (int p = 0; p < 2; ++p) {
          auto& c = slot.complete[p];
          if (!c || !c->in_memory()) continue;
          const int64_t size = c->size();
          if (c->DropFromMemory()) {
            freed += size;
          } else if (!disk_ || c->disk_failed()) {
            // Not on disk (none configured, or the write failed): out of the window it goes.
            freed += size;
            slot.complete[p].reset();
            slot.latest[p].reset();
          }
        }
        if (it->first < forget_before && !slot.complete[0] && !slot.complete[1]) {
          it = track.segments.erase(it);
        } else {
          ++it;
        }
      }
    }
  }
  memory_bytes_ -= freed;
  memory_gauge_.Set(memory_bytes_);
  return freed;
}

}  // namespace onair::origin
