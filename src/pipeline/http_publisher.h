// Publishes an event to one origin over HTTP (DESIGN.md "URL and HTTP contract"):
//   PUT {base}/live/{event}/{rendition}/init.mp4
//   PUT {base}/live/{event}/{rendition}/{n}.m4s   chunked, each chunk sent the moment it is
//       produced; the trailer X-Onair-Defects carries the inspection's findings.
// Every request carries the pipeline's identity (X-Onair-Pipeline) and token. A segment whose
// streamed upload fails is PUT again whole until its budget runs out: D after the segment
// became whole (at most D more once the pipeline finishes). One thread per rendition keeps each
// track in order; a slow or dead origin costs the other origins nothing (each has its own
// publisher).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/event_config.h"
#include "net/url.h"
#include "pipeline/sink.h"

namespace onair::pipeline {

struct PublisherConfig {
  std::string base_url;  // http://origin:port
  std::string token;
  std::string pipeline_id = "A";
};

struct PublisherCounters {
  std::atomic<int64_t> segments_ok{0};
  std::atomic<int64_t> segments_retried{0};  // needed a whole re-PUT
  std::atomic<int64_t> segments_failed{0};   // budget ran out
  std::atomic<int64_t> inits_ok{0};
  std::atomic<int64_t> rejected{0};  // refused by the origin (4xx)
};

class HttpPublisher final : public SegmentSink {
 public:
  HttpPublisher(PublisherConfig config, const EventConfig& event, Clock* clock);
  ~HttpPublisher() override;

  Status Prepare();  // checks the URL
  void OnInit(const media::TrackInfo& track, const std::string& init) override;
  void OnChunk(const std::string& rendition, int64_t number, const std::string& chunk) override;
  void OnSegmentEnd(const SegmentMeta& meta) override;
  void OnFinish() override;
  const PublisherCounters& counters() const { return counters_; }

 private:
  struct Track;
  Track& TrackFor(const std::string& rendition);

  PublisherConfig config_;
  EventConfig event_;
  Clock* clock_;
  net::Url url_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Track>> tracks_;
  PublisherCounters counters_;
  // Once the pipeline finishes, retries get at most one more segment duration.
  std::atomic<UtcMicros> finish_by_{INT64_MAX};
};

}  // namespace onair::pipeline
