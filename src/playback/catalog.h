// The events the playback service answers for, as the origin publishes them
// (docs/playback.md, "Events"): each one's config (/live/{event}/event.json) and the codecs
// string of every rendition (read from its init segment). An event is fetched the first time
// a device asks for it, on the catalog's own thread (requests never wait on the network but
// for that first fetch), and refreshed in the background while it is asked for.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

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
  Catalog(std::vector<std::string> upstreams, CatalogOptions options = {});
  ~Catalog();
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  Status Start();
  void Stop();

  // Never blocks on the network. A name never asked for (or whose answer is older than
  // `remember`) is queued for a fetch; `wake` (any thread) is called when it ends.
  Found Find(const std::string& name, std::function<void()> wake);
  // The events known now.
  std::vector<std::shared_ptr<const CatalogEvent>> Events() const;

 private:
  struct Entry {
    State state = State::kPending;
    std::shared_ptr<const CatalogEvent> event;
    std::chrono::steady_clock::time_point checked{}, asked{};
    bool queued = false;
    std::vector<std::function<void()>> waiting;
  };
  void Loop();
  Found Fetch(const std::string& name);

  const std::vector<std::string> upstreams_;
  const CatalogOptions o_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Entry> entries_;
  std::vector<std::string> queue_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace onair::playback
