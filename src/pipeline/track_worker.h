// One track of the pipeline on a thread of its own (a rung of the ladder, or the audio): the
// slots the timeline hands it, through its chain of stages (pipeline/stage.h): [scale →]
// encode → package, with a fork to the rung scaled from this one's pictures.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "media/encoder.h"
#include "pipeline/blocking_queue.h"
#include "pipeline/stage.h"
#include "pipeline/track_packager.h"

namespace onair::pipeline {

// Hands each slot to another track's queue (the rung scaled from this one's pictures), and
// the end of the stream with Flush.
class QueueStage final : public FrameStage {
 public:
  explicit QueueStage(BlockingQueue<Slot>* queue) : queue_(queue) {}
  Status Process(const Slot& slot) override {
    queue_->Push(Slot{slot.frame, slot.index, slot.no_input});
    return Status::Ok();
  }
  Status Flush() override {
    queue_->Push(Slot{.eos = true});
    return Status::Ok();
  }

 private:
  BlockingQueue<Slot>* queue_;
};

class TrackWorker {
 public:
  // `scale_to`: the rung's picture size (none for audio).
  TrackWorker(std::string name, std::unique_ptr<media::Encoder> encoder, FrameGrid grid,
              int64_t segment_us, std::optional<std::pair<int, int>> scale_to);
  ~TrackWorker();

  void SetPackager(std::unique_ptr<TrackPackager> p) { packager_ = std::move(p); }
  TrackPackager* packager() { return packager_.get(); }
  media::Encoder* encoder() { return encoder_.get(); }
  // The rung scaled from this one's pictures (before Start).
  void SetChild(TrackWorker* child) { child_ = child; }
  BlockingQueue<Slot>& queue() { return queue_; }

  // Builds the chain, hands the init segment on, starts the thread.
  void Start();
  void Join();

 private:
  void Loop();

  const std::string name_;
  std::unique_ptr<media::Encoder> encoder_;
  const FrameGrid grid_;
  const int64_t segment_us_;
  std::optional<std::pair<int, int>> scale_to_;
  std::unique_ptr<TrackPackager> packager_;
  TrackWorker* child_ = nullptr;
  // The chain, head first.
  std::unique_ptr<FrameStage> encode_, to_child_, fork_, scale_;
  FrameStage* head_ = nullptr;
  BlockingQueue<Slot> queue_{256};
  std::thread thread_;
};

}  // namespace onair::pipeline
