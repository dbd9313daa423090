// Durable storage of an origin: every complete candidate and every event's config and levers
// go to disk on a writer thread (never on the HTTP loops), so that segments out of the
// memory window stay readable for catch-up viewing and a restart loses nothing that had
// reached disk. Layout under the root:
//   {event}/event.json                      config + levers
//   {event}/{rendition}/init.{A|B}.mp4      (+ .json: size, defects, write id, completion)
//   {event}/{rendition}/{n}.{A|B}.m4s       (+ .json)
// Files are written to a temporary name and renamed; the .json goes last, so a file without
// its .json (a crash mid-write) is ignored at start-up. A full or failing disk is logged and
// counted; the segment stays in memory and is served from there.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/event_config.h"
#include "core/metrics.h"
#include "origin/candidate.h"

namespace onair::origin {

struct EventControl;
class Store;

class DiskStore {
 public:
  DiskStore(std::string root, MetricsRegistry* metrics);
  ~DiskStore();

  Status Open();  // creates the root
  void SaveEvent(const EventConfig& config, const EventControl& control);
  void Persist(const std::string& event, const std::string& rendition, int64_t n,
               std::shared_ptr<Candidate> candidate);
  void Remove(const std::shared_ptr<Candidate>& candidate);
  // Reads every event and candidate back into the store (at start-up, before serving).
  Status LoadInto(Store& store);
  // Blocks until everything queued so far is on disk (tests, shutdown).
  void Flush();

 private:
  void Run();
  void Enqueue(std::function<void()> job);

  std::string root_;
  Counter& writes_ok_;
  Counter& write_errors_;
  std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  std::deque<std::function<void()>> jobs_;
  bool busy_ = false, stop_ = false;
  std::thread thread_;
};

}  // namespace onair::origin
