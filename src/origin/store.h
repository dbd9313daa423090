// What the origin holds: events, and per event and rendition the candidates of pipelines A
// and B for the init segment and every media segment. Thread-safe; the HTTP loops call it.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/event_config.h"
#include "core/metrics.h"
#include "origin/candidate.h"
#include "origin/request.h"
#include "origin/rules.h"

namespace onair::origin {

class DiskStore;

struct Slot {
  std::shared_ptr<Candidate> latest[2];             // newest write per pipeline, any state
  std::shared_ptr<Candidate> complete[2];           // newest complete write per pipeline
  std::vector<std::weak_ptr<net::Waiter>> waiters;  // reads held until a candidate appears
};

struct Track {
  Slot init;
  uint32_t timescale[2] = {0, 0};  // from each pipeline's init segment
  std::string codecs;              // RFC 6381, from an init segment
  std::map<int64_t, Slot> segments;
};

// The operator's levers on an event.
struct EventControl {
  int preferred = 0;
  bool masked[2] = {false, false};
  int64_t version = 0;  // bumped by every invalidation: part of the URLs in manifests
};

struct OriginEvent {
  std::mutex mu;
  EventConfig config;
  EventControl control;
  std::map<std::string, Track> tracks;  // one per rendition and audio, created with the event
};

// The answer to a read of one object.
struct Found {
  std::shared_ptr<Candidate> candidate;  // null: nothing servable (yet)
  Selection selection;
  int64_t version = 0;
};

class Store {
 public:
  Store(Clock* clock, MetricsRegistry* metrics, DiskStore* disk);

  // Creates or replaces an event. `control` (the levers) comes from disk at start-up; a new
  // event takes its preferred pipeline from the config; a replaced one keeps its levers (the
  // admin API changes them), and the tracks of renditions it drops stay readable.
  Status PutEvent(const EventConfig& config, const EventControl* control = nullptr);
  std::shared_ptr<OriginEvent> FindEvent(const std::string& name) const;
  std::vector<std::string> EventNames() const;
  Status SetPreferred(const std::string& event, int pipeline);
  Status SetMasked(const std::string& event, int pipeline, bool masked);
  // Drops the candidates of `pipeline` (-1: both) for segments [from, to] and bumps the
  // event's version; returns the new version.
  StatusOr<int64_t> Invalidate(const std::string& event, int64_t from, int64_t to, int pipeline);

  // Writes. Begin fails with NotFound for an unknown event or rendition.
  StatusOr<std::shared_ptr<Candidate>> BeginWrite(const std::string& event,
                                                  const std::string& rendition, int64_t n,
                                                  int pipeline);
  // Checks the bytes (structure, timing), completes the candidate and persists it. Returns
  // the full defect list (the pipeline's and the origin's own).
  std::vector<std::string> FinishWrite(const std::string& event, const std::string& rendition,
                                       int64_t n, const std::shared_ptr<Candidate>& candidate,
                                       std::vector<std::string> defects);
  void AbortWrite(const std::string& event, const std::string& rendition, int64_t n,
                  const std::shared_ptr<Candidate>& candidate);
  // A candidate read back from disk at start-up.
  void Restore(const std::string& event, const std::string& rendition, int64_t n,
               std::shared_ptr<Candidate> candidate, uint32_t timescale);

  // Reads: the candidate to serve. NotFound for an unknown event or rendition. When
  // nothing is servable and `waiter` is given, it is woken when a candidate appears.
  StatusOr<Found> Find(const std::string& event, const std::string& rendition, int64_t n,
                       const std::shared_ptr<net::Waiter>& waiter = nullptr);

  // The numbers of the complete segments of a rendition within the event's window.
  std::vector<int64_t> WindowNumbers(const std::string& event, const std::string& rendition);
  std::string Codecs(const std::string& event, const std::string& rendition);

  // Moves segments older than each event's window out of memory (to disk only, or away
  // when there is no disk) and forgets slots older than a day. Returns bytes freed.
  int64_t Evict();
  int64_t memory_bytes() const { return memory_bytes_.load(); }

 private:
  // An event and one of its tracks, locked for as long as this lives.
  struct Located {
    std::shared_ptr<OriginEvent> event;
    std::unique_lock<std::mutex> lock;
    Track* track;
  };
  StatusOr<Located> Locate(const std::string& event, const std::string& rendition) const;
  // Runs `change` on an event under its lock, then saves the event's levers.
  Status ChangeEvent(const std::string& event, const std::function<Status(OriginEvent&)>& change);

  Clock* clock_;
  DiskStore* disk_;
  mutable std::mutex mu_;  // the event map only
  std::map<std::string, std::shared_ptr<OriginEvent>> events_;
  std::atomic<int64_t> memory_bytes_{0};
  Gauge& events_gauge_;
  Gauge& memory_gauge_;
  Counter* choices_[2][4];  // by pipeline and reason
};

}  // namespace onair::origin
