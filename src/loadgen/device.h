// One virtual device of `onair loadgen devices` and the event loop it lives on (inside
// devices.cc; not a public header). Everything a device does runs on its loop's thread:
// its session (the play start, then one coroutine per track), and the loop's ticker, which
// moves every device's playout, sends its heartbeats and reloads its steering.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "contract/qoe.h"
#include "loadgen/devices.h"
#include "loadgen/pool.h"
#include "player/abr.h"
#include "player/edges.h"
#include "player/mpd.h"
#include "player/plan.h"
#include "player/playout.h"

namespace onair::loadgen {

class VirtualDevice;

struct Loop {
  Loop(const DevicesConfig& c, Clock* cl) : cfg(c), clock(cl) {}
  boost::asio::io_context ioc{1};
  const DevicesConfig& cfg;
  Clock* clock;
  int64_t clock_offset_us = 0;          // the service's clock minus ours
  UtcMicros run_start = 0;              // our clock
  std::unique_ptr<ClientPool> service;  // the playback service: starts, steering
  std::unique_ptr<ClientPool> events;   // where QoE events go
  std::string events_target;
  std::vector<std::shared_ptr<VirtualDevice>> live;      // sessions running (the ticker's)
  bool stopping = false;                                 // the loop's thread only
  boost::asio::steady_timer* scheduler_timer = nullptr;  // woken to stop

  mutable std::mutex mu;  // the stats, read by the progress line
  RunStats stats;

  UtcMicros Synced() const { return clock->Now() + clock_offset_us; }
  int64_t SecondNow() const { return (clock->Now() - run_start) / 1'000'000; }
  template <class F>
  void Record(F&& f) {
    std::lock_guard<std::mutex> lock(mu);
    f(stats);
  }
};

class VirtualDevice : public std::enable_shared_from_this<VirtualDevice> {
 public:
  VirtualDevice(Loop& loop, uint64_t number, const PlannedSession& planned);

  // The whole session, from its scheduled start to its end and its last events posted.
  static boost::asio::awaitable<void> Run(std::shared_ptr<VirtualDevice> self);
  // The loop's ticker, every 100 ms: playout, start and rebuffer events, heartbeats, steering.
  void Tick();
  // Ends the session now (Ctrl-C, an outage, the run's end): waits cut short, transfers closed.
  void Stop();
  size_t slot = 0;  // in loop.live

 private:
  boost::asio::awaitable<Status> Start();
  boost::asio::awaitable<void> Track(const player::AdaptationSet& set, bool is_video,
                                     int64_t number);
  boost::asio::awaitable<void> Sleep(boost::asio::steady_timer& timer, int64_t micros);
  boost::asio::awaitable<void> PostEvents();
  boost::asio::awaitable<void> PollSteering();
  bool Due() const;
  void Event(contract::QoeEvent e);
  void Error(const std::string& kind, const std::string& detail = "");
  void End(bool fatal, const std::string& why);
  contract::QoeEvent NewEvent(contract::QoeType type) const;
  void TakeChunk(const media::Chunk& c, int64_t transfer_us, const media::TrackTiming& track,
                 const player::AdaptationSet& set, bool is_video);

  Loop& loop_;
  uint64_t number_;
  PlannedSession planned_;
  player::DeviceProfile device_;
  std::string session_id_;
  UtcMicros scheduled_ = 0, ends_ = 0;  // our clock
  bool stopped_ = false;
  bool ended_ = false;  // End() done: only the last post is left

  player::Presentation mpd_;
  player::SessionPlan plan_;
  std::unique_ptr<player::EdgeSet> edges_;
  std::unique_ptr<player::AbrController> abr_;
  player::ThroughputEstimator throughput_;
  player::Cap device_cap_, steering_cap_;
  std::unique_ptr<player::Playout> playout_;
  player::TrackBuffer video_buffer_, audio_buffer_;
  std::map<int64_t, int> rung_of_segment_;
  int played_rung_ = -1;
  int tracks_done_ = 0;  // tracks that fetched the segments asked for (segments_per_track)
  bool starved_ = false;
  std::string current_edge_;
  int64_t beat_played_us_ = 0, beat_stalled_us_ = 0;
  UtcMicros next_beat_ = 0, next_steering_ = INT64_MAX;
  std::string steering_url_;
  bool posting_ = false, steering_busy_ = false;
  std::vector<contract::QoeEvent> events_;

  boost::asio::steady_timer main_timer_, video_timer_, audio_timer_;
  std::unique_ptr<net::HttpClient> video_conn_, audio_conn_;
};

}  // namespace onair::loadgen
