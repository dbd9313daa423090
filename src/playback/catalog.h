// The events the playback service answers for, as the origin publishes them
// (docs/playback.md, "Events"): each one's config (/live/{event}/event.json) and the codecs
// string of every rendition (read from its init segment). An event is fetched the first time
// a device asks for it, on the service's background loop (requests never wait on the network
// but for that first fetch), refreshed while it is asked for, forgotten when nobody asks.
// The bookkeeping (Find, Tick, Apply) is plain logic over the injected clock, unit-tested
// without a network; the fetches are HttpClient coroutines.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/event_config.h"
#include "core/status.h"
#include "media/manifest.h"

namespace onair::playback {

struct CatalogEvent {
  uint64_t version = 0;  // a new number at every fetch: answers made from it are keyed by it
  EventConfig config;
  std::vector<media::TrackInfo> tracks;  // the ladder's rungs in order, then the audio
};

struct CatalogOptions {
  std::chrono::milliseconds refresh{10'000};  // the origin's event.json max-age
  std::chrono::milliseconds remember{2'000};  // how long "no such event" is believed
  std::chrono::milliseconds timeout{2'000};   // one request to an upstream
  std::chrono::minutes forget_unasked{10};    // events nobody asked for are dropped
  size_t most_events = 10'000;                // made-up names cannot grow it further
  // The origin counts as reachable this long after it last answered (readiness).
  std::chrono::milliseconds reachable_for{5'000};
};

class Catalog {
 public:
  enum class State {
    kReady,        // known: `event` is set
    kPending,      // being fetched; `wake` will be called when that ends
    kMissing,      // the origin has no such event
    kNotReady,     // the event exists but has no init segments yet (no pipeline running)
    kUnreachable,  // no upstream answered (or the catalog is full of made-up names)
  };
  struct Found {
    State state = State::kPending;
    std::shared_ptr<const CatalogEvent> event;
  };

  // `upstreams`: base URLs of origins (or edges), tried in order.
  Catalog(std::vector<std::string> upstreams, CatalogOptions options, Clock* clock);
  ~Catalog();
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  Status Validate() const;
  // Fetches run on `ex` from now on (none before: names asked are queued).
  void Start(boost::asio::any_io_executor ex);
  // Whoever waits is told; no fetch starts after this.
  void Stop();

  // Never blocks on the network. A name never asked for (or whose answer is older than
  // `remember`) is queued for a fetch; `wake` (any thread) is called when it ends.
  Found Find(const std::string& name, std::function<void()> wake);
  // The events known now.
  std::vector<std::shared_ptr<const CatalogEvent>> Events() const;
  // The periodic work: events due for a refresh are queued, those nobody asked for lately
  // forgotten; queued names are fetched.
  void Tick();
  // Whether an upstream answered lately (the service's readiness).
  bool reachable() const;

  // The logic without the network (tests; Drain uses them): the names to fetch now, and what
  // a fetch found (`answered`: an upstream answered at all).
  std::vector<std::string> TakeQueued();
  void Apply(const std::string& name, Found result, bool answered);

 private:
  struct Entry {
    State state = State::kPending;
    std::shared_ptr<const CatalogEvent> event;
    MonoTime checked{}, asked{};
    bool queued = false;
    std::vector<std::function<void()>> waiting;
  };
  void KickLocked();  // starts a drain of the queue on the executor
  boost::asio::awaitable<void> Drain();
  boost::asio::awaitable<Found> Fetch(std::string name, bool* answered);

  const std::vector<std::string> upstreams_;
  const CatalogOptions o_;
  Clock* clock_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
  std::vector<std::string> queue_;
  boost::asio::any_io_executor ex_;
  bool draining_ = false, stopped_ = false;
  MonoTime last_answer_{};
};

}  // namespace onair::playback
