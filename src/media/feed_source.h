// A live or file feed read and decoded through libavformat/libavcodec: SRT (caller or
// listener), RTMP (listen), MPEG-TS over UDP, or a file (looped and paced in real time).
// Audio comes out as float planar at the event's rate and channel count.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "media/frame.h"

namespace onair::media {

struct FeedOptions {
  std::string url;       // srt://host:port?mode=listener, rtmp://0.0.0.0:1935/app/key,
                         // udp://127.0.0.1:5000, or a file path
  bool loop = true;      // files: start again at the end
  bool realtime = true;  // files: deliver frames at their own pace, not as fast as read
  int64_t io_timeout_us = 2'000'000;  // a read blocked this long means the feed is gone
  int sample_rate = 48000;
  int channels = 2;
};

struct DecodedFrame {
  Frame frame;
  bool is_video = true;
  int64_t pts_us = 0;  // the feed's own timeline, in microseconds, continuous across loops
};

// What the kind of a feed URL is; "file" for paths.
std::string FeedKind(const std::string& url);

class FeedSource {
 public:
  // Blocks until the feed is open (a listener waits for its caller) or `stop` is set.
  static StatusOr<std::unique_ptr<FeedSource>> Open(const FeedOptions& options,
                                                    const std::atomic<bool>* stop, Clock* clock);
  ~FeedSource();
  FeedSource(const FeedSource&) = delete;
  FeedSource& operator=(const FeedSource&) = delete;

  // The next decoded frame. EndOfStream at the end of an unlooped file; Unavailable when
  // the feed stalls past the I/O timeout or drops; Cancelled when `stop` is set.
  StatusOr<DecodedFrame> Next();
  std::string Describe() const;
  int64_t corrupt_packets() const { return corrupt_packets_; }

 private:
  struct Impl;
  explicit FeedSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  int64_t corrupt_packets_ = 0;
};

}  // namespace onair::media
