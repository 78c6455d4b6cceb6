#include "ledger/reservation_table.h"

#include <algorithm>
#include <utility>

#include "base/check.h"

namespace account::internal {

// make_unique<Chunk>() zeroes every row: that writes each page.
std::unique_ptr<ReservationTable::Chunk> ReservationTable::new_chunk() {
  return std::make_unique<Chunk>();
}

std::pair<Reservation*, bool> ReservationTable::put_making_chunk(const Reservation& r) {
  ACCOUNT_CHECK(r.id.valid(), "reservation ids start at 1");
  const uint64_t c = (r.id.value() - 1) >> kChunkShift;
  if (chunks_.empty()) first_chunk_ = c;
  if (c < first_chunk_) {  // Below the dropped prefix: only while restoring a snapshot.
    std::vector<std::unique_ptr<Chunk>> wider(first_chunk_ - c);
    for (std::unique_ptr<Chunk>& held : chunks_) wider.push_back(std::move(held));
    chunks_ = std::move(wider);
    first_chunk_ = c;
  }
  if (c - first_chunk_ >= chunks_.size()) chunks_.resize(c - first_chunk_ + 1);
  std::unique_ptr<Chunk>& chunk = chunks_[c - first_chunk_];
  if (chunk == nullptr) chunk = pool_.take(new_chunk);
  return put_in(*chunk, r);
}

void ReservationTable::reserve(size_t reservations) {
  pool_.reserve((reservations + kChunkRows - 1) / kChunkRows + 1, new_chunk);
}

void ReservationTable::erase(ReservationId id) {
  const uint64_t c = (id.value() - 1) >> kChunkShift;
  if (chunk_of(id.value()) == nullptr) return;
  std::unique_ptr<Chunk>& chunk = chunks_[c - first_chunk_];
  Reservation& row = chunk->rows[(id.value() - 1) & kRowMask];
  if (row.id != id) return;
  row = Reservation{};
  --size_;
  if (--chunk->held > 0) return;
  // Every row is empty again (id 0), as in a new chunk: keep it for reuse.
  pool_.give(std::move(chunk));
  size_t spent = 0;
  while (spent < chunks_.size() && chunks_[spent] == nullptr) ++spent;
  chunks_.erase(chunks_.begin(), chunks_.begin() + static_cast<std::ptrdiff_t>(spent));
  first_chunk_ += spent;
}

}  // namespace account::internal
